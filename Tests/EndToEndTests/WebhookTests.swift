import Foundation
import OCI
import Testing

/// Harbor's webhooks end to end: policies through the API, real receivers (Python's `http.server`) getting Default,
/// CloudEvents and Slack payloads for skopeo's push, pull and delete, retries and failures visible as executions,
/// tasks and logs, deliveries that survive a crash, and exactly one delivery per push from three instances.
@Suite("Webhooks")
struct WebhookTests {
    static func policy(_ name: String, events: [String], targets: [[String: Any]]) -> [String: Any] {
        ["name": name, "enabled": true, "event_types": events, "targets": targets]
    }

    static func http(_ address: String, format: String = "Default", auth: String? = nil) -> [String: Any] {
        var target: [String: Any] = ["type": "http", "address": address, "payload_format": format, "skip_cert_verify": false]
        if let auth { target["auth_header"] = auth }
        return target
    }

    /// The id of the policy called `name` in `project`.
    static func policyID(_ admin: AccessClient, _ project: String, _ name: String) async throws -> Int {
        let policies = try await admin.api(.GET, "/projects/\(project)/webhook/policies").jsonArray()
        guard let id = policies.first(where: { $0["name"] as? String == name })?["id"] as? Int else { throw TestFailure("no policy \(name)") }
        return id
    }

