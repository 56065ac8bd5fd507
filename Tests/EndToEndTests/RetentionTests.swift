import Foundation
import OCI
import Testing

/// Tag retention (Harbor's `/retentions`) against the real binary: a policy made through the API keeps what its rules
/// retain in the repositories they select and deletes the rest of what skopeo pushed — after a dry run that lists
/// exactly that — keeps artifacts with immutable tags, leaves unselected repositories alone, runs on its schedule,
/// and records who deleted what; developers read it, maintainers change and run it; bad policies are refused.
@Suite("Tag retention")
struct RetentionTests {
    static let password = "Secret-12345"

    static func rule(_ template: String, _ count: Int? = nil, repositories: String = "**", tags: String = "**", untagged: Bool = false,
                     tagDecoration: String = "matches") -> [String: Any] {
        ["action": "retain", "template": template, "disabled": false, "priority": 0,
         "params": count.map { [template: $0] } ?? [String: Any](),
         "tag_selectors": [["kind": "doublestar", "decoration": tagDecoration, "pattern": tags, "extras": "{\"untagged\":\(untagged)}"]],
         "scope_selectors": ["repository": [["kind": "doublestar", "decoration": "repoMatches", "pattern": repositories]]]]
    }

    static func policy(_ projectID: Int, _ rules: [[String: Any]], cron: String = "") -> [String: Any] {
        ["algorithm": "or", "rules": rules, "trigger": ["kind": "Schedule", "settings": ["cron": cron]], "scope": ["level": "project", "ref": projectID]]
    }

    /// Waits for a run to end; returns its JSON.
    static func finished(_ client: AccessClient, _ policy: String, _ execution: String) async throws -> [String: Any] {
        var found: [String: Any] = [:]
        _ = try await eventually(timeout: .seconds(30)) {
            found = try await client.api(.GET, "/retentions/\(policy)/executions").jsonArray().first { "\($0["id"] ?? "")" == execution } ?? [:]
            return (found["status"] as? String).map { $0 != "Running" } ?? false
        }
        return found
    }

