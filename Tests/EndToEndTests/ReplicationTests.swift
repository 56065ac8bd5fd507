import Foundation
import OCI
import Testing

/// Replication policies and their runs against real registries: CNCF distribution (`docker-registry` 2.8) and a
/// second `berth` process, with images pushed by skopeo; Harbor's `/replication` API shapes; who may.
@Suite("Replication")
struct ReplicationEndToEndTests {
    static let accept = [("Accept", "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json")]

    /// The id at the end of a `Location` header.
    static func id(_ result: HTTPResult) throws -> Int {
        try #require(result.header("Location")?.split(separator: "/").last.flatMap { Int($0) }, "no id in \(result.status) \(result.text)")
    }

    /// Waits for an execution to end; returns it.
    static func finished(_ admin: AccessClient, _ execution: Int, timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        _ = try await eventually(timeout: timeout) {
            last = try await admin.api(.GET, "/replication/executions/\(execution)").json()
            return last["status"] as? String != "InProgress"
        }
        return last
    }

    @Test("push to docker-registry by hand (filters, namespace, chunked large layer, multi-arch index) and on a schedule, pull back on a schedule (a second run copies nothing), event-based push (a multi-arch index, then a signature of it) and deletion to another Berth; bad policies; only administrators")
    func replication() async throws {
        let work = try TemporaryDirectory("replication")
        defer { work.remove() }
        let distribution = try await TestDistribution.start()
        defer { distribution.stop() }
        let remote = try await BerthInstance.start(authentication: true)
        defer { Task { await remote.destroy() } }
        let receiver = try await WebhookReceiver.start()
        defer { receiver.stop() }
        try await withSecuredServer { server, admin in
            let creds = "admin:\(BerthInstance.adminPassword)"
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            try await admin.apiOK(.POST, "/projects/team/webhook/policies", json: [
                "name": "replications", "enabled": true, "event_types": ["REPLICATION"],
                "targets": [["type": "http", "address": receiver.url + "/replication", "payload_format": "Default", "skip_cert_verify": false]]])
            _ = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("multi"), tag: "v1", layerSizes: [200_000, 5000], platforms: ["linux/amd64", "linux/arm64"]) })
            _ = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("large"), tag: "v2", layerSizes: [34_000_000]) })
            _ = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("dev"), tag: "dev", layerSizes: [1000]) })
            for (layout, target) in [("multi:v1", "team/app:v1"), ("large:v2", "team/tool:v2"), ("dev:dev", "team/tool:dev")] {
                let push = try await ProcessRunner.run(["skopeo", "copy", "--all", "--dest-tls-verify=false", "--dest-creds", creds,
                                                        "oci:\(work.file(layout))", "docker://\(server.hostPort)/\(target)"])
                #expect(push.succeeded, "\(push.stderr)")
            }
            func sourceDigest(_ repository: String, _ tag: String) async throws -> String? {
                try await admin.registry(.HEAD, "/v2/\(repository)/manifests/\(tag)", headers: Self.accept).header("Docker-Content-Digest")
            }
            let appDigest = try #require(try await sourceDigest("team/app", "v1"))
            let toolDigest = try #require(try await sourceDigest("team/tool", "v2"))

            let dist = try Self.id(try await admin.api(.POST, "/registries", json: ["name": "dist", "type": "docker-registry", "url": distribution.baseURL]))
            let other = try Self.id(try await admin.api(.POST, "/registries", json: [
                "name": "other", "type": "harbor", "url": remote.baseURL,
                "credential": ["type": "basic", "access_key": "admin", "access_secret": BerthInstance.adminPassword]]))

            // Bad policies.
            let base: [String: Any] = ["name": "bad", "dest_registry": ["id": dist], "enabled": true]
            for (change, why) in [(["dest_registry": ["id": 0]], "both sides local"), (["src_registry": ["id": dist]], "both sides remote"),
                                  (["dest_registry": ["id": 999]], "unknown registry"),
                                  (["trigger": ["type": "scheduled", "trigger_settings": ["cron": "every day"]]], "bad cron"),
                                  (["trigger": ["type": "sometimes"]], "unknown trigger"), (["speed": 9_999_999_999_999], "speed too large"),
                                  (["dest_namespace_replace_count": 99_999], "replace count"), (["filters": [["type": "colour", "value": "red"]]], "unknown filter"),
                                  (["filters": [["type": "name", "value": "[z-a]"]]], "bad pattern"), (["dest_namespace": "../Up"], "bad namespace"),
                                  (["name": ""], "no name")] as [([String: Any], String)] {
                let body = base.merging(change) { _, new in new }
                let answer = try await admin.api(.POST, "/replication/policies", json: body)
                #expect(answer.status == 400, "\(why): \(answer.status) \(answer.text)")
            }
            let pullEvent = try await admin.api(.POST, "/replication/policies", json: [
                "name": "x", "src_registry": ["id": dist], "trigger": ["type": "event_based"]])
            #expect(pullEvent.status == 400, "\(pullEvent.text)")

            // Push by hand to distribution: team/** with tags v*, into mirror/ (one level replaced).
            let toDist = try Self.id(try await admin.api(.POST, "/replication/policies", json: [
                "name": "to-dist", "dest_registry": ["id": dist], "dest_namespace": "mirror", "dest_namespace_replace_count": 1,
                "filters": [["type": "name", "value": "team/**"], ["type": "tag", "value": "v*"]], "trigger": ["type": "manual"], "enabled": true,
                "override": true]))
            #expect(try await admin.api(.POST, "/replication/policies", json: ["name": "to-dist", "dest_registry": ["id": dist]]).status == 409)
            let policy = try await admin.api(.GET, "/replication/policies/\(toDist)").json()
            #expect((policy["dest_registry"] as? [String: Any])?["name"] as? String == "dist")
            #expect((policy["src_registry"] as? [String: Any])?["id"] as? Int == 0)
            #expect((policy["filters"] as? [[String: Any]])?.count == 2)
            #expect(try await admin.api(.DELETE, "/registries/\(dist)").status == 412)

            let run = try Self.id(try await admin.api(.POST, "/replication/executions", json: ["policy_id": toDist]))
            let execution = try await Self.finished(admin, run)
            #expect(execution["status"] as? String == "Succeed", "\(execution)")
            #expect(execution["total"] as? Int == 2 && execution["succeed"] as? Int == 2, "\(execution)")
            #expect((execution["bytes_done"] as? Int ?? 0) >= 34_000_000, "\(execution)")
            let plain = RegistryHTTP(base: distribution.baseURL)
            #expect(try await plain.request(.HEAD, "/v2/mirror/app/manifests/v1", headers: Self.accept).header("Docker-Content-Digest") == appDigest)
            #expect(try await plain.request(.HEAD, "/v2/mirror/tool/manifests/v2", headers: Self.accept).header("Docker-Content-Digest") == toolDigest)
            #expect(try await plain.request(.HEAD, "/v2/mirror/tool/manifests/dev", headers: Self.accept).status == 404)
            let index = try await plain.request(.GET, "/v2/mirror/app/manifests/v1", headers: Self.accept).json()
            for child in index["manifests"] as? [[String: Any]] ?? [] {
                let digest = try #require(child["digest"] as? String)
                #expect(try await plain.request(.HEAD, "/v2/mirror/app/manifests/\(digest)", headers: Self.accept).status == 200)
            }
            let tasks = try await admin.api(.GET, "/replication/executions/\(run)/tasks").jsonArray()
            #expect(tasks.count == 2 && tasks.allSatisfy { $0["status"] as? String == "Succeed" && $0["operation"] as? String == "copy" }, "\(tasks)")
            #expect(Set(tasks.compactMap { $0["dst_resource"] as? String }) == ["mirror/app:[v1]", "mirror/tool:[v2]"])
            let toolTask = try #require(tasks.first { ($0["src_resource"] as? String)?.hasPrefix("team/tool") == true }?["id"] as? Int)
            let log = try await admin.api(.GET, "/replication/executions/\(run)/tasks/\(toolTask)/log")
            #expect(log.status == 200 && log.text.contains(" sent (") && log.text.contains("tagged mirror/tool:v2"), "\(log.text)")
            let listed = try await admin.api(.GET, "/replication/executions?policy_id=\(toDist)")
            #expect(listed.header("X-Total-Count") == "1")
            // Each task's end reaches the project's webhooks as Harbor's REPLICATION event.
            var notified: [WebhookReceiver.Delivery] = []
            #expect(try await eventually(timeout: .seconds(15)) {
                notified = receiver.deliveries(under: "/replication")
                return notified.count >= 2
            }, "\(notified.map(\.body))")
            let replication = (notified.first?.body["event_data"] as? [String: Any])?["replication"] as? [String: Any]
            #expect(notified.first?.body["type"] as? String == "REPLICATION" && replication?["job_status"] as? String == "Success", "\(notified.first?.body ?? [:])")
            #expect((replication?["dest_resource"] as? [String: Any])?["registry_name"] as? String == "dist")
            #expect((replication?["src_resource"] as? [String: Any])?["namespace"] as? String == "team")
            #expect(replication?["trigger_type"] as? String == "MANUAL")

            // Pull back from distribution on a schedule into pulled/ (all levels flattened); the second run finds everything there.
            let fromDist = try Self.id(try await admin.api(.POST, "/replication/policies", json: [
                "name": "from-dist", "src_registry": ["id": dist], "dest_namespace": "pulled", "dest_namespace_replace_count": -1,
                "filters": [["type": "name", "value": "mirror/app"]], "trigger": ["type": "scheduled", "trigger_settings": ["cron": "*/3 * * * * *"]],
                "enabled": true]))
            // The policy list filters by name (any case, % and _ taken literally) and pages in the database.
            #expect(try await admin.api(.GET, "/replication/policies?name=FROM").jsonArray().compactMap { $0["name"] as? String } == ["from-dist"])
            let secondPage = try await admin.api(.GET, "/replication/policies?name=-dist&page=2&page_size=1")
            let secondNames = try secondPage.jsonArray().compactMap { $0["name"] as? String }
            #expect(secondPage.header("X-Total-Count") == "2" && secondNames == ["to-dist"])
            #expect(try await admin.api(.GET, "/replication/policies?name=%25").jsonArray().isEmpty)
            // Runs may overlap when one takes longer than the schedule's three seconds (a slow machine): the run to
            // look at is one that started after another had succeeded — it finds everything there.
            var scheduled: [[String: Any]] = []
            var later: Int? = nil
            #expect(try await eventually(timeout: .seconds(60)) {
                scheduled = try await admin.api(.GET, "/replication/executions?policy_id=\(fromDist)&status=Succeed").jsonArray()
                let firstEnd = scheduled.compactMap { $0["end_time"] as? String }.min() ?? "~"
                later = scheduled.first { ($0["start_time"] as? String ?? "") > firstEnd }?["id"] as? Int
                return later != nil
            }, "\(scheduled)")
            try await admin.apiOK(.PUT, "/replication/policies/\(fromDist)", json: ["enabled": false])
            #expect(try await sourceDigest("pulled/app", "v1") == appDigest)
            #expect(scheduled.allSatisfy { $0["trigger"] as? String == "scheduled" })
            let second = try #require(later)
            let secondTasks = try await admin.api(.GET, "/replication/executions/\(second)/tasks").jsonArray()
            let secondTask = try #require(secondTasks.first?["id"] as? Int)
            let secondLog = try await admin.api(.GET, "/replication/executions/\(second)/tasks/\(secondTask)/log").text
            #expect(secondLog.contains("at the destination already") && !secondLog.contains(" sent ("), "\(secondLog)")

            // The push policy on a schedule: a tag added here reaches distribution by itself.
            try await admin.apiOK(.POST, "/projects/team/repositories/tool/artifacts/\(toolDigest)/tags", json: ["name": "v3"])
            try await admin.apiOK(.PUT, "/replication/policies/\(toDist)", json: ["trigger": ["type": "scheduled", "trigger_settings": ["cron": "*/2 * * * * *"]]])
            #expect(try await eventually(timeout: .seconds(40)) {
                try await plain.request(.HEAD, "/v2/mirror/tool/manifests/v3", headers: Self.accept).header("Docker-Content-Digest") == toolDigest
            })
            try await admin.apiOK(.PUT, "/replication/policies/\(toDist)", json: ["enabled": false])
            #expect(try await eventually(timeout: .seconds(30)) {
                try await admin.api(.GET, "/replication/executions?policy_id=\(toDist)&status=InProgress").jsonArray().isEmpty
            })
            let pushedOnSchedule = try await admin.api(.GET, "/replication/executions?policy_id=\(toDist)&trigger=scheduled").jsonArray()
            #expect(!pushedOnSchedule.isEmpty && pushedOnSchedule.allSatisfy { $0["trigger"] as? String == "scheduled" }, "\(pushedOnSchedule)")

            // Event-based push with deletions to the other Berth, into its library project.
            let toOther = try Self.id(try await admin.api(.POST, "/replication/policies", json: [
                "name": "to-other", "dest_registry": ["id": other], "dest_namespace": "library", "dest_namespace_replace_count": 1,
                "filters": [["type": "name", "value": "team/app"]], "trigger": ["type": "event_based"], "enabled": true, "replicate_deletion": true]))
            let push = try await ProcessRunner.run(["skopeo", "copy", "--all", "--dest-tls-verify=false", "--dest-creds", creds,
                                                    "oci:\(work.file("multi:v1"))", "docker://\(server.hostPort)/team/app:v3"])
            #expect(push.succeeded, "\(push.stderr)")
            let remoteAdmin = AccessClient(http: RegistryHTTP(base: remote.baseURL), account: .basic("admin", BerthInstance.adminPassword))
            #expect(try await eventually(timeout: .seconds(20)) {
                try await remoteAdmin.registry(.HEAD, "/v2/library/app/manifests/v3", headers: Self.accept).header("Docker-Content-Digest") == appDigest
            })
            let events = try await admin.api(.GET, "/replication/executions?policy_id=\(toOther)").jsonArray()
            #expect(!events.isEmpty && events.allSatisfy { $0["trigger"] as? String == "event_based" }, "\(events)")
            // A signature pushed onto the index later follows it: the destination lists it as the index's referrer.
            let subjectIndex = try await admin.registry(.GET, "/v2/team/app/manifests/\(appDigest)", headers: Self.accept)
            let signatureConfig = Array("{}".utf8), signature = Array("a signature of \(appDigest)".utf8)
            for blob in [signatureConfig, signature] {
                #expect(try await admin.registry(.POST, "/v2/team/app/blobs/uploads/?digest=\(Digest.compute(of: blob))",
                                                 headers: [("Content-Type", "application/octet-stream")], body: blob).status == 201)
            }
            let referrer = ManifestBuilder.image(config: signatureConfig, layers: [signature], artifactType: "application/vnd.dev.cosign.artifact.sig.v1+json",
                                                 subject: ["mediaType": MediaType.ociIndex, "digest": appDigest, "size": subjectIndex.body.count],
                                                 configMediaType: "application/vnd.oci.empty.v1+json")
            let referrerDigest = Digest.compute(of: referrer).description
            #expect(try await admin.registry(.PUT, "/v2/team/app/manifests/\(referrerDigest)", headers: [("Content-Type", MediaType.ociManifest)],
                                             body: referrer).status == 201)
            var referrers: [[String: Any]] = []
            #expect(try await eventually(timeout: .seconds(20)) {
                let answer = try await remoteAdmin.registry(.GET, "/v2/library/app/referrers/\(appDigest)")
                referrers = (try? answer.json())?["manifests"] as? [[String: Any]] ?? []
                return referrers.contains { $0["digest"] as? String == referrerDigest }
            }, "\(referrers)")
            let copiedReferrer = referrers.first { $0["digest"] as? String == referrerDigest }
            #expect(copiedReferrer?["artifactType"] as? String == "application/vnd.dev.cosign.artifact.sig.v1+json")
            #expect(try await admin.registry(.DELETE, "/v2/team/app/manifests/\(appDigest)").status == 202)
            #expect(try await eventually(timeout: .seconds(20)) {
                try await remoteAdmin.registry(.HEAD, "/v2/library/app/manifests/\(appDigest)", headers: Self.accept).status == 404
            })

            // Only system administrators.
            try await admin.apiOK(.POST, "/users", json: ["username": "ops", "password": "Ops-Password-1"])
            let ops = AccessClient(http: admin.http, account: .basic("ops", "Ops-Password-1"))
            #expect(try await ops.api(.GET, "/replication/policies").status == 403)
            #expect(try await ops.api(.POST, "/replication/executions", json: ["policy_id": toDist]).status == 403)
            #expect(try await ops.api(.PUT, "/replication/policies/\(toDist)", json: ["enabled": false]).status == 403)
            #expect(try await AccessClient(http: admin.http, account: .anonymous).api(.GET, "/replication/executions").status == 401)
            #expect(try await admin.api(.DELETE, "/replication/policies/\(toDist)").status == 200)
            #expect(try await admin.api(.GET, "/replication/policies/\(toDist)").status == 404)
        }
    }

    @Test("a copy to another Berth cut off in the middle of a 200 MB layer continues from the bytes the destination holds, not from zero")
    func resumesAfterCut() async throws {
        let work = try TemporaryDirectory("replication-resume")
        defer { work.remove() }
        let remote = try await BerthInstance.start(authentication: true)
        defer { Task { await remote.destroy() } }
        let proxy = try await CuttingProxy.start(to: remote.port, cutAfter: 90_000_000)
        defer { proxy.stop() }
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            _ = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("big"), tag: "v1", layerSizes: [200_000_000]) })
            let push = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:\(BerthInstance.adminPassword)",
                                                    "oci:\(work.file("big:v1"))", "docker://\(server.hostPort)/team/big:v1"])
            #expect(push.succeeded, "\(push.stderr)")
            let digest = try #require(try await admin.registry(.HEAD, "/v2/team/big/manifests/v1", headers: Self.accept).header("Docker-Content-Digest"))
            let far = try Self.id(try await admin.api(.POST, "/registries", json: [
                "name": "far", "type": "harbor", "url": proxy.baseURL,
                "credential": ["type": "basic", "access_key": "admin", "access_secret": BerthInstance.adminPassword]]))
            let policy = try Self.id(try await admin.api(.POST, "/replication/policies", json: [
                "name": "far-away", "dest_registry": ["id": far], "dest_namespace": "library", "dest_namespace_replace_count": 1,
                "trigger": ["type": "manual"], "enabled": true, "copy_by_chunk": true]))
            let run = try Self.id(try await admin.api(.POST, "/replication/executions", json: ["policy_id": policy]))
            let execution = try await Self.finished(admin, run, timeout: .seconds(240))
            #expect(execution["status"] as? String == "Succeed", "\(execution)")
            let state = proxy.state()
            #expect(state.cut, "the proxy never cut the connection")
            // Sent from zero twice would be about 290 MB through the proxy; resumed, 200 MB plus at most one chunk.
            #expect(state.upstreamBytes < 215_000_000, "\(state.upstreamBytes) bytes went to the destination")
            let task = try #require(try await admin.api(.GET, "/replication/executions/\(run)/tasks").jsonArray().first?["id"] as? Int)
            let log = try await admin.api(.GET, "/replication/executions/\(run)/tasks/\(task)/log").text
            #expect(log.contains("attempt failed, will retry") && log.contains("continuing blob") && log.contains("attempt 2 of"), "\(log)")
            let remoteAdmin = AccessClient(http: RegistryHTTP(base: remote.baseURL), account: .basic("admin", BerthInstance.adminPassword))
            #expect(try await remoteAdmin.registry(.HEAD, "/v2/library/big/manifests/v1", headers: Self.accept).header("Docker-Content-Digest") == digest)
        }
    }

    @Test("bad remotes: unreachable, wrong credentials, a manifest or blob that does not match its digest, garbage — failed runs with the reason, nothing stored")
    func badRemotes() async throws {
        let remote = try await BerthInstance.start(authentication: true)
        defer { Task { await remote.destroy() } }
        let liarPort = try TestLDAPServer.freePort()
        // Killed with SIGKILL: a helper started from the test process inherits its blocked SIGTERM.
        let liar = try await HelperProcess.start(["python3", HelperProcess.script("lying_registry.py"), String(liarPort)],
                                                 directory: try TemporaryDirectory("lying-registry"), name: "the lying registry") {
            HelperProcess.listening(liarPort)
        }
        defer { liar.stop() }
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            #expect(try await admin.pushImage("team/app", tag: "v1", seed: 7).status == 201)

            // Unreachable: listing fails and says why.
            let nowhere = try Self.id(try await admin.api(.POST, "/registries", json: ["name": "nowhere", "type": "docker-registry", "url": "http://127.0.0.1:9"]))
            let fromNowhere = try Self.id(try await admin.api(.POST, "/replication/policies", json: [
                "name": "from-nowhere", "src_registry": ["id": nowhere], "trigger": ["type": "manual"], "enabled": true]))
            let unreachable = try await Self.finished(admin, try Self.id(try await admin.api(.POST, "/replication/executions", json: ["policy_id": fromNowhere])))
            #expect(unreachable["status"] as? String == "Failed" && (unreachable["status_text"] as? String ?? "").contains("listing the source failed"),
                    "\(unreachable)")

            // Wrong credentials: the task fails at once with the registry's refusal; the secret appears nowhere.
            let refused = try Self.id(try await admin.api(.POST, "/registries", json: [
                "name": "refusing", "type": "harbor", "url": remote.baseURL,
                "credential": ["type": "basic", "access_key": "admin", "access_secret": "Wrong-Secret-123"]]))
            let toRefused = try Self.id(try await admin.api(.POST, "/replication/policies", json: [
                "name": "to-refusing", "dest_registry": ["id": refused], "dest_namespace": "library", "trigger": ["type": "manual"], "enabled": true]))
            let denied = try Self.id(try await admin.api(.POST, "/replication/executions", json: ["policy_id": toRefused]))
            #expect(try await Self.finished(admin, denied)["status"] as? String == "Failed")
            let deniedTask = try #require(try await admin.api(.GET, "/replication/executions/\(denied)/tasks").jsonArray().first?["id"] as? Int)
            let deniedLog = try await admin.api(.GET, "/replication/executions/\(denied)/tasks/\(deniedTask)/log").text
            #expect(deniedLog.contains("unauthorized") && deniedLog.contains("attempt 1 of") && !deniedLog.contains("attempt 2 of"), "\(deniedLog)")
            #expect(!deniedLog.contains("Wrong-Secret-123"))

            // A registry that lies: every artifact fails with the reason and nothing of it is stored here.
            let lying = try Self.id(try await admin.api(.POST, "/registries", json: ["name": "liar", "type": "docker-registry", "url": "http://127.0.0.1:\(liarPort)"]))
            let fromLiar = try Self.id(try await admin.api(.POST, "/replication/policies", json: [
                "name": "from-liar", "src_registry": ["id": lying], "dest_namespace": "copied", "dest_namespace_replace_count": 1,
                "trigger": ["type": "manual"], "enabled": true]))
            let lied = try Self.id(try await admin.api(.POST, "/replication/executions", json: ["policy_id": fromLiar]))
            let liedExecution = try await Self.finished(admin, lied)
            #expect(liedExecution["status"] as? String == "Failed" && liedExecution["failed"] as? Int == 3, "\(liedExecution)")
            var reasons: [String: String] = [:]
            for task in try await admin.api(.GET, "/replication/executions/\(lied)/tasks").jsonArray() {
                let id = try #require(task["id"] as? Int)
                reasons[task["src_resource"] as? String ?? ""] = try await admin.api(.GET, "/replication/executions/\(lied)/tasks/\(id)/log").text
            }
            #expect(reasons["lies/app:[v1]"]?.contains("does not match its digest") == true, "\(reasons)")
            let blobReason = reasons["lies/blob:[v1]"] ?? ""
            #expect(["longer than its", "ended after", "does not match its digest"].contains { blobReason.contains($0) }, "\(reasons)")
            #expect(reasons["lies/junk:[v1]"]?.contains("failed:") == true && reasons["lies/junk:[v1]"]?.contains("attempt 2 of") == false, "\(reasons)")
            for name in ["app", "blob", "junk"] {
                #expect(try await admin.registry(.HEAD, "/v2/copied/\(name)/manifests/v1", headers: Self.accept).status == 404)
            }
            let repositories = try await admin.api(.GET, "/projects/copied/repositories").jsonArray()
            #expect(repositories.isEmpty, "\(repositories)")
        }
    }

    @Test("Harbor's Python client (harborapi) creates a registry and a policy, runs it, reads the execution, tasks and log, updates and deletes it")
    func harborClient() async throws {
        let distribution = try await TestDistribution.start()
        defer { distribution.stop() }
        try await withSecuredServer { server, admin in
            #expect(try await admin.pushImage("library/app", tag: "v1", seed: 11).status == 201)
            let run = try await ProcessRunner.run(["python3", PortalTests.scripts + "/harbor_replication.py", server.baseURL, BerthInstance.adminPassword,
                                                   distribution.baseURL], timeout: 180)
            #expect(run.succeeded, "\(run.stderr.suffix(3000))")
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
            #expect((seen["policy_location"] as? String)?.contains("/api/v2.0/replication/policies/") == true, "\(seen)")
            let policy = seen["policy"] as? [Any] ?? []
            #expect(policy.count == 6 && policy[0] as? String == "to-dist" && policy[1] as? String == "dist" && policy[2] as? Int == 0, "\(policy)")
            #expect((policy.count == 6 ? policy[4] as? [String] : nil) == ["name", "tag"], "\(policy)")
            let execution = seen["execution"] as? [Any] ?? []
            #expect(execution.count == 5 && execution[0] as? String == "Succeed" && execution[1] as? String == "manual" && execution[3] as? Int == 1,
                    "\(execution)")
            let tasks = seen["tasks"] as? [[Any]] ?? []
            #expect(tasks.count == 1 && tasks.first?[3] as? String == "mirror/app:[v1]", "\(tasks)")
            #expect((seen["log"] as? String)?.contains("tagged mirror/app:v1") == true, "\(seen["log"] ?? "")")
            #expect((seen["updated"] as? [Any])?.first as? Bool == false && (seen["updated"] as? [Any])?[1] as? String == "paused", "\(seen)")
            #expect(seen["after_delete"] as? [String] == [], "\(seen)")
            let copied = try await RegistryHTTP(base: distribution.baseURL).request(.HEAD, "/v2/mirror/app/manifests/v1", headers: Self.accept)
            #expect(copied.status == 200)
        }
    }
}
