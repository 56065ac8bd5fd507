import Logging
import NIOCore
import NIOPosix
import SQLiteKit
import SQLKit
import Synchronization

/// SQLite in WAL mode: one writer connection used under a lock (SQLite allows one writer at a time),
/// and several reader connections that run alongside it. `busy_timeout` lets several processes share the file.
///
/// Each read has a reader connection to itself. SQLite keeps a connection's read snapshot while any statement on it
/// is active, so two reads sharing a connection share a snapshot: under load, with statements overlapping back to
/// back, a read that began after a commit could still miss it (found by the benchmark: a manifest PUT refused as
/// MANIFEST_BLOB_UNKNOWN right after its blob's upload had been answered 201).
public final class SQLiteDatabaseProvider: SQLDatabaseProvider {
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncLock()
    private let freeReaders: ConnectionLender
    private let logger: Logger

    /// `sqlite`.
    public var flavor: SQLFlavor { .sqlite }

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], logger: Logger) {
        self.writer = writer
        self.readers = readers
        self.freeReaders = ConnectionLender(count: readers.count)
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
        let index = await freeReaders.borrow()
        defer { freeReaders.giveBack(index) }
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

/// Lends out the indexes of a fixed set of connections, one borrower at a time each; borrowers that find none free
/// wait in arrival order.
final class ConnectionLender: Sendable {
    private struct State {
        var free: [Int]
        var waiting: [CheckedContinuation<Int, Never>] = []
    }
    private let state: Mutex<State>

    init(count: Int) { state = Mutex(State(free: Array(0 ..< count))) }

    /// A free connection's index, waiting for one when all are lent.
    func borrow() async -> Int {
        if let index = state.withLock({ $0.free.popLast() }) { return index }
        return await withCheckedContinuation { continuation in
            let index = state.withLock { state -> Int? in
                if let index = state.free.popLast() { return index }
                state.waiting.append(continuation)
                return nil
            }
            if let index { continuation.resume(returning: index) }
        }
    }

    /// Returns a connection: to the longest waiter, else to the free ones.
    func giveBack(_ index: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Int, Never>? in
            if !state.waiting.isEmpty { return state.waiting.removeFirst() }
            state.free.append(index)
            return nil
        }
        waiter?.resume(returning: index)
    }
}
