import Foundation
import OCI
import Testing

/// Configuration sources, health, logs, shutdown and upload purging of the real binary.
@Suite("Server behaviour")
struct ServerBehaviourTests {
    @Test("health endpoint answers while running, and SIGTERM shuts down cleanly")
    func healthAndShutdown() async throws {
        let server = try await BerthInstance.start()
        let http = RegistryHTTP(base: server.baseURL)
        let health = try await http.request(.GET, "/health")
        #expect(health.status == 200)
        #expect(try health.json()["status"] as? String == "healthy")
        #expect(await server.stop() == 0)
        await server.destroy()
    }

    @Test("requests are logged as structured lines with method, path, status, bytes and duration")
    func accessLog() async throws {
        let server = try await BerthInstance.start(extraArguments: ["--log-level", "info"])
        let http = RegistryHTTP(base: server.baseURL)
        _ = try await http.request(.GET, "/v2/")
        _ = try await http.request(.GET, "/v2/nope/tags/list")
        await server.stop()
        let log = try String(contentsOfFile: server.logPath, encoding: .utf8)
        let lines = log.split(separator: "\n").filter { $0.contains("msg=request") }
        #expect(lines.contains { $0.contains("method=GET") && $0.contains("path=/v2/") && $0.contains("status=200") && $0.contains("duration_ms=") && $0.contains("bytes_out=2") })
        #expect(lines.contains { $0.contains("path=/v2/nope/tags/list") && $0.contains("status=404") })
        await server.destroy()
    }

