import Metadata
import Replication

/// Harbor's tag retention decision for one repository: each enabled rule whose repository selector matches considers
/// the artifacts its tag selector selects (a tagged artifact when any of its tags matches — or, for `excludes`, does
/// not match — the pattern; an untagged one when the rule takes untagged artifacts) and retains some of them by its
/// template; what no rule retains is deleted (rules combine with OR). A repository no enabled rule selects is left
/// alone.
public enum RetentionEvaluator {
    /// The templates Harbor offers, with the unit of their number (nil for `always`).
    public static let templates: [(template: String, unit: String?, text: String)] = [
        ("latestPushedK", "count", "retain the most recently pushed # artifacts"),
        ("latestPulledN", "count", "retain the most recently pulled # artifacts"),
        ("nDaysSinceLastPush", "days", "retain the artifacts pushed within the last # days"),
        ("nDaysSinceLastPull", "days", "retain the artifacts pulled within the last # days"),
        ("always", nil, "retain always"),
    ]

    /// An enabled rule with its patterns parsed once (a rule whose patterns do not parse selects nothing).
    struct Compiled {
        let rule: RetentionRule
        let repositories: ReplicationPattern
        let tags: ReplicationPattern

        init?(_ rule: RetentionRule) {
            guard !rule.disabled, let repositories = ReplicationPattern(harborList: rule.repositoryPattern),
                  let tags = ReplicationPattern(harborList: rule.tagPattern) else { return nil }
            self.rule = rule
            self.repositories = repositories
            self.tags = tags
        }

        func selects(repository name: String) -> Bool {
            repositories.matches(name) != (rule.repositoryDecoration == "repoExcludes")
        }

        func selects(_ candidate: RetentionCandidate) -> Bool {
            if candidate.tags.isEmpty { return rule.untagged }
            let excluding = rule.tagDecoration == "excludes"
            return candidate.tags.contains { tags.matches($0) != excluding }
        }
    }

    /// Whether any enabled rule applies to the repository `name` (without its project).
    public static func selects(_ name: String, rules: [RetentionRule]) -> Bool {
        rules.lazy.compactMap(Compiled.init).contains { $0.selects(repository: name) }
    }

    /// Per retained digest, the rules (by id) that retain it, or nil when no rule applies to the repository.
    public static func retained(_ candidates: [RetentionCandidate], repository name: String, rules: [RetentionRule],
                                now: Int64) -> [String: [Int]]? {
        let applying = rules.compactMap(Compiled.init).filter { $0.selects(repository: name) }
        guard !applying.isEmpty else { return nil }
        var kept: [String: [Int]] = [:]
        for compiled in applying {
            let selected = candidates.filter(compiled.selects)
            for candidate in keep(selected, compiled.rule, now: now) { kept[candidate.digest, default: []].append(compiled.rule.id) }
        }
        return kept
    }

    static func keep(_ selected: [RetentionCandidate], _ rule: RetentionRule, now: Int64) -> [RetentionCandidate] {
        let count = max(0, rule.count)
        // Days as milliseconds, bounded so the subtraction cannot overflow (the API allows at most 100 years anyway).
        let window = Int64(min(count, 365_000)) * 86_400_000
        switch rule.template {
        case "latestPushedK":
            return Array(selected.sorted { ($0.pushedAt, $0.digest) > ($1.pushedAt, $1.digest) }.prefix(count))
        case "latestPulledN":
            // Never pulled sorts after every pull, as in Harbor.
            return Array(selected.sorted { ($0.pulledAt ?? Int64.min, $0.pushedAt, $0.digest) > ($1.pulledAt ?? Int64.min, $1.pushedAt, $1.digest) }
                .prefix(count))
        case "nDaysSinceLastPush":
            return selected.filter { $0.pushedAt >= now - window }
        case "nDaysSinceLastPull":
            return selected.filter { ($0.pulledAt ?? Int64.min) >= now - window }
        case "always":
            return selected
        default:
            return []
        }
    }
}
