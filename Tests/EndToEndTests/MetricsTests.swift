import Foundation
import OCI
import Testing

/// `/metrics` as Prometheus reads it: parsed by `prometheus_client` (Prometheus's own Python client), after a known
/// workload, every figure equals what was done.
@Suite("Prometheus metrics")
struct MetricsTests {
    /// One sample: metric name, labels, value.
    struct Sample {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    /// The exposition text parsed by prometheus_client.
    static func parse(_ text: String) async throws -> [Sample] {
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = []
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in family.samples:
                    out.append([s.name, s.labels, s.value])
            print(json.dumps(out))
            """
        let directory = try TemporaryDirectory("metrics-scrape")
        defer { directory.remove() }
        try text.write(toFile: directory.file("metrics.txt"), atomically: true, encoding: .utf8)
        let parsed = try await ProcessRunner.run(["python3", "-c", script, directory.file("metrics.txt")])
        guard parsed.succeeded, let rows = try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [[Any]] else {
            throw TestFailure("prometheus_client could not parse /metrics: \(parsed.stderr)")
        }
        return rows.compactMap { row in
            guard row.count == 3, let name = row[0] as? String, let labels = row[1] as? [String: String], let value = row[2] as? Double else { return nil }
            return Sample(name: name, labels: labels, value: value)
        }
    }

    /// The value of the sample called `name` whose labels include `labels` (nil when there is none).
    static func value(_ samples: [Sample], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
    }

    @Test("after pushes, pulls, a delete and webhook deliveries, /metrics counts exactly what was done")
    func countsMatchTheWorkload() async throws {
        let receiver = try await WebhookReceiver.start()
        defer { receiver.stop() }
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "metered"])
            try await admin.apiOK(.POST, "/users", json: ["username": "mm", "password": "Secret-12345"])
            try await admin.apiOK(.POST, "/projects/metered/members", json: ["role_id": 2, "member_user": ["username": "mm"]])
            try await admin.apiOK(.POST, "/projects/metered/webhook/policies", json: [
                "name": "count", "event_types": ["PUSH_ARTIFACT"], "targets": [["type": "http", "address": "\(receiver.url)/ok/metrics"]],
            ])
            var digests: [Digest] = []
            var usage = 0
            for seed in UInt64(1) ... 3 {
                let pushed = try await admin.pushImage("metered/app", tag: "v\(seed)", seed: seed)
                #expect(pushed.status == 201)
                digests.append(pushed.digest)
                usage += "{\"seed\":\(seed)}".utf8.count + 512
            }
            let manifests = (UInt64(1) ... 3).map { ManifestBuilder.image(config: Array("{\"seed\":\($0)}".utf8), layers: [randomBytes(512, seed: $0)]) }
            for _ in 0 ..< 5 {
                #expect(try await admin.registry(.GET, "/v2/metered/app/manifests/v1", headers: [("Accept", MediaType.ociManifest)]).status == 200)
            }
            try await admin.apiOK(.DELETE, "/projects/metered/repositories/app/artifacts/\(digests[2])")
            usage += manifests[0].count + manifests[1].count
            #expect(try await eventually { receiver.deliveries(under: "/ok/metrics").count == 3 })

            // The event and webhook figures settle once the outbox is drained and the jobs have finished.
            var samples: [Sample] = []
            #expect(try await eventually(timeout: .seconds(15)) {
                let scrape = try await admin.http.request(.GET, "/metrics", headers: admin.account.authorization)
                guard scrape.status == 200 else { return false }
                samples = try await Self.parse(scrape.text)
                return Self.value(samples, "berth_events_dispatched_total", ["type": "PULL_ARTIFACT"]) == 5
                    && Self.value(samples, "berth_webhook_deliveries_total", ["result": "success"]) == 3
                    && Self.value(samples, "harbor_project_artifact_total", ["project_name": "metered"]) == 2
                    // Read from the database at most once a second, so it may lag the live counters above.
                    && Self.value(samples, "berth_event_outbox_backlog") == 0
            })
            let manifestRoute = "/v2/{name}/manifests/{reference}"
            #expect(Self.value(samples, "berth_http_requests_total", ["method": "PUT", "route": manifestRoute, "status": "201"]) == 3)
            #expect(Self.value(samples, "berth_http_requests_total", ["method": "GET", "route": manifestRoute, "status": "200"]) == 5)
            #expect(Self.value(samples, "berth_http_request_duration_seconds_count", ["method": "GET", "route": manifestRoute, "status": "200"]) == 5)
            #expect(Self.value(samples, "berth_http_requests_total", ["method": "POST", "route": "/v2/{name}/blobs/uploads/", "status": "201"]) == 6)
            #expect(Self.value(samples, "berth_http_request_body_bytes_total", ["method": "PUT", "route": manifestRoute, "status": "201"])
                    == Double(manifests.map(\.count).reduce(0, +)))
            #expect(Self.value(samples, "berth_http_response_body_bytes_total", ["method": "GET", "route": manifestRoute, "status": "200"])
                    == Double(5 * manifests[0].count))
            let deletes = samples.filter { $0.name == "berth_http_requests_total" && $0.labels["method"] == "DELETE" && $0.labels["status"] == "200" }
            #expect(deletes.count == 1 && deletes.first?.value == 1 && deletes.first?.labels["route"]?.contains("{") == true, "\(deletes.map(\.labels))")
            #expect(Self.value(samples, "berth_events_dispatched_total", ["type": "PUSH_ARTIFACT"]) == 3)
            #expect(Self.value(samples, "berth_events_dispatched_total", ["type": "DELETE_ARTIFACT"]) == 1)
            #expect(Self.value(samples, "berth_event_outbox_backlog") == 0)
            #expect(Self.value(samples, "berth_webhook_tasks", ["status": "Success"]) == 3)
            #expect(Self.value(samples, "harbor_project_total", ["public": "true"]) == 1)
            #expect(Self.value(samples, "harbor_project_total", ["public": "false"]) == 1)
            #expect(Self.value(samples, "harbor_project_repo_total", ["project_name": "metered", "public": "false"]) == 1)
            #expect(Self.value(samples, "harbor_project_member_total", ["project_name": "metered"]) == 2)
            #expect(Self.value(samples, "harbor_project_quota_usage_byte", ["project_name": "metered"]) == Double(usage))
            #expect(Self.value(samples, "harbor_up", ["component": "core"]) == 1)
            #expect(Self.value(samples, "berth_uploads_in_progress") == 0)
            #expect((Self.value(samples, "berth_database_operation_duration_seconds_count", ["kind": "transaction"]) ?? 0) > 0)
            #expect((Self.value(samples, "berth_storage_operation_duration_seconds_count", ["operation": "put"]) ?? 0) >= 3)
            // Bounded labels: no digest or user name is ever a label value.
            let labelValues = samples.flatMap { $0.labels.values }
            #expect(!labelValues.contains { $0.contains("sha256:") || $0 == "admin" || $0 == "mm" })
            _ = server
        }
    }

    @Test("/metrics on the main listener is for system administrators; on a port of its own it is open, and it can be switched off")
    func access() async throws {
        try await withSecuredServer { _, admin in
            try await admin.apiOK(.POST, "/users", json: ["username": "norm", "password": "Secret-12345"])
            let user = AccessClient(http: admin.http, account: .basic("norm", "Secret-12345"))
            #expect(try await admin.http.request(.GET, "/metrics").status == 401)
            #expect(try await admin.http.request(.GET, "/metrics", headers: user.account.authorization).status == 403)
            let scrape = try await admin.http.request(.GET, "/metrics", headers: admin.account.authorization)
            #expect(scrape.status == 200 && scrape.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        }
        let port = try TestLDAPServer.freePort()
        try await withSecuredServer(environment: ["BERTH_METRICS_PORT": String(port)]) { _, admin in
            let separate = RegistryHTTP(base: "http://127.0.0.1:\(port)")
            var open = try await separate.request(.GET, "/metrics")
            for _ in 0 ..< 50 where open.status != 200 {
                try await Task.sleep(for: .milliseconds(100))
                open = try await separate.request(.GET, "/metrics")
            }
            #expect(open.status == 200 && open.text.contains("harbor_up"))
            #expect(try await admin.http.request(.GET, "/metrics", headers: admin.account.authorization).status == 404, "not on the main listener then")
        }
        try await withSecuredServer(environment: ["BERTH_METRICS_ENABLED": "false"]) { _, admin in
            let status = try await admin.http.request(.GET, "/metrics", headers: admin.account.authorization).status
            #expect(status == 404)
        }
    }
}
