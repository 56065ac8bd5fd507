import Foundation

/// haproxy in front of several servers. HTTP mode: round-robin per request, health checks on `/health`, failed
/// connections retried on another server. TCP mode (TLS passthrough): round-robin per connection, the servers'
/// own certificates reach the client. A health check may take up to 3 s (a loaded test machine answers slowly; with
/// the default, `inter`, one slow answer took every instance out and clients got 503); a killed instance refuses the
/// connection and is taken out at once.
final class LoadBalancer: @unchecked Sendable {
    let port: Int
    let tcp: Bool
    private let process: Process
    private let directory: TemporaryDirectory

    var hostPort: String { "127.0.0.1:\(port)" }
    var baseURL: String { "\(tcp ? "https" : "http")://\(hostPort)" }

    static func start(backends: [Int], tcp: Bool = false) async throws -> LoadBalancer {
        let dir = try TemporaryDirectory("haproxy")
        let port = try TestLDAPServer.freePort()
        let servers = backends.enumerated().map { "    server berth\($0.offset) 127.0.0.1:\($0.element) check inter 200ms fall 1 rise 2" }
        let config = """
            global
                maxconn 4096
            defaults
                mode \(tcp ? "tcp" : "http")
                timeout connect 2s
                timeout client 300s
                timeout server 300s
                timeout check 3s
                retries 3
                option redispatch
            \(tcp ? "" : "    option http-server-close")
            frontend registry
                bind 127.0.0.1:\(port)
                default_backend berths
            backend berths
                balance roundrobin
            \(tcp ? "" : "    option httpchk GET /health")
            \(servers.joined(separator: "\n"))

            """
        try config.write(toFile: dir.file("haproxy.cfg"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/haproxy")
        process.arguments = ["-f", dir.file("haproxy.cfg"), "-db"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let balancer = LoadBalancer(port: port, tcp: tcp, process: process, directory: dir)
        for _ in 0 ..< 100 {
            if tcp {
                if (try? RawConnection(port: port)) != nil { return balancer }
            } else if let result = try? await RegistryHTTP(base: balancer.baseURL).request(.GET, "/health"), result.status == 200 { return balancer }
            try await Task.sleep(for: .milliseconds(50))
        }
        await balancer.stop()
        throw TestFailure("haproxy did not start")
    }

    private init(port: Int, tcp: Bool, process: Process, directory: TemporaryDirectory) {
        self.port = port
        self.tcp = tcp
        self.process = process
        self.directory = directory
    }

    func stop() async {
        if process.isRunning { process.terminate() }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        directory.remove()
    }
}

/// A fresh database on the test PostgreSQL server (`BERTH_TEST_POSTGRES_URL`), dropped afterwards.
struct TestPostgresDatabase: Sendable {
    let url: String
    let name: String

    static func create() async throws -> TestPostgresDatabase {
        guard let server = ProcessInfo.processInfo.environment["BERTH_TEST_POSTGRES_URL"], let components = URLComponents(string: server) else {
            throw TestFailure("BERTH_TEST_POSTGRES_URL is not set; scripts/test starts PostgreSQL and sets it")
        }
        let name = "berth_e2e_\(UUID().uuidString.prefix(8).lowercased())"
        let created = try await ProcessRunner.run(["psql", "-h", components.host ?? "127.0.0.1", "-p", String(components.port ?? 5432),
                                                   "-U", components.user ?? "postgres", "-d", "postgres", "-c", "CREATE DATABASE \(name)"])
        guard created.succeeded else { throw TestFailure("CREATE DATABASE failed: \(created.stderr)") }
        var database = components
        database.path = "/" + name
        return TestPostgresDatabase(url: database.string!, name: name)
    }

    func drop() async {
        guard let components = URLComponents(string: url) else { return }
        _ = try? await ProcessRunner.run(["psql", "-h", components.host ?? "127.0.0.1", "-p", String(components.port ?? 5432),
                                          "-U", components.user ?? "postgres", "-d", "postgres", "-c", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
    }
}
