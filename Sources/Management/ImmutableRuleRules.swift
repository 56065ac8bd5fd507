import Foundation
import Metadata
import Replication

/// What makes a tag immutability rule acceptable: one doublestar repository selector (`repoMatches` or
/// `repoExcludes`) and one doublestar tag selector (`matches` or `excludes`), patterns that parse, and Harbor's fixed
/// action and template.
enum ImmutableRuleRules {
    /// The values a request sets, checked.
    struct Valid {
        var priority: Int
        var disabled: Bool
        var repositoryDecoration: String
        var repositoryPattern: String
        var tagDecoration: String
        var tagPattern: String
    }

    /// Checks `request` (against `existing` on an update, whose values fill what the request leaves out).
    static func validate(_ request: ImmutableRuleRequest, existing: ImmutableRuleRecord?) throws -> Valid {
        if let action = request.action, !action.isEmpty, action != "immutable" { throw APIError.badRequest("action must be immutable") }
        if let template = request.template, !template.isEmpty, template != "immutable_template" {
            throw APIError.badRequest("template must be immutable_template")
        }
        let priority = request.priority ?? existing?.priority ?? 0
        // The column is 32 bits wide on PostgreSQL.
        guard priority >= Int(Int32.min), priority <= Int(Int32.max) else { throw APIError.badRequest("priority is out of range") }
        var repositoryDecoration = existing?.repositoryDecoration ?? "repoMatches", repositoryPattern = existing?.repositoryPattern
        var tagDecoration = existing?.tagDecoration ?? "matches", tagPattern = existing?.tagPattern
        if let scopes = request.scopeSelectors {
            guard scopes.count == 1, let selectors = scopes["repository"], selectors.count == 1 else {
                throw APIError.badRequest("scope_selectors must hold exactly one repository selector")
            }
            (repositoryDecoration, repositoryPattern) = try selector(selectors[0], decorations: ["repoMatches", "repoExcludes"], what: "repository")
        }
        if let tags = request.tagSelectors {
            guard tags.count == 1 else { throw APIError.badRequest("tag_selectors must hold exactly one selector") }
            (tagDecoration, tagPattern) = try selector(tags[0], decorations: ["matches", "excludes"], what: "tag")
        }
        guard let repositoryPattern else { throw APIError.badRequest("scope_selectors with a repository selector is required") }
        guard let tagPattern else { throw APIError.badRequest("tag_selectors with one selector is required") }
        return Valid(priority: priority, disabled: request.disabled ?? existing?.disabled ?? false, repositoryDecoration: repositoryDecoration,
                     repositoryPattern: repositoryPattern, tagDecoration: tagDecoration, tagPattern: tagPattern)
    }

    static func selector(_ selector: ImmutableRuleRequest.Selector, decorations: [String], what: String) throws -> (String, String) {
        if let kind = selector.kind, !kind.isEmpty, kind != "doublestar" { throw APIError.badRequest("the \(what) selector's kind must be doublestar") }
        let decoration = selector.decoration.flatMap { $0.isEmpty ? nil : $0 } ?? decorations[0]
        guard decorations.contains(decoration) else {
            throw APIError.badRequest("the \(what) selector's decoration must be \(decorations.joined(separator: " or "))")
        }
        guard let pattern = selector.pattern, !pattern.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError.badRequest("the \(what) selector needs a pattern")
        }
        guard ReplicationPattern(harborList: pattern) != nil else {
            throw APIError.badRequest("the \(what) pattern \(pattern.prefix(200)) is not a valid pattern (at most 1024 characters, balanced braces and brackets)")
        }
        return (decoration, pattern)
    }
}
