import Logging
import NIOCore
import NIOPosix
import SQLiteKit
import SQLKit
import Synchronization

/// SQLite in WAL mode: one writer connection used under a lock (SQLite allows one writer at a time),
/// and several reader connections that run alongside it. `busy_timeout` lets several processes share the file.
public final class SQLiteDatabaseProvider: SQLDatabaseProvider {
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncLock()
    private let nextReader = Atomic<Int>(0)
    private let logger: Logger

    /// `sqlite`.
    public var flavor: SQLFlavor { .sqlite }

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], logger: Logger) {
        self.writer = writer
        self.readers = readers
        self.logger = logger
    }

    /// Opens (creating if needed) the database file at `path`.
    public static func open(path: String, readerCount: Int = 4, threadPool: NIOThreadPool, eventLoopGroup: any EventLoopGroup, logger: Logger) async throws -> SQLiteDatabaseProvider {
        func connect() async throws -> SQLiteConnection {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoopGroup.any())
            let db = connection.sql(queryLogLevel: nil)
            try await db.raw("PRAGMA busy_timeout = 10000").run()
            try await db.raw("PRAGMA foreign_keys = ON").run()
            return connection
        }
        let writer = try await connect()
        let db = writer.sql(queryLogLevel: nil)
        try await db.raw("PRAGMA journal_mode = WAL").run()
        try await db.raw("PRAGMA synchronous = NORMAL").run()
        var readers: [SQLiteConnection] = []
        for _ in 0 ..< max(1, readerCount) { readers.append(try await connect()) }
        return SQLiteDatabaseProvider(writer: writer, readers: readers, logger: logger)
    }

    public func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue % readers.count
        return try await body(readers[index].sql(queryLogLevel: nil))
    }

    public func write<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let db = writer.sql(queryLogLevel: nil)
        return try await writeLock.withLock { try await body(db) }
    }

    public func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let db = writer.sql(queryLogLevel: nil)
        return try await writeLock.withLock {
            try await db.raw("BEGIN IMMEDIATE").run()
            do {
                let result = try await body(db)
                // COMMIT and ROLLBACK run outside the caller's task: a cancelled task (a shutting-down service) must
                // not leave the shared writer connection inside an open transaction.
                try await Task { try await db.raw("COMMIT").run() }.value
                return result
            } catch {
                do { try await Task { try await db.raw("ROLLBACK").run() }.value } catch {
                    self.logger.error("rollback failed", metadata: ["error": "\(error)"])
                }
                throw error
            }
        }
    }

    public func shutdown() async {
        for connection in readers + [writer] {
            try? await connection.close()
        }
    }
}
