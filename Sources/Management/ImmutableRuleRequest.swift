/// A tag immutability rule as Harbor's API sends it (`ImmutableRule`); fields left out keep their values on an update.
public struct ImmutableRuleRequest: Decodable, Sendable {
    /// One selector as sent (`ImmutableSelector`).
    public typealias Selector = HarborSelectorRequest
    var priority: Int?
    var disabled: Bool?
    var action: String?
    var template: String?
    var tagSelectors: [Selector]?
    var scopeSelectors: [String: [Selector]]?

    /// A rule over the repositories `repositories` selects (`repoMatches` or `repoExcludes`) and the tags `tags` selects
    /// (`matches` or `excludes`); nil fields keep their values on an update.
    public static func rule(repositoryDecoration: String?, repositories: String?, tagDecoration: String?, tags: String?,
                            disabled: Bool?) -> ImmutableRuleRequest {
        ImmutableRuleRequest(
            priority: nil, disabled: disabled, action: nil, template: nil,
            tagSelectors: tags.map { [Selector(kind: "doublestar", decoration: tagDecoration, pattern: $0, extras: nil)] },
            scopeSelectors: repositories.map { ["repository": [Selector(kind: "doublestar", decoration: repositoryDecoration, pattern: $0, extras: nil)]] })
    }
}

/// A tag immutability rule as Harbor's API shows it.
public struct ImmutableRuleView: Codable, Sendable {
    /// The rule's id.
    public internal(set) var id: Int64
    /// Harbor's priority (every enabled rule applies).
    public internal(set) var priority: Int
    /// Whether the rule is off.
    public internal(set) var disabled: Bool
    /// Always `immutable`.
    public internal(set) var action: String
    /// Always `immutable_template`.
    public internal(set) var template: String
    /// Always empty.
    public internal(set) var params: [String: JSONValue]
    /// The tag selector.
    public internal(set) var tagSelectors: [HarborSelectorView]
    /// `repository` → the repository selector.
    public internal(set) var scopeSelectors: [String: [HarborSelectorView]]
}
