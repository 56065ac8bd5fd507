import Foundation
import Replication

/// A selector of an immutability or retention rule as Harbor's API sends it (`ImmutableSelector`, `RetentionSelector`).
public struct HarborSelectorRequest: Decodable, Sendable {
    var kind: String?
    var decoration: String?
    var pattern: String?
    var extras: String?
}

/// A selector of an immutability or retention rule as Harbor's API shows it.
public struct HarborSelectorView: Codable, Sendable {
    /// Always `doublestar`.
    public internal(set) var kind: String
    /// `matches`, `excludes`, `repoMatches` or `repoExcludes`.
    public internal(set) var decoration: String
    /// The pattern as stored.
    public internal(set) var pattern: String
    /// Retention tag selectors: `{"untagged":true|false}`; empty elsewhere.
    public internal(set) var extras: String
}

/// The one check of a rule's selector: kind `doublestar` (or none), one of `decorations` (the first when none is
/// sent), and a pattern that parses, trimmed of surrounding spaces so that `" v*"` and `"v*"` are one rule.
enum HarborSelectorRules {
    static func checked(_ selector: HarborSelectorRequest, decorations: [String], what: String) throws -> (decoration: String, pattern: String) {
        if let kind = selector.kind, !kind.isEmpty, kind != "doublestar" { throw APIError.badRequest("\(what)'s kind must be doublestar") }
        let decoration = selector.decoration.flatMap { $0.isEmpty ? nil : $0 } ?? decorations[0]
        guard decorations.contains(decoration) else {
            throw APIError.badRequest("\(what)'s decoration must be \(decorations.joined(separator: " or "))")
        }
        let pattern = (selector.pattern ?? "").trimmingCharacters(in: .whitespaces)
        guard !pattern.isEmpty else { throw APIError.badRequest("\(what) needs a pattern") }
        guard ReplicationPattern(harborList: pattern) != nil else {
            throw APIError.badRequest("\(what)'s pattern \(pattern.prefix(200)) is not a valid pattern (at most 1024 characters, balanced braces and brackets)")
        }
        return (decoration, pattern)
    }
}
