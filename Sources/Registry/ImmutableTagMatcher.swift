import Metadata
import Replication

/// A project's enabled tag immutability rules, ready to ask about one tag (Harbor's semantics): a tag is immutable
/// when any rule's repository selector matches the repository (its name without the project) and its tag selector
/// matches the tag. `repoExcludes` / `excludes` select what the pattern does not match. A pattern may be a
/// comma-separated list (as Harbor's portal accepts it), meaning any of its entries.
public struct ImmutableTagMatcher: Sendable {
    struct Rule: Sendable {
        let repositories: ReplicationPattern
        let excludingRepositories: Bool
        let tags: ReplicationPattern
        let excludingTags: Bool
    }

    let rules: [Rule]

    /// The matcher of `records` (disabled rules and rules whose patterns do not parse protect nothing).
    public init(_ records: [ImmutableRuleRecord]) {
        rules = records.filter { !$0.disabled }.compactMap { record in
            guard let repositories = ReplicationPattern(harborList: record.repositoryPattern), let tags = ReplicationPattern(harborList: record.tagPattern) else { return nil }
            return Rule(repositories: repositories, excludingRepositories: record.repositoryDecoration == "repoExcludes",
                        tags: tags, excludingTags: record.tagDecoration == "excludes")
        }
    }

    /// Whether no rule applies at all.
    public var isEmpty: Bool { rules.isEmpty }

    /// Whether `tag` of the repository `repository` (without its project) is immutable.
    public func protects(repository: String, tag: String) -> Bool {
        rules.contains { rule in
            rule.repositories.matches(repository) != rule.excludingRepositories && rule.tags.matches(tag) != rule.excludingTags
        }
    }

    /// The guard the store applies for the repository called `fullName` (`project/name…`).
    public func guarding(_ fullName: String) -> TagGuard {
        guard !isEmpty else { return TagGuard(repository: fullName) { _ in false } }
        let name = fullName.split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init) ?? fullName
        return TagGuard(repository: fullName) { self.protects(repository: name, tag: $0) }
    }
}
