import Foundation
import OCI
import Testing

/// Tag immutability (Harbor's `immutabletagrules`) against the real binary: rules made through the API keep skopeo
/// from pushing another image under a protected tag and everyone from deleting the tag, its artifact or its
/// repository, by `/v2` and the management API alike; a re-push of the same image, new tags and unprotected tags
/// still work; excluding selectors, disabling and deleting rules change that at once; only maintainers and project
/// admins manage rules; bad rules get Harbor's error JSON and store nothing.
@Suite("Tag immutability")
struct ImmutableTagTests {
    static let password = "Secret-12345"

    static func rule(repositories: String = "**", repositoryDecoration: String = "repoMatches", tags: String,
                     tagDecoration: String = "matches") -> [String: Any] {
        ["action": "immutable", "template": "immutable_template", "priority": 0, "disabled": false,
         "tag_selectors": [["kind": "doublestar", "decoration": tagDecoration, "pattern": tags]],
         "scope_selectors": ["repository": [["kind": "doublestar", "decoration": repositoryDecoration, "pattern": repositories]]]]
    }

    @Test("skopeo cannot push another image under an immutable tag, nobody can delete it, its artifact or its repository; the same image, new and unprotected tags still push; excluding, disabling and deleting rules take effect at once")
    func enforcement() async throws {
        let work = try TemporaryDirectory("immutable")
        defer { work.remove() }
        let first = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("first"), tag: "v1", layerSizes: [3000]) })
        let second = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("second"), tag: "v1", layerSizes: [5000]) })
        try await withSecuredServer { server, admin in
            let creds = "admin:\(BerthInstance.adminPassword)"
            func push(_ layout: String, _ target: String) async throws -> CommandResult {
                try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", creds, "oci:\(work.file(layout)):v1",
                                             "docker://\(server.hostPort)/\(target)"])
            }
            func digest(_ reference: String) async throws -> String? {
                try await admin.api(.GET, "/projects/locked/repositories/app/artifacts/\(reference)").json()["digest"] as? String
            }
            func tags() async throws -> [String: Bool] {
                let artifacts = try await admin.api(.GET, "/projects/locked/repositories/app/artifacts?with_immutable_status=true").jsonArray()
                var found: [String: Bool] = [:]
                for artifact in artifacts {
                    for tag in artifact["tags"] as? [[String: Any]] ?? [] { found[tag["name"] as? String ?? "?"] = tag["immutable"] as? Bool }
                }
                return found
            }
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "locked"])
            #expect(try await push("first", "locked/app:v1").succeeded)
            #expect(try await push("first", "locked/app:rc").succeeded)
            let ruleID = try #require(try await admin.api(.POST, "/projects/locked/immutabletagrules",
                                                          json: Self.rule(tags: "v*")).header("Location")?.split(separator: "/").last.map(String.init))
            #expect(try await tags() == ["v1": true, "rc": false])

            // Another image under v1: refused with the reason, and v1 still names the first image.
            let moved = try await push("second", "locked/app:v1")
            #expect(!moved.succeeded)
            #expect(moved.stderr.contains("immutable"), "\(moved.stderr)")
            #expect(try await digest("v1") == first.topDigest.description)
            // The same image again changes nothing and is fine; a new tag the rule matches is created; rc moves freely.
            let again = try await push("first", "locked/app:v1")
            #expect(again.succeeded, "\(again.stderr)")
            #expect(try await push("second", "locked/app:v2").succeeded)
            #expect(try await push("second", "locked/app:rc").succeeded)
            #expect(try await digest("rc") == second.topDigest.description)
            #expect(!(try await push("first", "locked/app:v2").succeeded))

            // No deleting: the tag, its artifact, its repository — by the API (Harbor's 412) and by /v2 (skopeo delete).
            let tagDelete = try await admin.api(.DELETE, "/projects/locked/repositories/app/artifacts/v1/tags/v1")
            #expect(tagDelete.status == 412 && tagDelete.text.contains("PRECONDITION") && tagDelete.text.contains("locked/app:v1 is immutable"), "\(tagDelete.text)")
            #expect(try await admin.api(.DELETE, "/projects/locked/repositories/app/artifacts/v1").status == 412)
            #expect(try await admin.api(.DELETE, "/projects/locked/repositories/app").status == 412)
            let v2Delete = try await admin.registry(.DELETE, "/v2/locked/app/manifests/\(first.topDigest)")
            #expect(v2Delete.status == 412 && v2Delete.text.contains("DENIED"), "\(v2Delete.text)")
            #expect(try await admin.registry(.DELETE, "/v2/locked/app/manifests/v1").status == 412)
            #expect(try await admin.registry(.DELETE, "/v2/locked/app/manifests/v9").status == 404, "a missing tag is a 404 even where a rule would match")
            let skopeoDelete = try await ProcessRunner.run(["skopeo", "delete", "--tls-verify=false", "--creds", creds,
                                                            "docker://\(server.hostPort)/locked/app@\(first.topDigest)"])
            #expect(!skopeoDelete.succeeded && skopeoDelete.stderr.contains("immutable"), "\(skopeoDelete.stderr)")
            #expect(try await digest("v1") == first.topDigest.description)
            // A copy cannot move the tag either; into a repository the rule also covers, the tag is created.
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "other"])
            #expect(try await push("second", "other/app:v1").succeeded)
            let copy = try await admin.api(.POST, "/projects/locked/repositories/app/artifacts?from=other/app:v1")
            #expect(copy.status == 412, "\(copy.text)")
            #expect(try await digest("v1") == first.topDigest.description)
            #expect(try await admin.api(.POST, "/projects/locked/repositories/copied/artifacts?from=other/app:v1").status == 201)

            // Excluding: every tag but rc and nightly is immutable (a comma list, as Harbor's portal writes it).
            try await admin.apiOK(.PUT, "/projects/locked/immutabletagrules/\(ruleID)", json: Self.rule(tags: "rc,nightly", tagDecoration: "excludes"))
            #expect(try await tags() == ["v1": true, "v2": true, "rc": false])
            #expect(try await push("first", "locked/app:rc").succeeded)
            #expect(!(try await push("first", "locked/app:v2").succeeded))
            // Repositories: a rule that excludes app leaves app's tags free.
            try await admin.apiOK(.PUT, "/projects/locked/immutabletagrules/\(ruleID)", json: Self.rule(repositories: "app", repositoryDecoration: "repoExcludes", tags: "**"))
            #expect(try await tags() == ["v1": false, "v2": false, "rc": false])
            #expect(!(try await push("first", "locked/copied:v1").succeeded), "the copied repository is still covered")
            // Disabled (Harbor's toggle sends only that field): nothing is protected; enabled again: protected again.
            try await admin.apiOK(.PUT, "/projects/locked/immutabletagrules/\(ruleID)", json: Self.rule(tags: "v*"))
            try await admin.apiOK(.PUT, "/projects/locked/immutabletagrules/\(ruleID)", json: ["disabled": true])
            let listed = try await admin.api(.GET, "/projects/locked/immutabletagrules").jsonArray()
            #expect(listed.count == 1 && listed.first?["disabled"] as? Bool == true)
            #expect(((listed.first?["tag_selectors"] as? [[String: Any]])?.first?["pattern"] as? String) == "v*")
            #expect(try await tags() == ["v1": false, "v2": false, "rc": false])
            #expect(try await push("second", "locked/app:v1").succeeded)
            try await admin.apiOK(.PUT, "/projects/locked/immutabletagrules/\(ruleID)", json: ["disabled": false])
            #expect(!(try await push("first", "locked/app:v1").succeeded))
            // Deleted: the tag goes like any other.
            try await admin.apiOK(.DELETE, "/projects/locked/immutabletagrules/\(ruleID)")
            #expect(try await admin.api(.DELETE, "/projects/locked/repositories/app/artifacts/v1/tags/v1").status == 200)
            #expect(try await admin.api(.DELETE, "/projects/locked/repositories/app").status == 200)

            // Every change to a rule is in the project's log.
            let log = try await admin.api(.GET, "/projects/locked/logs?q=resource_type%3Dimmutable_rule&page_size=50").jsonArray()
            #expect(Set(log.compactMap { $0["operation"] as? String }) == ["create", "update", "delete"], "\(log)")
        }
    }

    @Test("maintainers and project admins manage rules, developers and guests may not, anonymous callers get 401; bad rules, duplicates and a 16th rule are refused with Harbor's error JSON")
    func rolesAndBadInput() async throws {
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "locked"])
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "elsewhere"])
            var clients: [String: AccessClient] = [:]
            for (user, role) in [("owner", 1), ("dev", 2), ("guest", 3), ("keeper", 4)] {
                try await admin.apiOK(.POST, "/users", json: ["username": user, "password": Self.password])
                try await admin.apiOK(.POST, "/projects/locked/members", json: ["role_id": role, "member_user": ["username": user]])
                clients[user] = AccessClient(http: admin.http, account: .basic(user, Self.password))
            }
            let anonymous = AccessClient(http: admin.http, account: .anonymous)
            let base = "/projects/locked/immutabletagrules"
            #expect(try await clients["dev"]!.api(.POST, base, json: Self.rule(tags: "v*")).status == 403)
            #expect(try await clients["guest"]!.api(.GET, base).status == 403)
            #expect(try await anonymous.api(.GET, base).status == 401)
            #expect(try await clients["keeper"]!.api(.POST, base, json: Self.rule(tags: "v*")).status == 201)
            let created = try await clients["owner"]!.api(.POST, base, json: Self.rule(repositories: "team/**", tags: "release-*"))
            #expect(created.status == 201)
            let id = try #require(created.header("Location")?.split(separator: "/").last.map(String.init))
            #expect(try await clients["dev"]!.api(.PUT, "\(base)/\(id)", json: ["disabled": true]).status == 403)
            #expect(try await clients["dev"]!.api(.DELETE, "\(base)/\(id)").status == 403)
            #expect(try await clients["keeper"]!.api(.PUT, "\(base)/\(id)", json: ["disabled": true]).status == 200)
            #expect(try await clients["keeper"]!.api(.GET, base).jsonArray().count == 2)
            // The project's id works as well as its name (Harbor's X-Is-Resource-Name: false).
            let projectID = try #require(try await admin.api(.GET, "/projects/locked").json()["project_id"] as? Int)
            #expect(try await admin.api(.GET, "/projects/\(projectID)/immutabletagrules", headers: [("X-Is-Resource-Name", "false")]).jsonArray().count == 2)

            // Bad rules: each a 400 with a reason, nothing stored.
            var twoTags = Self.rule(tags: "a")
            twoTags["tag_selectors"] = [["pattern": "a"], ["pattern": "b"]]
            var noScope = Self.rule(tags: "a")
            noScope.removeValue(forKey: "scope_selectors")
            var otherScope = Self.rule(tags: "a")
            otherScope["scope_selectors"] = ["label": [["pattern": "x"]]]
            var hugePriority = Self.rule(tags: "a")
            hugePriority["priority"] = Int64.max
            var badAction = Self.rule(tags: "a")
            badAction["action"] = "retain"
            let bad: [(String, [String: Any])] = [
                ("unbalanced brace", Self.rule(tags: "{v")), ("unclosed bracket", Self.rule(repositories: "[a", tags: "v")),
                ("empty pattern", Self.rule(tags: " ")), ("unknown decoration", Self.rule(tags: "v", tagDecoration: "repoMatches")),
                ("unknown repository decoration", Self.rule(repositoryDecoration: "matches", tags: "v")),
                ("two tag selectors", twoTags), ("no repository selector", noScope), ("label scope", otherScope),
                ("priority beyond 32 bits", hugePriority), ("another action", badAction),
                ("pattern past 1024 characters", Self.rule(tags: String(repeating: "a", count: 1025))),
                ("brace expansion past its bound", Self.rule(tags: String(repeating: "{a,b}", count: 9))),
            ]
            for (why, body) in bad {
                let answer = try await admin.api(.POST, base, json: body)
                #expect(answer.status == 400 && answer.text.contains(#""code":"BAD_REQUEST""#), "\(why): \(answer.status) \(answer.text)")
            }
            let malformed = try await admin.http.request(.POST, "/api/v2.0" + base, headers: admin.account.authorization + [("Content-Type", "application/json")],
                                                         body: Array(#"{"tag_selectors": [{"pattern": "#.utf8))
            #expect(malformed.status == 400)
            #expect(try await admin.api(.GET, base).jsonArray().count == 2)
            // A rule equal to another is a conflict, on create and on update.
            #expect(try await admin.api(.POST, base, json: Self.rule(tags: "v*")).status == 409)
            #expect(try await admin.api(.POST, base, json: Self.rule(tags: " v* ")).status == 409, "patterns are stored trimmed")
            #expect(try await admin.api(.PUT, "\(base)/\(id)", json: Self.rule(tags: "v*")).status == 409)
            // Rules of another project, ids that do not exist or overflow: 404, never a crash.
            #expect(try await admin.api(.PUT, "/projects/elsewhere/immutabletagrules/\(id)", json: ["disabled": false]).status == 404)
            #expect(try await admin.api(.DELETE, "/projects/elsewhere/immutabletagrules/\(id)").status == 404)
            #expect(try await admin.api(.DELETE, "\(base)/99999999999999999999").status == 400)
            #expect(try await admin.api(.PUT, "\(base)/424242", json: ["disabled": true]).status == 404)
            #expect(try await admin.api(.GET, "/projects/nowhere/immutabletagrules").status == 404)
            // At most 15 rules in a project.
            for n in 3 ... 15 { #expect(try await admin.api(.POST, base, json: Self.rule(tags: "t\(n)")).status == 201) }
            let sixteenth = try await admin.api(.POST, base, json: Self.rule(tags: "t16"))
            #expect(sixteenth.status == 400 && sixteenth.text.contains("at most 15"), "\(sixteenth.text)")
            let page = try await admin.api(.GET, base + "?page=2&page_size=10")
            let pageItems = try page.jsonArray().count
            #expect(page.header("X-Total-Count") == "15" && pageItems == 5)
            _ = server
        }
    }

    @Test("Harbor's Python client (harborapi) creates, lists, toggles and deletes rules and reads the tags' immutable status")
    func harborClient() async throws {
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "locked"])
            let pushed = try await admin.pushImage("locked/app", tag: "v1", seed: 7)
            #expect(pushed.status == 201)
            #expect(try await admin.registry(.GET, "/v2/locked/app/manifests/v1").status == 200)
            try await admin.apiOK(.POST, "/projects/locked/repositories/app/artifacts/v1/tags", json: ["name": "latest"])
            let run = try await ProcessRunner.run(["python3", PortalTests.scripts + "/harbor_immutable.py", server.baseURL, BerthInstance.adminPassword],
                                                  timeout: 120)
            try #require(run.succeeded, "\(run.stderr.suffix(3000))")
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
            let locations = seen["locations"] as? [String] ?? []
            #expect(locations.count == 2 && locations.allSatisfy { $0.hasPrefix("/api/v2.0/projects/locked/immutabletagrules/") }, "\(locations)")
            let rules = seen["rules"] as? [[Any]] ?? []
            #expect(rules.map { $0.dropFirst().map { "\($0)" } } == [["0", "immutable", "immutable_template", "v*", "matches", "repoMatches"],
                                                                     ["0", "immutable", "immutable_template", "latest", "matches", "repoMatches"]],
                    "\(rules)")
            #expect(seen["tags_protected"] as? [String: Bool] == ["v1": true, "latest": true])
            let afterDisable = (seen["after_disable"] as? [[Any]] ?? []).map { $0.dropFirst().map { "\($0)" } }
            #expect(afterDisable == [["1", "v*"], ["0", "latest"]], "the toggle changes only the flag: \(afterDisable)")
            #expect(seen["tags_first_disabled"] as? [String: Bool] == ["v1": false, "latest": true])
            #expect((seen["after_delete"] as? [[Any]])?.count == 1)
            #expect(seen["tags_end"] as? [String: Bool] == ["v1": true, "latest": false])
        }
    }

    @Test("the portal's Tag immutability tab: maintainers add, disable, enable and delete rules with CSRF-checked forms, bad patterns get a sentence; developers see no tab; the artifact page marks immutable tags and offers no delete for them")
    func portal() async throws {
        try await PortalTests.withPortalClient { client in
            try await withSecuredServer { server, admin in
                let http = RegistryHTTP(base: server.baseURL, client: client)
                try await admin.apiOK(.POST, "/projects", json: ["project_name": "locked"])
                for (user, role) in [("keeper", 4), ("dev", 2)] {
                    try await admin.apiOK(.POST, "/users", json: ["username": user, "password": PortalTests.userPassword])
                    try await admin.apiOK(.POST, "/projects/locked/members", json: ["role_id": role, "member_user": ["username": user]])
                }
                let pushed = try await admin.pushImage("locked/app", tag: "v1", seed: 5)
                let keeper = try await PortalTests.session(http, "keeper", PortalTests.userPassword)
                let dev = try await PortalTests.session(http, "dev", PortalTests.userPassword)
                let tab = "/harbor/projects/locked/tag-immutability"
                func page(_ session: (cookie: (String, String), csrf: String)) async throws -> HTTPResult {
                    try await http.request(.GET, tab, headers: [session.cookie])
                }
                let empty = try await page(keeper)
                #expect(empty.status == 200 && empty.text.contains(#"id="empty""#) && empty.text.contains(#"id="rule-form""#))
                #expect(try await http.request(.GET, "/harbor/projects/locked/summary", headers: [keeper.cookie]).text.contains(tab))
                #expect(!(try await http.request(.GET, "/harbor/projects/locked/summary", headers: [dev.cookie]).text.contains(tab)))
                #expect(try await page(dev).status == 403)

                let form = "repository_decoration=repoMatches&repositories=%2A%2A&tag_decoration=matches&tags=v%2A"
                #expect(try await PortalTests.post(http, tab, form, as: dev).status == 403)
                #expect(try await PortalTests.post(http, tab, form, as: keeper, token: false).status == 403)
                let bad = try await PortalTests.post(http, tab, "repository_decoration=repoMatches&repositories=%2A%2A&tag_decoration=matches&tags=%7Bv", as: keeper)
                #expect(bad.status == 400 && bad.text.contains(#"id="problem""#) && bad.text.contains("is not a valid pattern"), "\(bad.text.prefix(400))")
                #expect(bad.text.contains(#"value="{v""#), "the refused form keeps what was typed")
                #expect(try await PortalTests.post(http, tab, form, as: keeper).status == 303)
                let duplicate = try await PortalTests.post(http, tab, form, as: keeper)
                #expect(duplicate.status == 409 && duplicate.text.contains("already has a rule"))
                let listed = try await page(keeper)
                #expect(listed.text.contains("matching **") && listed.text.contains("matching v*") && listed.text.contains("Enabled"))
                let ruleID = try #require(listed.text.range(of: #"id="disable-rule-[0-9]+""#, options: .regularExpression)
                    .map { String(listed.text[$0].dropFirst(#"id="disable-rule-"#.count).dropLast()) })

                // The artifact page marks v1 and offers neither its delete nor the artifact's.
                let artifactPage = "/harbor/projects/locked/repositories/app/artifacts-tab/artifacts/\(pushed.digest)"
                let marked = try await http.request(.GET, artifactPage, headers: [keeper.cookie])
                #expect(marked.status == 200 && marked.text.contains(#"id="immutable-v1""#) && !marked.text.contains(#"id="delete-artifact""#))
                #expect(try await admin.registry(.DELETE, "/v2/locked/app/manifests/v1").status == 412)
            #expect(try await admin.registry(.DELETE, "/v2/locked/app/manifests/v9").status == 404, "a missing tag is a 404 even where a rule would match")

                // Disabled: no mark, deletable; enabled again; deleted.
                #expect(try await PortalTests.post(http, "\(tab)/\(ruleID)/state", "enabled=false", as: keeper).status == 303)
                #expect(try await page(keeper).text.contains(#"id="enable-rule-\#(ruleID)""#))
                let free = try await http.request(.GET, artifactPage, headers: [keeper.cookie])
                #expect(!free.text.contains(#"id="immutable-v1""#) && free.text.contains(#"id="delete-artifact""#))
                #expect(try await PortalTests.post(http, "\(tab)/\(ruleID)/state", "enabled=true", as: keeper).status == 303)
                #expect(try await PortalTests.post(http, "\(tab)/\(ruleID)/state", "enabled=true", as: dev).status == 403)
                #expect(try await PortalTests.post(http, "\(tab)/\(ruleID)/delete", "", as: dev).status == 403)
                #expect(try await PortalTests.post(http, "\(tab)/99999999999999999999/delete", "", as: keeper).status == 404)
                #expect(try await PortalTests.post(http, "\(tab)/\(ruleID)/delete", "", as: keeper).status == 303)
                #expect(try await page(keeper).text.contains(#"id="empty""#))
                #expect(try await admin.registry(.DELETE, "/v2/locked/app/manifests/v1").status == 202)
            }
        }
    }
}
