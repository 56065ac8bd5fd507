import Metadata
import Registry
import Replication
import Testing

/// Harbor's immutability selectors: doublestar patterns over the repository name without its project and over the
/// tag, `repoExcludes` / `excludes` inverting them, comma lists as alternatives, any enabled rule protecting.
@Suite("Immutable tag matcher")
struct ImmutableTagMatcherTests {
    static func rule(_ repositories: String, _ tags: String, repositoryDecoration: String = "repoMatches", tagDecoration: String = "matches",
                     disabled: Bool = false) -> ImmutableRuleRecord {
        ImmutableRuleRecord(projectID: 1, priority: 0, disabled: disabled, repositoryDecoration: repositoryDecoration, repositoryPattern: repositories,
                            tagDecoration: tagDecoration, tagPattern: tags, createdAt: 0, updatedAt: 0)
    }

    @Test("repository and tag selectors, matching and excluding")
    func selectors() {
        let all = ImmutableTagMatcher([Self.rule("**", "v*")])
        #expect(all.protects(repository: "app", tag: "v1"))
        #expect(all.protects(repository: "team/app", tag: "v2.0"))
        #expect(!all.protects(repository: "app", tag: "latest"))

        let team = ImmutableTagMatcher([Self.rule("team/*", "**")])
        #expect(team.protects(repository: "team/app", tag: "anything"))
        #expect(!team.protects(repository: "team/a/b", tag: "x"), "* does not cross a slash")
        #expect(!team.protects(repository: "app", tag: "x"))

        let allBut = ImmutableTagMatcher([Self.rule("**", "rc, nightly", tagDecoration: "excludes")])
        #expect(allBut.protects(repository: "app", tag: "v1"))
        #expect(!allBut.protects(repository: "app", tag: "rc"))
        #expect(!allBut.protects(repository: "app", tag: "nightly"))

        let notScratch = ImmutableTagMatcher([Self.rule("scratch/**", "**", repositoryDecoration: "repoExcludes")])
        #expect(!notScratch.protects(repository: "scratch/tmp", tag: "v1"))
        #expect(notScratch.protects(repository: "app", tag: "v1"))

        let braces = ImmutableTagMatcher([Self.rule("{api,web}", "{1..9,release-[0-9]*}")])
        #expect(braces.protects(repository: "web", tag: "release-3"))
        #expect(!braces.protects(repository: "db", tag: "release-3"))
    }

    @Test("any enabled rule protects; disabled rules and patterns that do not parse protect nothing; the guard strips the project")
    func rulesTogether() {
        let matcher = ImmutableTagMatcher([Self.rule("app", "v*"), Self.rule("**", "stable"), Self.rule("**", "**", disabled: true), Self.rule("**", "{x")])
        #expect(matcher.protects(repository: "app", tag: "v1"))
        #expect(matcher.protects(repository: "db", tag: "stable"))
        #expect(!matcher.protects(repository: "db", tag: "v1"))
        #expect(!matcher.protects(repository: "db", tag: "{x"))
        let guarding = matcher.guarding("proj/app")
        #expect(guarding.isImmutable("v1") && !guarding.isImmutable("latest"))
        #expect(!matcher.guarding("proj/db").isImmutable("v1"))
        #expect(ImmutableTagMatcher([]).isEmpty && !ImmutableTagMatcher([]).guarding("p/app").isImmutable("v1"))
        #expect(ReplicationPattern(harborList: "{unclosed") == nil)
    }
}
