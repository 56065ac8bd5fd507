import Foundation
import Logging
import Metadata
import NIOPosix
import Testing

/// The two metadata backends every store test runs on: a SQLite file, and a fresh database on the PostgreSQL server
/// named by `BERTH_TEST_POSTGRES_URL` (scripts/test starts one).
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    static var postgresURL: String? { ProcessInfo.processInfo.environment["BERTH_TEST_POSTGRES_URL"] }

    /// Runs `body` on a new, migrated, empty database of this kind and removes it afterwards; with `migrated: false`
    /// the database is empty and unmigrated.
    func withProvider(migrated: Bool = true, _ body: (any SQLDatabaseProvider) async throws -> Void) async throws {
        let logger = Logger(label: "test")
        switch self {
        case .sqlite:
            let path = NSTemporaryDirectory() + "berth-meta-\(UUID().uuidString).db"
            let provider = try await SQLiteDatabaseProvider.open(path: path, threadPool: .singleton, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
            defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
            try await Self.run(provider, migrated: migrated, body)
        case .postgres:
            guard let url = Self.postgresURL, var components = URLComponents(string: url) else {
                throw BackendUnavailable("BERTH_TEST_POSTGRES_URL is not set; scripts/test starts PostgreSQL and sets it")
            }
            let name = "berth_test_\(UUID().uuidString.prefix(8).lowercased())"
            let admin = try await PostgresDatabaseProvider.open(url: url, maximumConnections: 1, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
            try await admin.write { db in try await db.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
            components.path = "/" + name
            do {
                let provider = try await PostgresDatabaseProvider.open(url: components.string!, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
                try await Self.run(provider, migrated: migrated, body)
            } catch {
                try? await admin.write { db in try await db.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run() }
                await admin.shutdown()
                throw error
            }
            try await admin.write { db in try await db.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run() }
            await admin.shutdown()
        }
    }

    private static func run(_ provider: any SQLDatabaseProvider, migrated: Bool, _ body: (any SQLDatabaseProvider) async throws -> Void) async throws {
        let store = SQLRegistryStore(provider: provider)
        if migrated {
            try await store.migrate()
            try await store.migrate()  // idempotent
        }
        do { try await body(provider) } catch {
            await provider.shutdown()
            throw error
        }
        await provider.shutdown()
    }
}

/// The PostgreSQL backend was asked for but no server is configured.
struct BackendUnavailable: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
