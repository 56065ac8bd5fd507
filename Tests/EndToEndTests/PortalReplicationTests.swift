import Foundation
import OCI
import Testing

/// Administration → Registries and Replications, and the proxy-cache choice of the New project dialog, in a real
/// browser against a real CNCF distribution.
@Suite("Portal replication")
struct PortalReplicationTests {
    @Test("in a real browser: test a registry connection (failing, then working), add the registry, make a push rule (a bad one refused with the form kept), run it and watch its progress by itself, read a task's log, create a proxy-cache project; a registry in use cannot be deleted")
    func replicationScreens() async throws {
        let work = try TemporaryDirectory("portal-replication")
        defer { work.remove() }
        let distribution = try await TestDistribution.start()
        defer { distribution.stop() }
        let layout = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("big"), tag: "v1", layerSizes: [16_000_000, 3000]) })
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            let push = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:\(BerthInstance.adminPassword)",
                                                    "oci:\(work.file("big")):v1", "docker://\(server.hostPort)/team/big:v1"])
            try #require(push.succeeded, "\(push.stderr)")
            let run = try await ProcessRunner.run(["python3", PortalTests.scripts + "/portal_replication.py", server.baseURL, BerthInstance.adminPassword,
                                                   distribution.baseURL, "team/big"], timeout: 600)
            #expect(run.succeeded, "\(run.stderr.suffix(4000))")
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
            func rows(_ key: String) -> [[String]] { seen[key] as? [[String]] ?? [] }
            func string(_ key: String) -> String { seen[key] as? String ?? "" }

            // Registries: the test answers in words, the form keeps what was typed, the saved endpoint is healthy.
            #expect(string("registries_empty").hasPrefix("No registry endpoints"))
            #expect(string("test_failed").contains("cannot be reached") || string("test_failed").contains("did not answer"), "\(string("test_failed"))")
            #expect(string("test_failed_class") == "problem")
            #expect(string("test_passed") == "The registry answered and accepted the credentials.")
            #expect(string("form_kept_url") == distribution.baseURL)
            #expect(string("registries_path") == "/harbor/registries")
            let registry = rows("registry_rows").first ?? []
            #expect(Array(registry.prefix(5)) == ["dist", "Healthy", distribution.baseURL, "Docker Registry", "Yes"], "\(rows("registry_rows"))")

            // The rule: refused without a cron while scheduled (the form kept), then saved; its row says what it does.
            #expect(string("bad_rule_problem").lowercased().contains("cron"), "\(string("bad_rule_problem"))")
            #expect(string("bad_rule_kept_name") == "to-dist")
            let rule = rows("rule_rows").first ?? []
            #expect(Array(rule.prefix(7)) == ["to-dist", "Enabled", "Push-based", "dist (\(distribution.baseURL))", "team/**", "mirror, flatten 1 level",
                                              "Manual"], "\(rows("rule_rows"))")

            // The execution page followed the run by itself, bytes part-way included, to success.
            #expect(string("execution_path").hasPrefix("/harbor/replications/executions/"))
            #expect(string("status_last") == "Succeed", "\(string("status_last"))")
            #expect(!(seen["partial_bytes_seen"] as? [String] ?? []).isEmpty, "no progress was seen part-way: \(string("status_first"))")
            #expect(string("tasks_text") == "1 of 1 tasks", "\(string("tasks_text"))")
            #expect(string("bytes_text").hasPrefix("15.3 MiB of 15.3 MiB"), "\(string("bytes_text"))")
            let task = rows("task_rows").first ?? []
            #expect(task.count >= 6 && task[1] == "copy" && task[3] == "team/big:[v1]" && task[4] == "mirror/big:[v1]" && task[5] == "Succeed", "\(rows("task_rows"))")
            #expect(string("task_log").contains("blob") && string("task_log").contains("sent"), "\(string("task_log"))")
            #expect(seen["stop_offered_after"] as? Int == 0)
            #expect(rows("execution_rows").first?.dropFirst().first == "to-dist", "\(rows("execution_rows"))")
            let copied = try await RegistryHTTP(base: distribution.baseURL).request(.HEAD, "/v2/mirror/big/manifests/v1",
                                                                                    headers: [("Accept", MediaType.ociManifest)])
            #expect(copied.header("Docker-Content-Digest") == layout.topDigest.description)

            // The proxy-cache project, and the registry it uses kept.
            #expect(string("proxy_project_path") == "/harbor/projects/dist-cache/repositories")
            #expect(string("proxy_summary").contains("Proxy cache of\ndist (\(distribution.baseURL))"), "\(string("proxy_summary"))")
            #expect(try await admin.api(.GET, "/projects/dist-cache").json()["registry_id"] as? Int != nil)
            #expect(string("delete_problem").contains("dist-cache"), "\(string("delete_problem"))")
            #expect((seen["console"] as? [String] ?? []).isEmpty, "\(seen["console"] ?? "")")
        }
    }
}
