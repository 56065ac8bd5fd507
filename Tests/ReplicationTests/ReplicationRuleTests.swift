import Replication
import Testing

@Suite("Replication rules")
struct ReplicationRuleTests {
    func matches(_ pattern: String, _ text: String) -> Bool { ReplicationPattern(pattern)!.matches(text) }

    @Test("Harbor's pattern table and doublestar's rules")
    func patterns() {
        // The table in Harbor's documentation.
        #expect(matches("library/*", "library/hello-world"))
        #expect(!matches("library/*", "library/my/hello-world"))
        #expect(matches("library/**", "library/hello-world"))
        #expect(matches("library/**", "library/my/hello-world"))
        #expect(matches("{library,goharbor}/**", "library/hello-world"))
        #expect(matches("{library,goharbor}/**", "goharbor/harbor-core"))
        #expect(!matches("{library,goharbor}/**", "google/hello-world"))
        #expect(matches("1.?", "1.0"))
        #expect(!matches("1.?", "1.01"))
        // Globstars match no component too; `**` inside a component is a plain star.
        #expect(matches("a/**/b", "a/b") && matches("a/**/b", "a/x/y/b") && !matches("a/**/b", "a/xb"))
        #expect(matches("a/**", "a") && matches("**/b", "b") && matches("**/b", "x/y/b") && matches("**", "x/y"))
        #expect(matches("a/x**", "a/xyz") && !matches("a/x**", "a/x/y"))
        // Classes, escapes, literals.
        #expect(matches("v[0-9].*", "v1.2") && !matches("v[0-9].*", "vx.2") && matches("v[!0-9]", "vx") && !matches("v[!0-9]", "v1"))
        #expect(matches(#"a\*b"#, "a*b") && !matches(#"a\*b"#, "axb"))
        #expect(matches("{v1.*,latest}", "latest") && matches("{v1.{0,1},v2}", "v1.1") && !matches("{v1.{0,1},v2}", "v1.2"))
        #expect(matches("", "") && !matches("", "a") && !matches("a", ""))
        // Hostile patterns: refused or bounded, never slow.
        #expect(ReplicationPattern("{a") == nil && ReplicationPattern("[a") == nil && ReplicationPattern("[z-a]") == nil)
        #expect(ReplicationPattern(String(repeating: "{a,b}", count: 20)) == nil)
        #expect(ReplicationPattern(String(repeating: "a", count: 2000)) == nil)
        let stars = ReplicationPattern(String(repeating: "*a", count: 200) + "b")!
        #expect(!stars.matches(String(repeating: "a", count: 5000)))
    }

    @Test("destination namespaces and Harbor's flattening levels")
    func flattening() {
        let source = "a/b/c/d/img"
        #expect(DestinationName.of(source, namespace: "namespace", replaceCount: -1) == "namespace/img")
        #expect(DestinationName.of(source, namespace: "namespace", replaceCount: 0) == "namespace/a/b/c/d/img")
        #expect(DestinationName.of(source, namespace: "namespace", replaceCount: 1) == "namespace/b/c/d/img")
        #expect(DestinationName.of(source, namespace: "namespace", replaceCount: 2) == "namespace/c/d/img")
        #expect(DestinationName.of(source, namespace: "namespace", replaceCount: 3) == "namespace/d/img")
        #expect(DestinationName.of(source, namespace: "namespace", replaceCount: 99) == "namespace/img")
        #expect(DestinationName.of(source, namespace: "", replaceCount: 1) == source)
        #expect(DestinationName.of("img", namespace: "ns/", replaceCount: 1) == "ns/img")
    }

    @Test("tag filters select or exclude; resource filter keeps images only")
    func filters() {
        let selecting = ReplicationFilters(name: ReplicationPattern("library/**"), tag: ReplicationPattern("v*"))
        #expect(selecting.selects(repository: "library/app") && !selecting.selects(repository: "team/app"))
        #expect(selecting.selectedTags(["v1", "latest", "v2"]) == ["v1", "v2"])
        #expect(selecting.selects(tags: ["v1"], isImage: true) && !selecting.selects(tags: ["latest"], isImage: true))
        #expect(!selecting.selects(tags: [], isImage: true))
        let excluding = ReplicationFilters(tag: ReplicationPattern("*-rc*"), excludeTags: true)
        #expect(excluding.selectedTags(["1.0", "1.1-rc1"]) == ["1.0"])
        #expect(!excluding.selects(tags: ["1.1-rc1"], isImage: true) && excluding.selects(tags: ["1.0"], isImage: true) && excluding.selects(tags: [], isImage: true))
        let images = ReplicationFilters(resource: "image")
        #expect(images.selects(tags: ["x"], isImage: true) && !images.selects(tags: ["x"], isImage: false))
    }
}