    @Test("a YAML file configures the server, environment variables override it, and flags override both")
    func configurationSources() async throws {
        let dir = try TemporaryDirectory("config")
        defer { dir.remove() }
        let yaml = """
            dataDirectory: \(dir.file("yaml-data"))
            log:
              level: warning
              format: json
            registry:
              deleteEnabled: false
            """
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: dir.file("berth.yaml")))

        let fromFile = try await BerthInstance.start(extraArguments: ["--config", dir.file("berth.yaml")])
        let http = RegistryHTTP(base: fromFile.baseURL)
        let digest = try await http.pushBlob("cfg", randomBytes(10))
        let refused = try await http.request(.DELETE, "/v2/cfg/blobs/\(digest)")
        #expect(refused.status == 405)
        #expect(refused.errorCode == "UNSUPPORTED")
        // The --data-dir flag given by the harness wins over the file's dataDirectory.
        #expect(FileManager.default.fileExists(atPath: fromFile.dataDirectory + "/berth.db"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("yaml-data")))
        await fromFile.destroy()

        let overridden = try await BerthInstance.start(extraArguments: ["--config", dir.file("berth.yaml")], environment: ["BERTH_DELETE_ENABLED": "true"])
        let http2 = RegistryHTTP(base: overridden.baseURL)
        let digest2 = try await http2.pushBlob("cfg", randomBytes(10))
        #expect(try await http2.request(.DELETE, "/v2/cfg/blobs/\(digest2)").status == 202)
        await overridden.destroy()

        let bad = try await ProcessRunner.run([BerthInstance.binaryPath, "serve", "--config", dir.file("missing.yaml")])
        #expect(!bad.succeeded)
        #expect(bad.stderr.contains("missing.yaml"))
        try Data("http:\n  port: 99999\n".utf8).write(to: URL(fileURLWithPath: dir.file("bad.yaml")))
        let badPort = try await ProcessRunner.run([BerthInstance.binaryPath, "serve", "--config", dir.file("bad.yaml")])
        #expect(!badPort.succeeded)
        #expect(badPort.stderr.contains("http.port"))
    }

    @Test("a port another process holds, or one two listeners share, stops the server at start with the setting named")
    func listenerPorts() async throws {
        let dir = try TemporaryDirectory("ports")
        defer { dir.remove() }
        let held = try HeldPort()
        defer { held.release() }
        let cases: [(arguments: [String], environment: [String: String], setting: String)] = [
            (["--port", "\(held.port)"], [:], "http.port"),
            (["--port", "0"], ["BERTH_METRICS_ENABLED": "true", "BERTH_METRICS_PORT": "\(held.port)"], "metrics.port"),
            (["--port", "0", "--tls-generate"], ["BERTH_TLS_REDIRECT_PORT": "\(held.port)"], "http.tls.redirectPort"),
        ]
        for (arguments, environment, setting) in cases {
            let refused = try await ProcessRunner.run([BerthInstance.binaryPath, "serve", "--data-dir", dir.file("data"), "--log-level", "warning"] + arguments,
                                                      environment: environment.merging(["BERTH_ADMIN_PASSWORD": BerthInstance.adminPassword]) { a, _ in a },
                                                      timeout: 60)
            #expect(!refused.succeeded, "\(setting): \(refused.combined)")
            #expect(refused.stderr.contains("\(setting): cannot listen on 127.0.0.1 port \(held.port): the address is already in use"), "\(refused.stderr)")
            #expect(!refused.stdout.contains("listening"), "\(setting): \(refused.stdout)")
        }
        let free = try TestLDAPServer.freePort()
        let shared = try await ProcessRunner.run([BerthInstance.binaryPath, "serve", "--data-dir", dir.file("data"), "--port", "\(free)"],
                                                 environment: ["BERTH_METRICS_ENABLED": "true", "BERTH_METRICS_PORT": "\(free)",
                                                               "BERTH_ADMIN_PASSWORD": BerthInstance.adminPassword], timeout: 60)
        #expect(!shared.succeeded)
        #expect(shared.stderr.contains("metrics.port: port \(free) is also http.port"), "\(shared.stderr)")
    }

    @Test("abandoned uploads are purged after the configured age")
    func purge() async throws {
        let server = try await BerthInstance.start(environment: [
            // Long enough that a loaded machine (the whole suite runs in parallel, and a CI run once took more than
            // 15 s between the POST and the PATCH below) does not purge the session before the PATCH.
            "BERTH_UPLOAD_MAX_AGE_SECONDS": "40", "BERTH_UPLOAD_PURGE_INTERVAL_SECONDS": "1",
        ])
        let http = RegistryHTTP(base: server.baseURL)
        let start = try await http.request(.POST, "/v2/stale/blobs/uploads/")
        let location = try #require(start.header("Location"))
        let patched = try await http.request(.PATCH, location, body: randomBytes(1000))
        try #require(patched.status == 202, "\(patched.status) \(patched.text)")
        let uploads = server.dataDirectory + "/storage/uploads"
        #expect(try FileManager.default.contentsOfDirectory(atPath: uploads).count == 1)
        var status = 204
        for _ in 0 ..< 600 where status != 404 {
            try await Task.sleep(for: .milliseconds(200))
            status = try await http.request(.GET, location).status
        }
        #expect(status == 404)
        #expect(try FileManager.default.contentsOfDirectory(atPath: uploads).isEmpty)
        // The purge ran as jobs of the durable queue, fired by a schedule; both are visible through the API.
        let schedules = try JSONSerialization.jsonObject(with: Data(try await http.request(.GET, "/api/v2.0/schedules").body)) as? [[String: Any]]
        #expect(schedules?.first { $0["vendor_type"] as? String == "purge_uploads" }?["cron"] as? String == "* * * * * *")
        let jobs = try await http.request(.GET, "/api/v2.0/jobservice/jobs?kind=purge_uploads&status=succeeded")
        let records = try JSONSerialization.jsonObject(with: Data(jobs.body)) as? [[String: Any]] ?? []
        #expect(!records.isEmpty)
        if let id = records.first?["id"] as? Int {
            let log = try await http.request(.GET, "/api/v2.0/jobservice/jobs/\(id)/log")
            #expect(log.text.contains("purge_uploads") && log.text.contains("succeeded"))
        }
        let queues = try JSONSerialization.jsonObject(with: Data(try await http.request(.GET, "/api/v2.0/jobservice/queues").body)) as? [[String: Any]]
        #expect(queues?.contains { $0["job_type"] as? String == "purge_uploads" } == true)
        await server.destroy()
    }
}

extension ServerBehaviourTests {
    @Test("a misspelt configuration key is refused with its name")
    func unknownKey() async throws {
        let dir = try TemporaryDirectory("config-typo")
        defer { dir.remove() }
        try Data("storage:\n  filesytem:\n    root: /tmp/x\n".utf8).write(to: URL(fileURLWithPath: dir.file("typo.yaml")))
        let result = try await ProcessRunner.run([BerthInstance.binaryPath, "serve", "--config", dir.file("typo.yaml")])
        #expect(!result.succeeded)
        #expect(result.stderr.contains("storage.filesytem"))
    }
}
