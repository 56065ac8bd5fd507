import AsyncHTTPClient
import Foundation
import NIOCore

/// Where a registry under test keeps its data.
enum BenchBackend: Sendable {
    /// The embedded defaults: SQLite (Berth) and a local directory (both).
    case embedded
    /// The scaled-out configuration: Berth's metadata in a PostgreSQL database, both registries' bytes in an S3 bucket.
    case scaled(ScaledBackend)
}

/// A fresh PostgreSQL database and a fresh S3 server (moto, in memory) for one registry in one round.
///
/// Both registries use the same kind of S3 server so that the comparison is about them, not about the server; the
/// database is only Berth's (distribution keeps no metadata outside its storage).
final class ScaledBackend: @unchecked Sendable {
    static let bucket = "registry"
    static let accessKey = "bench-access-key"
    static let secretKey = "bench-secret-key"

    /// The database Berth uses (`database:`), created for this round.
    let databaseURL: String
    /// The S3 endpoint, `http://127.0.0.1:<port>`.
    let s3Endpoint: String
    private let databaseName: String
    private let serverURL: URLComponents
    private let moto: Process

    private init(databaseURL: String, databaseName: String, serverURL: URLComponents, s3Endpoint: String, moto: Process) {
        self.databaseURL = databaseURL
        self.databaseName = databaseName
        self.serverURL = serverURL
        self.s3Endpoint = s3Endpoint
        self.moto = moto
    }

    /// Creates a database on the PostgreSQL server at `postgresURL`, starts `moto_server` on a free port and creates
    /// the bucket.
    static func create(postgresURL: String, client: HTTPClient) async throws -> ScaledBackend {
        guard let server = URLComponents(string: postgresURL) else { throw BenchError("not a PostgreSQL URL: \(postgresURL)") }
        let name = "berth_bench_\(UUID().uuidString.prefix(8).lowercased())"
        try psql(server, "CREATE DATABASE \(name)")
        var database = server
        database.path = "/" + name

        let port = try freePort()
        let moto = Process()
        moto.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        moto.arguments = ["moto_server", "-H", "127.0.0.1", "-p", String(port)]
        moto.standardOutput = FileHandle.nullDevice
        moto.standardError = FileHandle(forWritingAtPath: "/dev/null")
        moto.standardInput = FileHandle.nullDevice
        try moto.run()
        let backend = ScaledBackend(databaseURL: database.string!, databaseName: name, serverURL: server,
                                    s3Endpoint: "http://127.0.0.1:\(port)", moto: moto)
        let start = ContinuousClock.now
        while true {
            // moto accepts unsigned requests unless it is told to check signatures.
            var request = HTTPClientRequest(url: backend.s3Endpoint + "/" + bucket)
            request.method = .PUT
            if let response = try? await client.execute(request, timeout: .seconds(2)) {
                _ = try? await response.body.collect(upTo: 1 << 16)
                if response.status == .ok { break }
            }
            guard moto.isRunning, seconds(since: start) < 30 else {
                backend.destroy()
                throw BenchError("moto_server did not start within 30 s (pip install 'moto[server]')")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return backend
    }

    /// Stops moto (its objects go with it) and drops the database.
    func destroy() {
        // SIGKILL: a child of Foundation's Process inherits the dispatch thread's blocked signals, SIGTERM among them.
        if moto.isRunning {
            kill(moto.processIdentifier, SIGKILL)
            moto.waitUntilExit()
        }
        try? Self.psql(serverURL, "DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)")
    }

    private static func psql(_ server: URLComponents, _ statement: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", "-q", "-h", server.host ?? "127.0.0.1", "-p", String(server.port ?? 5432),
                             "-U", server.user ?? "postgres", "-d", "postgres", "-c", statement]
        if let password = server.password {
            process.environment = ProcessInfo.processInfo.environment.merging(["PGPASSWORD": password]) { _, new in new }
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("psql failed: \(statement)") }
    }
}
