import Foundation
import Logging
import NIOCore
import PostgresKit
import SQLKit

/// PostgreSQL through PostgresNIO's connection pool. Reads and single writes take any pooled connection;
/// transactions run on one connection between `BEGIN` and `COMMIT` and are retried (with a short backoff) when the
/// server aborts them for a serialization failure or a deadlock.
public final class PostgresDatabaseProvider: SQLDatabaseProvider {
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger

    /// `postgres`.
    public var flavor: SQLFlavor { .postgres }

    private init(client: PostgresClient, runner: Task<Void, Never>, logger: Logger) {
        self.client = client
        self.runner = runner
        self.logger = logger
    }

    /// Connects to `url` (`postgres://user:password@host:port/database?sslmode=disable|prefer|require`).
    public static func open(url: String, maximumConnections: Int = 20, eventLoopGroup: any EventLoopGroup,
                            logger: Logger) async throws -> PostgresDatabaseProvider {
        var configuration = try configuration(from: url)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(10)
        let client = PostgresClient(configuration: configuration, eventLoopGroup: eventLoopGroup, backgroundLogger: logger)
        // The pool works only while run() does; the provider owns that task and ends it in shutdown().
        let runner = Task { await client.run() }
        for _ in 0 ..< 3 { await Task.yield() }  // let run() begin before the first lease
        let provider = PostgresDatabaseProvider(client: client, runner: runner, logger: logger)
        do {
            _ = try await provider.read { db in try await db.raw("SELECT 1 AS one").first() }
        } catch {
            await provider.shutdown()
            throw DatabaseURLError("cannot connect to PostgreSQL at \(redacted(url)): \(String(describing: error).prefix(300))")
        }
        return provider
    }

    /// The client configuration for a `postgres://` URL.
    static func configuration(from url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, !host.isEmpty else {
            throw DatabaseURLError("the PostgreSQL URL must look like postgres://user:password@host:5432/database")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user?.removingPercentEncoding ?? "postgres",
            password: components.password?.removingPercentEncoding, database: database.isEmpty ? nil : database, tls: tls)
    }

    /// The URL with its password hidden, for messages.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "the configured URL" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "the configured URL"
    }

    public func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await client.withConnection { connection in try await body(connection.sql(queryLogLevel: nil)) }
    }

    public func write<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await client.withConnection { connection in try await body(connection.sql(queryLogLevel: nil)) }
    }

    public func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withConnection { connection in
                    let db = connection.sql(queryLogLevel: nil)
                    try await db.raw("BEGIN").run()
                    do {
                        let result = try await body(db)
                        // Outside the caller's task, so a cancelled task does not return the connection to the
                        // pool inside an open transaction.
                        try await Task { try await db.raw("COMMIT").run() }.value
                        return result
                    } catch {
                        try? await Task { try await db.raw("ROLLBACK").run() }.value
                        throw error
                    }
                }
            } catch let error as PSQLError where attempt < 6 && Self.isRetryable(error) {
                logger.debug("retrying a transaction", metadata: ["attempt": "\(attempt)", "sqlstate": "\(error.serverInfo?[.sqlState] ?? "")"])
                try await Task.sleep(for: .milliseconds(5 * (1 << attempt) + Int.random(in: 0 ... 10)))
            }
        }
    }

    /// Serialization failures and deadlocks: the transaction may simply be run again.
    static func isRetryable(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }

    public func shutdown() async {
        runner.cancel()
        _ = await runner.value
    }
}

/// A database URL that cannot be used.
public struct DatabaseURLError: Error, CustomStringConvertible, Sendable {
    /// What is wrong (never with the password).
    public let description: String
    /// Creates the error.
    public init(_ description: String) { self.description = description }
}