    @Test("a dry run lists what the run then deletes of skopeo's pushes: the newest v* tags, latest and immutable tags stay, older tags and untagged artifacts go, other repositories are untouched; the schedule runs it; deleting the policy clears retention_id")
    func retention() async throws {
        let work = try TemporaryDirectory("retention")
        defer { work.remove() }
        var images: [OCILayoutWriter.Written] = []
        for n in 0 ..< 5 {
            let size = 1000 + n * 700
            images.append(try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("img\(n)"), tag: "v1", layerSizes: [size]) }))
        }
        try await withSecuredServer { server, admin in
            let creds = "admin:\(BerthInstance.adminPassword)"
            func push(_ image: Int, _ target: String) async throws {
                let run = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", creds, "oci:\(work.file("img\(image)")):v1",
                                                       "docker://\(server.hostPort)/\(target)"])
                #expect(run.succeeded, "\(run.stderr)")
            }
            func tags(_ repository: String) async throws -> [String: String] {
                var found: [String: String] = [:]
                for artifact in try await admin.api(.GET, "/projects/ci/repositories/\(repository)/artifacts?page_size=50").jsonArray() {
                    let tags = (artifact["tags"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                    found[tags.isEmpty ? "untagged" : tags.sorted().joined(separator: ",")] = artifact["digest"] as? String
                }
                return found
            }
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "ci"])
            for (user, role) in [("keeper", 4), ("dev", 2)] {
                try await admin.apiOK(.POST, "/users", json: ["username": user, "password": Self.password])
                try await admin.apiOK(.POST, "/projects/ci/members", json: ["role_id": role, "member_user": ["username": user]])
            }
            let keeper = AccessClient(http: admin.http, account: .basic("keeper", Self.password))
            let dev = AccessClient(http: admin.http, account: .basic("dev", Self.password))
            for (image, tag) in [(0, "v1"), (1, "v2"), (2, "v3"), (3, "v4"), (4, "latest")] { try await push(image, "ci/app:\(tag)") }
            try await push(0, "ci/keep:v1")
            // An untagged artifact: pushed with a tag that is then removed.
            let scratch = try await admin.pushImage("ci/app", tag: "scratch", seed: 99)
            try await admin.apiOK(.DELETE, "/projects/ci/repositories/app/artifacts/\(scratch.digest)/tags/scratch")
            try await admin.apiOK(.POST, "/projects/ci/immutabletagrules", json: ImmutableTagTests.rule(tags: "v1"))
            let before = try await tags("app")
            #expect(before.count == 6, "\(before)")

            let projectID = try #require(try await admin.api(.GET, "/projects/ci").json()["project_id"] as? Int)
            let body = Self.policy(projectID, [Self.rule("latestPushedK", 2, repositories: "app", tags: "v*"),
                                              Self.rule("always", repositories: "app", tags: "latest")])
            #expect(try await dev.api(.POST, "/retentions", json: body).status == 403)
            let created = try await keeper.api(.POST, "/retentions", json: body)
            #expect(created.status == 201)
            let policyID = try #require(created.header("Location")?.split(separator: "/").last.map(String.init))
            #expect((try await admin.api(.GET, "/projects/ci").json()["metadata"] as? [String: Any])?["retention_id"] as? String == policyID)
            let shown = try await dev.api(.GET, "/retentions/\(policyID)").json()
            #expect((shown["rules"] as? [[String: Any]])?.count == 2 && (shown["scope"] as? [String: Any])?["ref"] as? Int == projectID, "\(shown)")
            #expect(try await dev.api(.POST, "/retentions/\(policyID)/executions", json: ["dry_run": true]).status == 403)

            // The dry run deletes nothing and says what the run will do.
            let dry = try await keeper.api(.POST, "/retentions/\(policyID)/executions", json: ["dry_run": true])
            #expect(dry.status == 201)
            let dryID = try #require(dry.header("Location")?.split(separator: "/").last.map(String.init))
            let dryRun = try await Self.finished(keeper, policyID, dryID)
            #expect(dryRun["status"] as? String == "Succeed" && dryRun["dry_run"] as? Bool == true && dryRun["trigger"] as? String == "MANUAL", "\(dryRun)")
            let dryTasks = try await dev.api(.GET, "/retentions/\(policyID)/executions/\(dryID)/tasks").jsonArray()
            #expect(dryTasks.count == 1 && dryTasks.first?["repository"] as? String == "app", "only app is selected: \(dryTasks)")
            #expect(dryTasks.first?["total"] as? Int == 6 && dryTasks.first?["retained"] as? Int == 4, "\(dryTasks)")
            let taskID = "\(dryTasks.first?["id"] ?? "")"
            let dryLog = try await dev.api(.GET, "/retentions/\(policyID)/executions/\(dryID)/tasks/\(taskID)").text
            #expect(dryLog.contains("would delete \(before["v2"]!) (tags v2)") && dryLog.contains("would delete \(scratch.digest) (untagged)"), "\(dryLog)")
            #expect(dryLog.contains("retained \(before["v1"]!) (tags v1): tag v1 is immutable") && dryLog.contains("by rule 2"), "\(dryLog)")
            #expect(try await tags("app") == before)

            // The run deletes exactly that; keep is untouched; the deletions are recorded as retention's.
            let real = try await keeper.api(.POST, "/retentions/\(policyID)/executions", json: ["dry_run": false])
            let realID = try #require(real.header("Location")?.split(separator: "/").last.map(String.init))
            #expect(try await Self.finished(keeper, policyID, realID)["status"] as? String == "Succeed")
            #expect(Set(try await tags("app").keys) == ["v1", "v3", "v4", "latest"])
            #expect(Set(try await tags("keep").keys) == ["v1"])
            let gone = try await ProcessRunner.run(["skopeo", "inspect", "--tls-verify=false", "--creds", creds, "docker://\(server.hostPort)/ci/app:v2"])
            #expect(!gone.succeeded)
            #expect(try await ProcessRunner.run(["skopeo", "inspect", "--tls-verify=false", "--creds", creds, "docker://\(server.hostPort)/ci/app:v3"]).succeeded)
            let deletions = try await admin.api(.GET, "/projects/ci/logs?q=username%3Dretention&page_size=50").jsonArray()
            #expect(deletions.count == 2 && deletions.allSatisfy { $0["operation"] as? String == "delete" && $0["resource_type"] as? String == "artifact" },
                    "\(deletions)")
            #expect(try await keeper.api(.PATCH, "/retentions/\(policyID)/executions/\(realID)", json: ["action": "stop"]).status == 409)

            // On a schedule (every second here) runs come by themselves, marked SCHEDULE; without one they stop coming.
            try await keeper.apiOK(.PUT, "/retentions/\(policyID)", json: Self.policy(projectID, [Self.rule("always", repositories: "app")], cron: "* * * * * *"))
            #expect(try await eventually(timeout: .seconds(20)) {
                try await keeper.api(.GET, "/retentions/\(policyID)/executions").jsonArray().contains { $0["trigger"] as? String == "SCHEDULE" }
            })
            try await keeper.apiOK(.PUT, "/retentions/\(policyID)", json: Self.policy(projectID, [Self.rule("always", repositories: "app")]))
            try await Task.sleep(for: .seconds(2))
            let settled = try await keeper.api(.GET, "/retentions/\(policyID)/executions?page_size=100").jsonArray().count
            try await Task.sleep(for: .seconds(3))
            #expect(try await keeper.api(.GET, "/retentions/\(policyID)/executions?page_size=100").jsonArray().count == settled)

            #expect(try await dev.api(.DELETE, "/retentions/\(policyID)").status == 403)
            try await keeper.apiOK(.DELETE, "/retentions/\(policyID)")
            #expect(try await keeper.api(.GET, "/retentions/\(policyID)").status == 404)
            #expect((try await admin.api(.GET, "/projects/ci").json()["metadata"] as? [String: Any])?["retention_id"] == nil)
        }
    }

    @Test("bad policies are refused with Harbor's error JSON and store nothing; one policy per project; guests, strangers and anonymous callers are kept out")
    func badInputAndRoles() async throws {
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "ci"])
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "theirs"])
            try await admin.apiOK(.POST, "/users", json: ["username": "guest", "password": Self.password])
            try await admin.apiOK(.POST, "/projects/ci/members", json: ["role_id": 3, "member_user": ["username": "guest"]])
            let guest = AccessClient(http: admin.http, account: .basic("guest", Self.password))
            let anonymous = AccessClient(http: admin.http, account: .anonymous)
            let ci = try #require(try await admin.api(.GET, "/projects/ci").json()["project_id"] as? Int)
            let theirs = try #require(try await admin.api(.GET, "/projects/theirs").json()["project_id"] as? Int)

            var wrongScope = Self.policy(ci, [])
            wrongScope["scope"] = ["level": "system"]
            let bad: [(String, [String: Any])] = [
                ("unknown template", Self.policy(ci, [Self.rule("keepEverything", 3)])),
                ("missing count", Self.policy(ci, [Self.rule("latestPushedK")])),
                ("negative count", Self.policy(ci, [Self.rule("latestPushedK", -1)])),
                ("count past its bound", Self.policy(ci, [Self.rule("latestPushedK", 100_001)])),
                ("days past a century", Self.policy(ci, [Self.rule("nDaysSinceLastPush", 36_501)])),
                ("bad tag pattern", Self.policy(ci, [Self.rule("always", tags: "{v")])),
                ("bad repository pattern", Self.policy(ci, [Self.rule("always", repositories: "[a")])),
                ("bad decoration", Self.policy(ci, [Self.rule("always", tagDecoration: "repoMatches")])),
                ("sixteen rules", Self.policy(ci, (0 ..< 16).map { Self.rule("latestPushedK", $0) })),
                ("bad cron", Self.policy(ci, [Self.rule("always")], cron: "every day")),
                ("no scope", ["rules": [Self.rule("always")]]),
                ("system scope", wrongScope),
            ]
            for (why, body) in bad {
                let answer = try await admin.api(.POST, "/retentions", json: body)
                #expect(answer.status == 400 && answer.text.contains("BAD_REQUEST"), "\(why): \(answer.status) \(answer.text)")
            }
            var hugeCount = Self.rule("latestPushedK")
            hugeCount["params"] = ["latestPushedK": Double(1e300)]
            #expect(try await admin.api(.POST, "/retentions", json: Self.policy(ci, [hugeCount])).status == 400)
            #expect((try await admin.api(.GET, "/projects/ci").json()["metadata"] as? [String: Any])?["retention_id"] == nil, "nothing was stored")

            #expect(try await guest.api(.POST, "/retentions", json: Self.policy(ci, [Self.rule("always")])).status == 403)
            #expect(try await anonymous.api(.POST, "/retentions", json: Self.policy(ci, [Self.rule("always")])).status == 401)
            let created = try await admin.api(.POST, "/retentions", json: Self.policy(ci, [Self.rule("latestPushedK", 7)]))
            #expect(created.status == 201)
            let id = try #require(created.header("Location")?.split(separator: "/").last.map(String.init))
            #expect(try await admin.api(.POST, "/retentions", json: Self.policy(ci, [Self.rule("always")])).status == 409, "one policy per project")
            #expect(try await guest.api(.GET, "/retentions/\(id)").status == 403)
            #expect(try await anonymous.api(.GET, "/retentions/\(id)").status == 401)
            #expect(try await guest.api(.GET, "/retentions/metadatas").status == 200)
            let metadata = try await admin.api(.GET, "/retentions/metadatas").json()
            #expect((metadata["templates"] as? [[String: Any]])?.compactMap { $0["rule_template"] as? String }
                    == ["latestPushedK", "latestPulledN", "nDaysSinceLastPush", "nDaysSinceLastPull", "always"])
            #expect(try await anonymous.api(.GET, "/retentions/metadatas").status == 401)
            #expect(try await admin.api(.PUT, "/retentions/\(id)", json: Self.policy(theirs, [Self.rule("always")])).status == 400,
                    "a policy cannot be moved to another project")
            #expect(try await admin.api(.PUT, "/retentions/\(id)", json: Self.policy(ci, [Self.rule("always", tags: "{x")])).status == 400)
            #expect((try await admin.api(.GET, "/retentions/\(id)").json()["rules"] as? [[String: Any]])?.first?["template"] as? String == "latestPushedK")
            #expect(try await admin.api(.POST, "/retentions/\(id)/executions", json: ["dry_run": "yes"]).status == 400)
            #expect(try await admin.api(.PATCH, "/retentions/\(id)/executions/1", json: ["action": "stop"]).status == 404)
            #expect(try await admin.api(.PATCH, "/retentions/\(id)/executions/1", json: ["action": "pause"]).status == 400)
            #expect(try await admin.api(.GET, "/retentions/\(id)/executions/1/tasks").status == 404)
            #expect(try await admin.api(.GET, "/retentions/\(id)/executions/1/tasks/1").status == 404)
            #expect(try await admin.api(.GET, "/retentions/424242").status == 404)
            #expect(try await admin.api(.GET, "/retentions/99999999999999999999").status == 400)
            #expect(try await admin.api(.DELETE, "/retentions/424242").status == 404)

            // A project deleted with its policy: the policy's schedule stops with it.
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "gone"])
            let gone = try #require(try await admin.api(.GET, "/projects/gone").json()["project_id"] as? Int)
            #expect(try await admin.api(.POST, "/retentions", json: Self.policy(gone, [Self.rule("always")], cron: "* * * * * *")).status == 201)
            func retentionSchedules() async throws -> [Bool] {
                try await admin.api(.GET, "/schedules").jsonArray().filter { $0["vendor_type"] as? String == "retention" }.compactMap { $0["paused"] as? Bool }
            }
            #expect(try await retentionSchedules() == [false])
            try await admin.apiOK(.DELETE, "/projects/gone")
            #expect(try await eventually(timeout: .seconds(15)) { try await retentionSchedules() == [true] })
            _ = server
        }
    }

    @Test("Harbor's Python client (harborapi) finds the project's policy, reads the metadata, creates and updates a policy, runs a dry run and reads its tasks and log")
    func harborClient() async throws {
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "ci"])
            for seed in [UInt64(1), 2, 3] { #expect(try await admin.pushImage("ci/app", tag: "v\(seed)", seed: seed).status == 201) }
            let run = try await ProcessRunner.run(["python3", PortalTests.scripts + "/harbor_retention.py", server.baseURL, BerthInstance.adminPassword],
                                                  timeout: 120)
            try #require(run.succeeded, "\(run.stderr.suffix(3000))")
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
            #expect(seen["templates"] as? [String] == ["latestPushedK", "latestPulledN", "nDaysSinceLastPush", "nDaysSinceLastPull", "always"])
            #expect(seen["retention_id"] as? Int == seen["policy_id"] as? Int && seen["policy_id"] != nil, "\(seen)")
            #expect(seen["rule"] as? [String] == ["latestPushedK", "v*", "repoMatches"], "\(seen)")
            #expect(seen["updated_count"] as? Int == 2, "\(seen)")
            #expect(seen["execution"] as? [String] == ["Succeed", "True"], "\(seen)")
            #expect(seen["task"] as? [Int] == [3, 2], "\(seen)")
            #expect((seen["log"] as? String)?.contains("would delete") == true, "\(seen)")
        }
    }

    @Test("the portal's Tag retention tab: maintainers add rules (a bad one refused in words), set the schedule, dry-run and run the policy and read each repository's log; developers only read")
    func portal() async throws {
        try await PortalTests.withPortalClient { client in
            try await withSecuredServer { server, admin in
                let http = RegistryHTTP(base: server.baseURL, client: client)
                try await admin.apiOK(.POST, "/projects", json: ["project_name": "ci"])
                for (user, role) in [("keeper", 4), ("dev", 2)] {
                    try await admin.apiOK(.POST, "/users", json: ["username": user, "password": PortalTests.userPassword])
                    try await admin.apiOK(.POST, "/projects/ci/members", json: ["role_id": role, "member_user": ["username": user]])
                }
                var pushed: [Digest] = []
                for seed in [UInt64(1), 2, 3] { pushed.append(try await admin.pushImage("ci/app", tag: "v\(seed)", seed: seed).digest) }
                let keeper = try await PortalTests.session(http, "keeper", PortalTests.userPassword)
                let dev = try await PortalTests.session(http, "dev", PortalTests.userPassword)
                let tab = "/harbor/projects/ci/tag-retention"
                let empty = try await http.request(.GET, tab, headers: [keeper.cookie])
                #expect(empty.status == 200 && empty.text.contains(#"id="no-rules""#) && empty.text.contains(#"id="retention-rule-form""#))
                #expect(!empty.text.contains(#"id="retention-dry-run""#), "nothing to run before the first rule")
                let devView = try await http.request(.GET, tab, headers: [dev.cookie])
                #expect(devView.status == 200 && !devView.text.contains(#"id="retention-rule-form""#))

                let rule = "repository_decoration=repoMatches&repositories=%2A%2A&template=latestPushedK&count=1&tag_decoration=matches&tags=v%2A"
                #expect(try await PortalTests.post(http, "\(tab)/rules", rule, as: dev).status == 403)
                #expect(try await PortalTests.post(http, "\(tab)/rules", rule, as: keeper, token: false).status == 403)
                let bad = try await PortalTests.post(http, "\(tab)/rules", rule.replacingOccurrences(of: "count=1", with: "count=lots"), as: keeper)
                #expect(bad.status == 400 && bad.text.contains("Enter how many artifacts or days"), "\(bad.text.prefix(300))")
                let badPattern = try await PortalTests.post(http, "\(tab)/rules", rule.replacingOccurrences(of: "tags=v%2A", with: "tags=%7Bv"), as: keeper)
                #expect(badPattern.status == 400 && badPattern.text.contains("not a valid pattern"))
                #expect(try await PortalTests.post(http, "\(tab)/rules", rule, as: keeper).status == 303)
                let listed = try await http.request(.GET, tab, headers: [keeper.cookie])
                #expect(listed.text.contains("For the repositories matching **, retain the most recently pushed 1 artifacts with tags matching v*"),
                        "\(listed.text)")
                #expect(try await PortalTests.post(http, "\(tab)/schedule", "schedule=custom&cron=often", as: keeper).status == 400)
                #expect(try await PortalTests.post(http, "\(tab)/schedule", "schedule=daily", as: keeper).status == 303)
                #expect(try await http.request(.GET, tab, headers: [keeper.cookie]).text.contains("0 0 0 * * *"))
                #expect(try await PortalTests.post(http, "\(tab)/schedule", "schedule=none", as: keeper).status == 303)

                // A dry run, followed on its page; then the run.
                let dry = try await PortalTests.post(http, "\(tab)/run", "dry_run=true", as: keeper)
                let dryPage = try #require(dry.header("Location"))
                #expect(dry.status == 303 && dryPage.hasPrefix("\(tab)/executions/"))
                var page = HTTPResult(status: 0, headers: [:], body: [])
                #expect(try await eventually(timeout: .seconds(20)) {
                    page = try await http.request(.GET, dryPage, headers: [dev.cookie])
                    return page.text.contains(#"id="retention-run-status">Succeed"#)
                }, "\(page.text)")
                #expect(page.text.contains("would delete \(pushed[0])") && page.text.contains("retained \(pushed[2])") && page.text.contains("1 of 3 artifacts retained"))
                #expect(try await PortalTests.post(http, "\(tab)/run", "dry_run=false", as: dev).status == 403)
                let real = try #require(try await PortalTests.post(http, "\(tab)/run", "dry_run=false", as: keeper).header("Location"))
                #expect(try await eventually(timeout: .seconds(20)) {
                    try await http.request(.GET, real, headers: [keeper.cookie]).text.contains(#"id="retention-run-status">Succeed"#)
                })
                #expect(try await admin.registry(.GET, "/v2/ci/app/manifests/v1").status == 404)
                #expect(try await admin.registry(.GET, "/v2/ci/app/manifests/v3").status == 200)
                let runs = try await http.request(.GET, tab, headers: [keeper.cookie])
                #expect(runs.text.contains("Dry run") && runs.text.contains(#"id="retention-runs""#))

                #expect(try await PortalTests.post(http, "\(tab)/rules/1/state", "enabled=false", as: keeper).status == 303)
                #expect(try await http.request(.GET, tab, headers: [keeper.cookie]).text.contains(#"id="enable-retention-rule-1""#))
                #expect(try await PortalTests.post(http, "\(tab)/rules/7/delete", "", as: keeper).status == 404)
                #expect(try await PortalTests.post(http, "\(tab)/rules/1/delete", "", as: dev).status == 403)
                #expect(try await PortalTests.post(http, "\(tab)/rules/1/delete", "", as: keeper).status == 303)
                #expect(try await http.request(.GET, tab, headers: [keeper.cookie]).text.contains(#"id="no-rules""#))
            }
        }
    }
}
