import Foundation

/// One of Harbor's replication filters as its API sends it: `{"type":"name","value":"library/**"}`,
/// `{"type":"tag","value":"v*","decoration":"excludes"}`, `{"type":"resource","value":"image"}`,
/// `{"type":"label","value":["a"],"decoration":"matches"}`.
public struct HarborFilter: Codable, Sendable, Equatable {
    /// `name`, `tag`, `label` or `resource`.
    public var type: String
    /// A pattern or resource type (a string), or label names (an array).
    public var value: Value
    /// `matches` or `excludes` (tags and labels).
    public var decoration: String?

    /// A filter value: Harbor sends a string for most filters and an array of strings for labels.
    public enum Value: Codable, Sendable, Equatable {
        /// A pattern or resource type.
        case text(String)
        /// Label names.
        case list([String])

        /// Reads either form.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .list(try container.decode([String].self))
            }
        }

        /// Writes the form it was read in.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .list(let list): try container.encode(list)
            }
        }
    }

    /// A filter.
    public init(type: String, value: Value, decoration: String? = nil) {
        self.type = type
        self.value = value
        self.decoration = decoration
    }
}

/// Why a policy's filters cannot be used.
public struct ReplicationFilterError: Error, Sendable, CustomStringConvertible {
    /// The reason, for an API error.
    public let description: String
    init(_ description: String) { self.description = description }
}

extension ReplicationFilters {
    /// The filters of a Harbor filter array; empty patterns mean "any". Throws on an unknown type, a bad pattern, a
    /// repeated type or a resource type other than `image` and `artifact`.
    public init(harbor filters: [HarborFilter]) throws {
        self.init()
        guard filters.count <= 16 else { throw ReplicationFilterError("at most 16 filters") }
        var seen = Set<String>()
        for filter in filters {
            guard seen.insert(filter.type).inserted else { throw ReplicationFilterError("the \(filter.type) filter is given twice") }
            let decoration = filter.decoration ?? "matches"
            guard ["matches", "excludes"].contains(decoration) else { throw ReplicationFilterError("decoration must be matches or excludes") }
            switch (filter.type, filter.value) {
            case ("name", .text(let text)):
                guard decoration == "matches" else { throw ReplicationFilterError("the name filter can only match") }
                if !text.isEmpty {
                    guard let pattern = ReplicationPattern(text) else { throw ReplicationFilterError("the name filter \(text) is not a valid pattern") }
                    name = pattern
                }
            case ("tag", .text(let text)):
                if !text.isEmpty {
                    guard let pattern = ReplicationPattern(text) else { throw ReplicationFilterError("the tag filter \(text) is not a valid pattern") }
                    tag = pattern
                    excludeTags = decoration == "excludes"
                }
            case ("resource", .text(let text)):
                guard ["image", "artifact", ""].contains(text) else { throw ReplicationFilterError("the resource filter must be image or artifact") }
                resource = text == "image" ? "image" : nil
            case ("label", .list(let labels)):
                // Berth has no labels yet: a label filter that asks for labels selects nothing rather than everything.
                if !labels.isEmpty && decoration == "matches" { requiresLabels = true }
            case ("label", .text(let text)):
                if !text.isEmpty && decoration == "matches" { requiresLabels = true }
            default:
                throw ReplicationFilterError("unknown filter \(filter.type) (name, tag, label and resource are known)")
            }
        }
    }
}