    @Test("skopeo push, pull and delete reach http receivers as Default and CloudEvents payloads and a Slack receiver as a message")
    func payloads() async throws {
        let work = try TemporaryDirectory("webhook-payloads")
        defer { work.remove() }
        let receiver = try await WebhookReceiver.start()
        defer { receiver.stop() }
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "hooks"])
            let projectID = try #require((try await admin.apiOK(.GET, "/projects/hooks") as? [String: Any])?["project_id"] as? Int)
            let events = ["PUSH_ARTIFACT", "PULL_ARTIFACT", "DELETE_ARTIFACT"]
            try await admin.apiOK(.POST, "/projects/hooks/webhook/policies", json: Self.policy("everything", events: events, targets: [
                Self.http("\(receiver.url)/ok/default", auth: "Bearer hook-secret"),
                Self.http("\(receiver.url)/ok/cloud", format: "CloudEvents"),
                ["type": "slack", "address": "\(receiver.url)/ok/slack"],
            ]))
            let policyID = try await Self.policyID(admin, "hooks", "everything")

            let layout = try OCILayoutWriter.write(to: work.file("in"), tag: "v1", layerSizes: [40_000])
            let image = "docker://\(server.hostPort)/hooks/app:v1"
            let creds = "admin:\(BerthInstance.adminPassword)"
            let push = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", creds, "oci:\(work.file("in")):v1", image])
            #expect(push.succeeded, "\(push.stderr)")
            let pull = try await ProcessRunner.run(["skopeo", "inspect", "--tls-verify=false", "--creds", creds, "--raw", image])
            #expect(pull.succeeded, "\(pull.stderr)")
            let delete = try await ProcessRunner.run(["skopeo", "delete", "--tls-verify=false", "--creds", creds, image])
            #expect(delete.succeeded, "\(delete.stderr)")

            func types(_ prefix: String) -> Set<String> {
                Set(receiver.deliveries(under: prefix).compactMap { ($0.body["type"] as? String) })
            }
            #expect(try await eventually(timeout: .seconds(20)) {
                types("/ok/default").isSuperset(of: events) && types("/ok/cloud").count >= 3 && receiver.deliveries(under: "/ok/slack").count >= 3
            }, "\(receiver.deliveries().map(\.path))")

            let digest = layout.topDigest.description
            let pushed = try #require(receiver.deliveries(under: "/ok/default").first { $0.body["type"] as? String == "PUSH_ARTIFACT" })
            #expect(pushed.headers["Authorization"] == "Bearer hook-secret")
            #expect(pushed.headers["Content-Type"] == "application/json")
            #expect(pushed.body["operator"] as? String == "admin")
            #expect(abs(Double(pushed.body["occur_at"] as? Int ?? 0) - Date().timeIntervalSince1970) < 120)
            let data = try #require(pushed.body["event_data"] as? [String: Any])
            let resource = try #require((data["resources"] as? [[String: Any]])?.first)
            #expect(resource["digest"] as? String == digest && resource["tag"] as? String == "v1")
            #expect(resource["resource_url"] as? String == "\(server.hostPort)/hooks/app:v1")
            let repository = try #require(data["repository"] as? [String: Any])
            #expect(repository["name"] as? String == "app" && repository["namespace"] as? String == "hooks")
            #expect(repository["repo_full_name"] as? String == "hooks/app" && repository["repo_type"] as? String == "private")
            #expect(repository["date_created"] as? Int != nil)
            let deleted = try #require(receiver.deliveries(under: "/ok/default").first { $0.body["type"] as? String == "DELETE_ARTIFACT" })
            #expect(((deleted.body["event_data"] as? [String: Any])?["resources"] as? [[String: Any]])?.first?["digest"] as? String == digest)

            let cloud = receiver.deliveries(under: "/ok/cloud")
            let cloudPush = try #require(cloud.first { $0.body["type"] as? String == "harbor.artifact.pushed" })
            #expect(cloudPush.headers["Content-Type"] == "application/cloudevents+json")
            #expect(cloudPush.headers["Authorization"] == nil, "no auth header was configured for this target")
            #expect(cloudPush.body["specversion"] as? String == "1.0" && cloudPush.body["datacontenttype"] as? String == "application/json")
            #expect(cloudPush.body["source"] as? String == "/projects/\(projectID)/webhook/policies/\(policyID)")
            #expect(cloudPush.body["operator"] as? String == "admin" && (cloudPush.body["time"] as? String)?.hasSuffix("Z") == true)
            #expect(((cloudPush.body["data"] as? [String: Any])?["resources"] as? [[String: Any]])?.first?["resource_url"] as? String
                    == "\(server.hostPort)/hooks/app:v1")
            #expect(Set(cloud.compactMap { $0.body["type"] as? String }).isSuperset(of: ["harbor.artifact.pushed", "harbor.artifact.pulled",
                                                                                          "harbor.artifact.deleted"]))
            let ids = cloud.compactMap { $0.body["id"] as? String }
            #expect(Set(ids).count == ids.count, "each event has its own id")

            let slack = try #require(receiver.deliveries(under: "/ok/slack").first)
            let blocks = try #require(slack.body["blocks"] as? [[String: Any]])
            let text = blocks.compactMap { ($0["text"] as? [String: Any])?["text"] as? String }.joined(separator: "\n")
            #expect(text.contains("Harbor webhook events") && text.contains("operator:* admin") && text.contains("hooks/app"), "\(text)")

            // What the API shows: one execution per event, each with three delivered tasks and their logs.
            var executions: [[String: Any]] = []
            #expect(try await eventually {
                executions = try await admin.api(.GET, "/projects/hooks/webhook/policies/\(policyID)/executions?page_size=50").jsonArray()
                return executions.count >= 3 && executions.allSatisfy { $0["status"] as? String == "Success" }
            }, "\(executions)")
            let execution = try #require(executions.first)
            #expect(execution["vendor_type"] as? String == "WEBHOOK" && execution["vendor_id"] as? Int == policyID && execution["trigger"] as? String == "EVENT")
            #expect((execution["metrics"] as? [String: Any])?["success_task_count"] as? Int == 3)
            let executionID = try #require(execution["id"] as? Int)
            let tasks = try await admin.api(.GET, "/projects/hooks/webhook/policies/\(policyID)/executions/\(executionID)/tasks").jsonArray()
            #expect(tasks.count == 3 && tasks.allSatisfy { $0["status"] as? String == "Success" && $0["run_count"] as? Int == 1 })
            let taskID = try #require(tasks.first?["id"] as? Int)
            let log = try await admin.api(.GET, "/projects/hooks/webhook/policies/\(policyID)/executions/\(executionID)/tasks/\(taskID)/log")
            #expect(log.status == 200 && log.text.contains("-> 200") && !log.text.contains("hook-secret"), "\(log.text)")
            let triggers = try await admin.api(.GET, "/projects/hooks/webhook/lasttrigger").jsonArray()
            #expect(Set(triggers.compactMap { $0["event_type"] as? String }) == Set(events))
            #expect(triggers.allSatisfy { ($0["last_trigger_time"] as? String)?.hasPrefix("0001") == false }, "\(triggers)")
            let supported = try await admin.api(.GET, "/projects/hooks/webhook/events").json()
            #expect((supported["event_type"] as? [String])?.contains("SCANNING_COMPLETED") == true)
            #expect((supported["notify_type"] as? [String]) == ["http", "slack"])
        }
    }

    @Test("a receiver failing twice is retried until it answers; one that never answers ends as a failed task with its log; slow receivers do not slow pushes",
          arguments: ["sqlite", "postgres"])
    func retriesAndFailures(_ database: String) async throws {
        let receiver = try await WebhookReceiver.start()
        defer { receiver.stop() }
        let postgres = database == "postgres" ? try await TestPostgresDatabase.create() : nil
        defer { if let postgres { Task { await postgres.drop() } } }
        var environment = ["BERTH_WEBHOOK_TIMEOUT_SECONDS": "1", "BERTH_WEBHOOK_MAX_ATTEMPTS": "3"]
        if let postgres { environment["BERTH_DATABASE"] = postgres.url }
        try await withSecuredServer(environment: environment) { _, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "hooks"])
            // Ten pushes without a policy, then ten with one whose receivers take 2 s or never answer.
            var clock = ContinuousClock.now
            for n in 0 ..< 10 { #expect(try await admin.pushImage("hooks/before", tag: "v\(n)", seed: UInt64(100 + n)).status == 201) }
            let without = ContinuousClock.now - clock
            try await admin.apiOK(.POST, "/projects/hooks/webhook/policies", json: Self.policy("slow", events: ["PUSH_ARTIFACT"], targets: [
                Self.http("\(receiver.url)/slow/a"), Self.http("\(receiver.url)/never/a"),
            ]))
            clock = ContinuousClock.now
            for n in 0 ..< 10 { #expect(try await admin.pushImage("hooks/after", tag: "v\(n)", seed: UInt64(200 + n)).status == 201) }
            let with = ContinuousClock.now - clock
            print("ten pushes: \(without) without a webhook policy, \(with) with a slow and a silent receiver")
            #expect(with < without * 2 + .seconds(1), "pushes waited for webhook receivers: \(with) against \(without)")
            try await admin.apiOK(.DELETE, "/projects/hooks/webhook/policies/\(try await Self.policyID(admin, "hooks", "slow"))")

            try await admin.apiOK(.POST, "/projects/hooks/webhook/policies", json: Self.policy("flaky", events: ["PUSH_ARTIFACT"], targets: [
                Self.http("\(receiver.url)/flaky/b"), Self.http("\(receiver.url)/never/b"),
            ]))
            let policyID = try await Self.policyID(admin, "hooks", "flaky")
            #expect(try await admin.pushImage("hooks/app", tag: "v1", seed: 1).status == 201)

            var tasks: [[String: Any]] = []
            #expect(try await eventually(timeout: .seconds(40)) {
                let executions = try await admin.api(.GET, "/projects/hooks/webhook/policies/\(policyID)/executions").jsonArray()
                guard let id = executions.first?["id"] as? Int else { return false }
                tasks = try await admin.api(.GET, "/projects/hooks/webhook/policies/\(policyID)/executions/\(id)/tasks").jsonArray()
                return tasks.count == 2 && tasks.allSatisfy { ["Success", "Error"].contains($0["status"] as? String ?? "") }
            }, "\(tasks)")
            let executions = try await admin.api(.GET, "/projects/hooks/webhook/policies/\(policyID)/executions").jsonArray()
            let execution = try #require(executions.first)
            #expect(execution["status"] as? String == "Error", "one task failed, so the execution did")
            let executionID = try #require(execution["id"] as? Int)
            func task(_ path: String) -> [String: Any]? {
                tasks.first { (($0["extra_attrs"] as? [String: Any])?["address"] as? String)?.hasSuffix(path) == true }
            }
            let flaky = try #require(task("/flaky/b")), silent = try #require(task("/never/b"))
            #expect(flaky["status"] as? String == "Success" && flaky["run_count"] as? Int == 3)
            #expect(silent["status"] as? String == "Error" && silent["run_count"] as? Int == 3)
            #expect(receiver.deliveries(under: "/flaky/b").count == 3)
            let flakyLog = try await admin.api(.GET, "/projects/hooks/webhook/policies/\(policyID)/executions/\(executionID)/tasks/\(flaky["id"] as? Int ?? 0)/log").text
            #expect(flakyLog.components(separatedBy: "-> 500").count == 3 && flakyLog.contains("-> 200"), "\(flakyLog)")
            let silentLog = try await admin.api(.GET, "/projects/hooks/webhook/policies/\(policyID)/executions/\(executionID)/tasks/\(silent["id"] as? Int ?? 0)/log").text
            #expect(silentLog.contains("no answer within the timeout") && silentLog.contains("giving up"), "\(silentLog)")
        }
    }

    @Test("an HTTPS receiver with a certificate Berth does not trust gets notifications only from targets that skip verification")
    func certificateVerification() async throws {
        let chain = try await TestTLS.opensslChain()
        defer { chain.directory.remove() }
        let receiver = try await WebhookReceiver.start(certificate: (chain.chain, chain.key))
        defer { receiver.stop() }
        try await withSecuredServer(environment: ["BERTH_WEBHOOK_MAX_ATTEMPTS": "1"]) { _, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "hooks"])
            var skipping = Self.http("\(receiver.url)/ok/skip")
            skipping["skip_cert_verify"] = true
            try await admin.apiOK(.POST, "/projects/hooks/webhook/policies", json: Self.policy("tls", events: ["PUSH_ARTIFACT"], targets: [
                skipping, Self.http("\(receiver.url)/ok/verify"),
            ]))
            let policyID = try await Self.policyID(admin, "hooks", "tls")
            #expect(try await admin.pushImage("hooks/app", tag: "v1", seed: 9).status == 201)
            var tasks: [[String: Any]] = []
            #expect(try await eventually(timeout: .seconds(20)) {
                guard let execution = try await admin.api(.GET, "/projects/hooks/webhook/policies/\(policyID)/executions").jsonArray().first,
                      let id = execution["id"] as? Int else { return false }
                tasks = try await admin.api(.GET, "/projects/hooks/webhook/policies/\(policyID)/executions/\(id)/tasks").jsonArray()
                return tasks.count == 2 && tasks.allSatisfy { ["Success", "Error"].contains($0["status"] as? String ?? "") }
            }, "\(tasks)")
            let byPath = Dictionary(uniqueKeysWithValues: tasks.compactMap { task -> (String, String)? in
                guard let address = (task["extra_attrs"] as? [String: Any])?["address"] as? String else { return nil }
                return (String(address.split(separator: "/").suffix(2).joined(separator: "/")), task["status"] as? String ?? "")
            })
            #expect(byPath["ok/skip"] == "Success" && byPath["ok/verify"] == "Error", "\(byPath)")
            #expect(receiver.deliveries(under: "/ok/skip").count == 1 && receiver.deliveries(under: "/ok/verify").isEmpty)
        }
    }

    @Test("bad policies get Harbor's error JSON and store nothing; maintainers read policies, only project admins change them")
    func validationAndRoles() async throws {
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "hooks"])
            for (user, role) in [("mia", 4), ("dev", 2)] {
                try await admin.apiOK(.POST, "/users", json: ["username": user, "password": "Secret-12345"])
                try await admin.apiOK(.POST, "/projects/hooks/members", json: ["role_id": role, "member_user": ["username": user]])
            }
            let good = Self.http("http://127.0.0.1:9/hook")
            let bad: [(String, [String: Any])] = [
                ("ftp target type", Self.policy("p", events: ["PUSH_ARTIFACT"], targets: [["type": "ftp", "address": "http://127.0.0.1:9/"]])),
                ("address not a URL", Self.policy("p", events: ["PUSH_ARTIFACT"], targets: [Self.http("not a url")])),
                ("ftp address", Self.policy("p", events: ["PUSH_ARTIFACT"], targets: [Self.http("ftp://127.0.0.1/x")])),
                ("unknown payload format", Self.policy("p", events: ["PUSH_ARTIFACT"], targets: [Self.http("http://127.0.0.1:9/", format: "XML")])),
                ("unknown event type", Self.policy("p", events: ["PUSH_ARTIFACT", "NOPE"], targets: [good])),
                ("no event types", Self.policy("p", events: [], targets: [good])),
                ("no targets", Self.policy("p", events: ["PUSH_ARTIFACT"], targets: [])),
                ("auth header with a line break", Self.policy("p", events: ["PUSH_ARTIFACT"], targets: [Self.http("http://127.0.0.1:9/", auth: "a\r\nX-Evil: 1")])),
                ("no name", Self.policy("", events: ["PUSH_ARTIFACT"], targets: [good])),
            ]
            for (what, body) in bad {
                let response = try await admin.api(.POST, "/projects/hooks/webhook/policies", json: body)
                #expect(response.status == 400, "\(what): \(response.status) \(response.text)")
                #expect(((try? response.json())?["errors"] as? [[String: Any]])?.first?["code"] as? String == "BAD_REQUEST", "\(what)")
            }
            let malformed = try await admin.http.request(.POST, "/api/v2.0/projects/hooks/webhook/policies",
                                                         headers: admin.account.authorization + [("Content-Type", "application/json")], body: Array("{\"name\":".utf8))
            #expect(malformed.status == 400)
            #expect(try await admin.api(.GET, "/projects/hooks/webhook/policies").jsonArray().isEmpty, "nothing was stored")

            try await admin.apiOK(.POST, "/projects/hooks/webhook/policies", json: Self.policy("p", events: ["PUSH_ARTIFACT"], targets: [good]))
            #expect(try await admin.api(.POST, "/projects/hooks/webhook/policies", json: Self.policy("p", events: ["PULL_ARTIFACT"], targets: [good])).status == 409)
            let id = try await Self.policyID(admin, "hooks", "p")
            // An update that breaks the policy changes nothing.
            #expect(try await admin.api(.PUT, "/projects/hooks/webhook/policies/\(id)", json: ["event_types": ["NOPE"]]).status == 400)
            try await admin.apiOK(.PUT, "/projects/hooks/webhook/policies/\(id)", json: ["enabled": false, "event_types": ["PULL_ARTIFACT"]])
            let updated = try await admin.api(.GET, "/projects/hooks/webhook/policies/\(id)").json()
            #expect(updated["enabled"] as? Bool == false && updated["event_types"] as? [String] == ["PULL_ARTIFACT"])
            #expect((updated["targets"] as? [[String: Any]])?.first?["address"] as? String == "http://127.0.0.1:9/hook", "targets kept")

            let maintainer = AccessClient(http: admin.http, account: .basic("mia", "Secret-12345"))
            let developer = AccessClient(http: admin.http, account: .basic("dev", "Secret-12345"))
            let anonymous = AccessClient(http: admin.http, account: .anonymous)
            #expect(try await maintainer.api(.GET, "/projects/hooks/webhook/policies").status == 200)
            try await admin.apiOK(.PUT, "/projects/hooks/webhook/policies/\(id)", json: ["targets": [Self.http("http://127.0.0.1:9/hook", auth: "Bearer s3cret")]])
            let seenByMaintainer = try await maintainer.api(.GET, "/projects/hooks/webhook/policies/\(id)").json()
            let seenByAdmin = try await admin.api(.GET, "/projects/hooks/webhook/policies/\(id)").json()
            #expect((seenByMaintainer["targets"] as? [[String: Any]])?.first?["auth_header"] as? String == "******", "maintainers do not see secrets")
            #expect((seenByAdmin["targets"] as? [[String: Any]])?.first?["auth_header"] as? String == "Bearer s3cret")
            #expect(try await maintainer.api(.GET, "/projects/hooks/webhook/policies/\(id)/executions").status == 200)
            #expect(try await maintainer.api(.POST, "/projects/hooks/webhook/policies", json: Self.policy("m", events: ["PUSH_ARTIFACT"], targets: [good])).status == 403)
            #expect(try await maintainer.api(.PUT, "/projects/hooks/webhook/policies/\(id)", json: ["enabled": true]).status == 403)
            #expect(try await maintainer.api(.DELETE, "/projects/hooks/webhook/policies/\(id)").status == 403)
            #expect(try await developer.api(.GET, "/projects/hooks/webhook/policies").status == 403)
            #expect(try await anonymous.api(.GET, "/projects/hooks/webhook/policies").status == 401)
            #expect(try await admin.api(.GET, "/projects/hooks/webhook/policies/999999").status == 404)
            try await admin.apiOK(.DELETE, "/projects/hooks/webhook/policies/\(id)")
            #expect(try await admin.api(.GET, "/projects/hooks/webhook/policies/\(id)").status == 404)
            _ = server
        }
    }

    @Test("old executions are swept: a policy keeps its newest webhooks.keepExecutions ended ones, and running ones stay",
          arguments: ["sqlite", "postgres"])
    func sweep(_ database: String) async throws {
        let receiver = try await WebhookReceiver.start()
        defer { receiver.stop() }
        let postgres = database == "postgres" ? try await TestPostgresDatabase.create() : nil
        defer { if let postgres { Task { await postgres.drop() } } }
        var environment = ["BERTH_WEBHOOK_KEEP_EXECUTIONS": "3", "BERTH_WEBHOOK_SWEEP_INTERVAL_SECONDS": "1",
                           "BERTH_WEBHOOK_TIMEOUT_SECONDS": "1", "BERTH_WEBHOOK_MAX_ATTEMPTS": "6"]
        if let postgres { environment["BERTH_DATABASE"] = postgres.url }
        try await withSecuredServer(environment: environment) { _, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "swept"])
            try await admin.apiOK(.POST, "/projects/swept/webhook/policies", json: Self.policy("answered", events: ["PUSH_ARTIFACT"], targets: [Self.http("\(receiver.url)/ok/swept")]))
            // A receiver that never answers keeps its executions running for more than half a minute (1 s timeouts, 6 attempts).
            try await admin.apiOK(.POST, "/projects/swept/webhook/policies", json: Self.policy("stuck", events: ["PUSH_ARTIFACT"], targets: [Self.http("\(receiver.url)/never/swept")]))
            let answered = try await Self.policyID(admin, "swept", "answered"), stuck = try await Self.policyID(admin, "swept", "stuck")
            func executions(_ policy: Int) async throws -> [Int] {
                try await admin.api(.GET, "/projects/swept/webhook/policies/\(policy)/executions?page_size=100").jsonArray().compactMap { $0["id"] as? Int }
            }
            #expect(try await admin.pushImage("swept/app", tag: "v0", seed: 300).status == 201)
            #expect(try await eventually(timeout: .seconds(30)) { try await executions(answered).count == 1 })
            let first = try #require(try await executions(answered).first)
            for n in 1 ..< 6 { #expect(try await admin.pushImage("swept/app", tag: "v\(n)", seed: UInt64(300 + n)).status == 201) }
            #expect(try await eventually(timeout: .seconds(30)) { receiver.deliveries(under: "/ok/swept").count == 6 })
            var kept: [Int] = []
            #expect(try await eventually(timeout: .seconds(30)) {
                kept = try await executions(answered)
                return kept.count == 3
            }, "\(kept)")
            #expect(!kept.contains(first) && kept.allSatisfy { $0 > first }, "the newest three stay: \(kept), the first was \(first)")
            let gone = try await admin.api(.GET, "/projects/swept/webhook/policies/\(answered)/executions/\(first)/tasks")
            #expect(gone.status == 404, "a swept execution's tasks are gone with it")
            let running = try await executions(stuck)
            #expect(running.count == 6, "executions still running are never swept: \(running)")
        }
    }

    /// When the kill lands in `deliveredAfterCrash`.
    enum KillMoment: String, CustomTestStringConvertible, CaseIterable {
        /// Right after the push was acknowledged: the event may be in the outbox, its delivery job queued or running,
        /// or (on a slow machine) even answered and recorded already.
        case afterPush
        /// While the receiver holds the notification's request unanswered: the delivery job is leased by the instance
        /// that dies, and the next instance must take it over once the lease runs out and send it again.
        case requestInFlight
        var testDescription: String { rawValue }
    }

    @Test("an event recorded just before Berth is killed is delivered after the restart", arguments: KillMoment.allCases)
    func deliveredAfterCrash(_ moment: KillMoment) async throws {
        let receiver = try await WebhookReceiver.start()
        defer { receiver.stop() }
        let data = try TemporaryDirectory("webhook-crash")
        defer { data.remove() }
        // A long timeout, so the held request cannot end (and be retried) before the kill, however slow the machine.
        let environment = ["BERTH_WEBHOOK_TIMEOUT_SECONDS": "300"]
        var server = try await BerthInstance.start(dataDirectory: data.path, authentication: true, environment: environment)
        var admin = AccessClient(http: RegistryHTTP(base: server.baseURL), account: .basic("admin", BerthInstance.adminPassword))
        // `/slow/` answers after two seconds; `/hold-first/` never answers the first request, and at once after it.
        let path = moment == .afterPush ? "/slow/crash" : "/hold-first/crash"
        try await admin.apiOK(.POST, "/projects/library/webhook/policies", json: Self.policy("crash", events: ["PUSH_ARTIFACT"], targets: [Self.http(receiver.url + path)]))
        let policyID = try await Self.policyID(admin, "library", "crash")
        #expect(try await admin.pushImage("library/app", tag: "crash", seed: 1).status == 201)
        if moment == .requestInFlight {
            #expect(try await eventually(timeout: .seconds(60)) { receiver.deliveries(under: path).count == 1 }, "the first request reaches the receiver")
        }
        await server.kill()
        let killedAt = Date().timeIntervalSince1970
        server = try await BerthInstance.start(dataDirectory: data.path, authentication: true, environment: environment)
        admin = AccessClient(http: RegistryHTTP(base: server.baseURL), account: .basic("admin", BerthInstance.adminPassword))
        // At least once: whatever the killed instance had done, the notification's task ends delivered — answered 2xx by
        // the receiver, which only a request that got through can give. A delivery job leased by the killed instance is
        // taken over when its lease (60 s) runs out; on a CI machine busy with the whole suite that took up to 90 s.
        var tasks: [[String: Any]] = []
        #expect(try await eventually(timeout: .seconds(180)) {
            let executions = try await admin.api(.GET, "/projects/library/webhook/policies/\(policyID)/executions").jsonArray()
            guard executions.count == 1, let id = executions.first?["id"] as? Int else { return false }
            tasks = try await admin.api(.GET, "/projects/library/webhook/policies/\(policyID)/executions/\(id)/tasks").jsonArray()
            return tasks.count == 1 && tasks.first?["status"] as? String == "Success"
        }, "one execution whose task ends delivered: \(tasks)")
        let received = receiver.deliveries(under: path).filter {
            (($0.body["event_data"] as? [String: Any])?["resources"] as? [[String: Any]])?.first?["tag"] as? String == "crash"
        }
        #expect(!received.isEmpty)
        if moment == .requestInFlight {
            // The held request was never answered, so only a request sent after the restart can have been.
            #expect(received.count == 2 && received.last!.receivedAt > killedAt, "sent again after the restart: \(received.map(\.receivedAt)), killed at \(killedAt)")
        }
        await server.destroy()
    }

    @Test("three instances on PostgreSQL: 100 pushes spread over them give 100 deliveries per policy")
    func threeInstances() async throws {
        let receiver = try await WebhookReceiver.start()
        defer { receiver.stop() }
        let database = try await TestPostgresDatabase.create()
        let storage = try TemporaryDirectory("webhook-shared-storage")
        let environment = ["BERTH_DATABASE": database.url, "BERTH_STORAGE_ROOT": storage.path]
        async let first = BerthInstance.start(authentication: true, environment: environment)
        async let second = BerthInstance.start(authentication: true, environment: environment)
        async let third = BerthInstance.start(authentication: true, environment: environment)
        let instances = try await [first, second, third]
        do {
            let clients = instances.map { AccessClient(http: RegistryHTTP(base: $0.baseURL), account: .basic("admin", BerthInstance.adminPassword)) }
            try await clients[0].apiOK(.POST, "/projects", json: ["project_name": "hooks"])
            try await clients[0].apiOK(.POST, "/projects/hooks/webhook/policies", json: Self.policy("one", events: ["PUSH_ARTIFACT"], targets: [
                Self.http("\(receiver.url)/ok/one", format: "CloudEvents")]))
            try await clients[1].apiOK(.POST, "/projects/hooks/webhook/policies", json: Self.policy("two", events: ["PUSH_ARTIFACT"], targets: [
                Self.http("\(receiver.url)/ok/two", format: "CloudEvents")]))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0 ..< 4 {
                    group.addTask {
                        for n in stride(from: worker, to: 100, by: 4) {
                            let pushed = try await clients[n % 3].pushImage("hooks/app", tag: "t\(n)", seed: UInt64(1000 + n))
                            if pushed.status != 201 { throw TestFailure("push \(n) answered \(pushed.status)") }
                        }
                    }
                }
                try await group.waitForAll()
            }
            func tags(_ path: String) -> [String] {
                receiver.deliveries(under: path).compactMap {
                    (($0.body["data"] as? [String: Any])?["resources"] as? [[String: Any]])?.first?["tag"] as? String
                }
            }
            #expect(try await eventually(timeout: .seconds(60)) { Set(tags("/ok/one")).count == 100 && Set(tags("/ok/two")).count == 100 })
            try await Task.sleep(for: .seconds(2))
            for path in ["/ok/one", "/ok/two"] {
                let deliveries = receiver.deliveries(under: path)
                let ids = deliveries.compactMap { $0.body["id"] as? String }
                let duplicates = ids.count - Set(ids).count
                print("webhook deliveries from three instances to \(path): \(deliveries.count) for 100 pushes, \(duplicates) duplicates (same event id)")
                #expect(Set(tags(path)) == Set((0 ..< 100).map { "t\($0)" }))
                #expect(Set(ids).count == 100, "one event id per push")
                #expect(duplicates == 0, "deliveries of one event to one policy are recorded once")
            }
        } catch {
            for instance in instances { await instance.destroy() }
            await database.drop()
            storage.remove()
            throw error
        }
        for instance in instances { await instance.destroy() }
        await database.drop()
        storage.remove()
    }
}
