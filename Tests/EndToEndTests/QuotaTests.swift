import Foundation
import OCI
import Testing

/// Project quotas through real clients: skopeo pushes up to a project's storage limit, the push that crosses it is
/// refused with the limit, the usage and the size asked, shared layers count once, Harbor's `/quotas` API changes the
/// limit, and `berth quota verify` agrees with what the server counted.
@Suite("Quotas")
struct QuotaTests {
    @Test("skopeo pushes up to a project's limit; the push that crosses it is refused with a clear error and nothing counted; shared layers count once; /quotas raises the limit; berth quota verify agrees; only administrators set limits")
    func limits() async throws {
        let work = try TemporaryDirectory("quotas")
        defer { work.remove() }
        _ = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("first"), tag: "v1", layerSizes: [2_000_000]) })
        _ = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("big"), tag: "v1", layerSizes: [4_000_000]) })
        let receiver = try await WebhookReceiver.start()
        defer { receiver.stop() }
        try await withSecuredServer { server, admin in
            let creds = "admin:\(BerthInstance.adminPassword)"
            func push(_ layout: String, _ target: String) async throws -> CommandResult {
                try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", creds, "oci:\(work.file(layout)):v1",
                                             "docker://\(server.hostPort)/\(target)"])
            }
            func summaryQuota() async throws -> (hard: Int, used: Int) {
                let quota = try await admin.api(.GET, "/projects/capped/summary").json()["quota"] as? [String: Any]
                return ((quota?["hard"] as? [String: Any])?["storage"] as? Int ?? -2, (quota?["used"] as? [String: Any])?["storage"] as? Int ?? -2)
            }
            #expect(try await admin.api(.POST, "/projects", json: ["project_name": "capped", "storage_limit": 5_000_000]).status == 201)
            #expect(try await admin.api(.POST, "/projects", json: ["project_name": "bad", "storage_limit": -5]).status == 400)
            #expect(try await admin.api(.POST, "/projects", json: ["project_name": "bad", "storage_limit": Int64.max]).status == 400)
            #expect(try await summaryQuota() == (5_000_000, 0))
            try await admin.apiOK(.POST, "/projects/capped/webhook/policies", json: WebhookTests.policy(
                "quota", events: ["QUOTA_EXCEED", "QUOTA_WARNING"], targets: [WebhookTests.http(receiver.url + "/quota")]))

            // The same image in two repositories of the project: its blobs count once.
            let pushed = try await push("first", "capped/one:v1")
            #expect(pushed.succeeded, "\(pushed.stderr)")
            let afterOne = try await summaryQuota().used
            #expect(afterOne > 2_000_000 && afterOne < 2_100_000, "\(afterOne)")
            #expect(try await push("first", "capped/two:v1").succeeded)
            #expect(try await summaryQuota().used == afterOne, "a second repository with the same blobs costs nothing more")

            // A 4 MB layer would cross the 5 MB limit: refused with the numbers, and nothing of it counted.
            let refused = try await push("big", "capped/big:v1")
            #expect(!refused.succeeded)
            // The limit (5,000,000 bytes) in the message as people read it.
            #expect(refused.stderr.contains("quota exceeded") && refused.stderr.contains("limit of 4.8 MiB"), "\(refused.stderr)")
            #expect(try await summaryQuota().used == afterOne)

            // /quotas: listed for the project, raised by an administrator; then the push goes through.
            let projectID = try #require(try await admin.api(.GET, "/projects/capped").json()["project_id"] as? Int)
            let listed = try await admin.api(.GET, "/quotas?reference=project&reference_id=\(projectID)")
            let quota = try #require(try listed.jsonArray().first)
            #expect(listed.header("X-Total-Count") == "1")
            #expect((quota["ref"] as? [String: Any])?["name"] as? String == "capped")
            #expect((quota["ref"] as? [String: Any])?["owner_name"] as? String == "admin")
            #expect((quota["used"] as? [String: Any])?["storage"] as? Int == afterOne)
            let quotaID = try #require(quota["id"] as? Int)
            #expect(try await admin.api(.PUT, "/quotas/\(quotaID)", json: ["hard": ["storage": -7]]).status == 400)
            #expect(try await admin.api(.PUT, "/quotas/\(quotaID)", json: ["hard": ["storage": 7_000_000]]).status == 200)
            #expect(try await admin.api(.GET, "/quotas/\(quotaID)").json()["hard"] as? [String: Int] == ["storage": 7_000_000])
            let retried = try await push("big", "capped/big:v1")
            #expect(retried.succeeded, "\(retried.stderr)")
            #expect(try await summaryQuota().used > afterOne + 4_000_000)

            // Webhooks heard the refusal (Harbor's QUOTA_EXCEED with the details) and the crossing of 85% (QUOTA_WARNING).
            var heard: [WebhookReceiver.Delivery] = []
            #expect(try await eventually(timeout: .seconds(20)) {
                heard = receiver.deliveries(under: "/quota")
                return Set(heard.compactMap { $0.body["type"] as? String }) == ["QUOTA_EXCEED", "QUOTA_WARNING"]
            }, "\(heard.map(\.body))")
            let exceed = heard.first { $0.body["type"] as? String == "QUOTA_EXCEED" }?.body["event_data"] as? [String: Any]
            let details = (exceed?["custom_attributes"] as? [String: Any])?["Details"] as? String ?? ""
            #expect(details.contains("quota exceeded") && details.contains("capped"), "\(exceed ?? [:])")
            #expect((exceed?["repository"] as? [String: Any])?["repo_full_name"] as? String == "capped/big")
            #expect(((exceed?["resources"] as? [[String: Any]])?.first?["digest"] as? String)?.hasPrefix("sha256:") == true)

            // Deleting a repository releases what only it held.
            try await admin.apiOK(.DELETE, "/projects/capped/repositories/big")
            #expect(try await summaryQuota().used == afterOne)

            // Only administrators read quotas or choose a limit at creation.
            try await admin.apiOK(.POST, "/users", json: ["username": "dev", "password": "Dev-Password-1"])
            let dev = AccessClient(http: admin.http, account: .basic("dev", "Dev-Password-1"))
            #expect(try await dev.api(.GET, "/quotas").status == 403)
            #expect(try await dev.api(.PUT, "/quotas/\(quotaID)", json: ["hard": ["storage": -1]]).status == 403)
            #expect(try await dev.api(.POST, "/projects", json: ["project_name": "mine", "storage_limit": 1_000_000_000]).status == 403)
            #expect(try await dev.api(.POST, "/projects", json: ["project_name": "mine", "storage_limit": -1]).status == 201)

            let verify = try await ProcessRunner.run([BerthInstance.binaryPath, "quota", "verify", "--data-dir", server.dataDirectory])
            #expect(verify.succeeded && verify.stdout.contains("project quotas agree"), "\(verify.combined)")

            // In a real browser: Administration → Project quotas shows the bar and changes the limit; the Summary shows it.
            let run = try await ProcessRunner.run(["python3", PortalTests.scripts + "/portal_quotas.py", server.baseURL, BerthInstance.adminPassword, "capped"])
            #expect(run.succeeded, "\(run.stderr.suffix(3000))")
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
            let shownUsed = String(format: "%.2f MiB", Double(afterOne) / 1_048_576)
            #expect(seen["before"] as? String == "\(shownUsed) of 6.68 MiB (\(afterOne * 100 / 7_000_000)%)", "\(seen)")
            #expect(seen["bar"] as? [String] == [String(afterOne), "7000000"], "\(seen)")
            #expect(seen["amount_before"] as? String == "6.68" && seen["unit_before"] as? String == "MiB", "\(seen)")
            #expect((seen["bad_problem"] as? String)?.contains("number of MiB, GiB or TiB") == true, "\(seen)")
            #expect(seen["after"] as? String == "\(shownUsed) of 1.50 GiB (0%)", "\(seen)")
            #expect(seen["amount_after"] as? String == "1.5", "\(seen)")
            #expect(seen["summary_quota"] as? String == "\(shownUsed) of 1.50 GiB (0%)" && seen["summary_bar"] as? Int == 1, "\(seen)")
            let limit = try await admin.api(.GET, "/quotas/\(quotaID)").json()["hard"] as? [String: Int]
            #expect(limit == ["storage": 1_610_612_736])
        }
    }
}
