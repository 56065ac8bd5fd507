import Metadata
import Registry
import Testing

/// Harbor's retention decision: per rule, the artifacts its selectors select, kept by its template; rules combine with
/// OR; what no rule keeps goes; repositories no rule selects are left alone.
@Suite("Retention evaluator")
struct RetentionEvaluatorTests {
    static let day: Int64 = 86_400_000
    static let now: Int64 = 1_000 * day

    static func rule(_ id: Int, _ template: String, _ count: Int = 0, repositories: String = "**", repositoryDecoration: String = "repoMatches",
                     tags: String = "**", tagDecoration: String = "matches", untagged: Bool = false, disabled: Bool = false) -> RetentionRule {
        RetentionRule(id: id, priority: 0, disabled: disabled, template: template, count: count, repositoryDecoration: repositoryDecoration,
                      repositoryPattern: repositories, tagDecoration: tagDecoration, tagPattern: tags, untagged: untagged)
    }

    /// Five artifacts pushed a day apart (a oldest), b and d pulled, e untagged.
    static let candidates = [
        RetentionCandidate(digest: "a", pushedAt: now - 5 * day, pulledAt: nil, tags: ["v1"]),
        RetentionCandidate(digest: "b", pushedAt: now - 4 * day, pulledAt: now - 1 * day, tags: ["v2", "stable"]),
        RetentionCandidate(digest: "c", pushedAt: now - 3 * day, pulledAt: nil, tags: ["rc-3"]),
        RetentionCandidate(digest: "d", pushedAt: now - 2 * day, pulledAt: now - 10 * day, tags: ["v4"]),
        RetentionCandidate(digest: "e", pushedAt: now - 1 * day, pulledAt: nil, tags: []),
    ]

    static func kept(_ rules: [RetentionRule], repository: String = "app") -> Set<String>? {
        RetentionEvaluator.retained(candidates, repository: repository, rules: rules, now: now).map { Set($0.keys) }
    }

    @Test("each template keeps what Harbor's does")
    func templates() {
        #expect(Self.kept([Self.rule(1, "latestPushedK", 2)]) == ["c", "d"], "untagged e is not considered without untagged")
        #expect(Self.kept([Self.rule(1, "latestPushedK", 2, untagged: true)]) == ["d", "e"])
        #expect(Self.kept([Self.rule(1, "latestPulledN", 1)]) == ["b"])
        #expect(Self.kept([Self.rule(1, "latestPulledN", 3)]) == ["b", "d", "c"], "never pulled sorts last, newest push first")
        #expect(Self.kept([Self.rule(1, "nDaysSinceLastPush", 3)]) == ["c", "d"])
        #expect(Self.kept([Self.rule(1, "nDaysSinceLastPull", 5)]) == ["b"])
        #expect(Self.kept([Self.rule(1, "always")]) == ["a", "b", "c", "d"])
        #expect(Self.kept([Self.rule(1, "latestPushedK", 0)]) == [])
    }

    @Test("tag selectors match any tag, excluding inverts, rules combine with OR, disabled rules and unselected repositories do nothing")
    func selectors() {
        #expect(Self.kept([Self.rule(1, "always", tags: "v*")]) == ["a", "b", "d"])
        #expect(Self.kept([Self.rule(1, "always", tags: "stable")]) == ["b"], "an artifact is kept whole when one of its tags is selected")
        #expect(Self.kept([Self.rule(1, "always", tags: "v*", tagDecoration: "excludes")]) == ["b", "c"], "b's tag stable is not excluded")
        #expect(Self.kept([Self.rule(1, "always", tags: "rc-*, stable")]) == ["b", "c"], "a comma list means any of its entries")
        #expect(Self.kept([Self.rule(1, "latestPushedK", 1, tags: "v*"), Self.rule(2, "always", tags: "rc-*")]) == ["c", "d"])
        let byRule = RetentionEvaluator.retained(Self.candidates, repository: "app",
                                                 rules: [Self.rule(1, "always", tags: "v2"), Self.rule(2, "always", tags: "stable")], now: Self.now)
        #expect(byRule?["b"] == [1, 2])
        #expect(Self.kept([Self.rule(1, "always", disabled: true)]) == nil, "a disabled rule selects no repository")
        #expect(Self.kept([Self.rule(1, "always", repositories: "web")]) == nil)
        #expect(Self.kept([Self.rule(1, "always", repositories: "app", repositoryDecoration: "repoExcludes")]) == nil)
        #expect(Self.kept([Self.rule(1, "always", repositories: "team/*")], repository: "team/app") == ["a", "b", "c", "d"])
        #expect(!RetentionEvaluator.selects("team/a/b", rules: [Self.rule(1, "always", repositories: "team/*")]))
    }

    @Test("extreme numbers keep everything or nothing and never trap")
    func extremes() {
        #expect(Self.kept([Self.rule(1, "latestPushedK", Int.max)]) == ["a", "b", "c", "d"])
        #expect(Self.kept([Self.rule(1, "nDaysSinceLastPush", Int.max)]) == ["a", "b", "c", "d"])
        #expect(Self.kept([Self.rule(1, "nDaysSinceLastPull", Int.max)]) == ["b", "d"])
        #expect(Self.kept([Self.rule(1, "latestPushedK", -5)]) == [])
        #expect(Self.kept([Self.rule(1, "unknownTemplate", 3)]) == [])
    }
}
