import Metadata

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
            (repositoryDecoration, repositoryPattern) = try HarborSelectorRules.checked(selectors[0], decorations: ["repoMatches", "repoExcludes"], what: "the repository selector")
        }
        if let tags = request.tagSelectors {
            guard tags.count == 1 else { throw APIError.badRequest("tag_selectors must hold exactly one selector") }
            (tagDecoration, tagPattern) = try HarborSelectorRules.checked(tags[0], decorations: ["matches", "excludes"], what: "the tag selector")
        }
        guard let repositoryPattern else { throw APIError.badRequest("scope_selectors with a repository selector is required") }
        guard let tagPattern else { throw APIError.badRequest("tag_selectors with one selector is required") }
        return Valid(priority: priority, disabled: request.disabled ?? existing?.disabled ?? false, repositoryDecoration: repositoryDecoration,
                     repositoryPattern: repositoryPattern, tagDecoration: tagDecoration, tagPattern: tagPattern)
    }
}
