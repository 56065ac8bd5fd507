import Foundation
import Logging
import NIOPosix
import Metadata
import SQLKit
import Synchronization
import Testing

/// A read that starts after a write committed sees it, also while other reads keep every reader connection busy
/// (the benchmark found pushes refused because a read shared a connection, and so an older snapshot, with a slow one).
@Suite("Read after write")
struct ReadAfterWriteTests {
    /// What the concurrent tasks share.
    final class Shared: Sendable {
        let stop = Atomic<Bool>(false)
        let missed = Mutex<[Int]>([])
    }

    /// SQLite only: PostgreSQL connections come from a pool that lends each to one caller at a time already.
    @Test("SQLite: every row written is seen by the next read, while slow reads run alongside")
    func readAfterWrite() async throws {
        do {
            // As Berth opens it: its own pool of four threads for the writer and the four readers.
            let path = NSTemporaryDirectory() + "berth-raw-\(UUID().uuidString).db"
            defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
            let pool = NIOThreadPool(numberOfThreads: 4)
            pool.start()
            let provider = try await SQLiteDatabaseProvider.open(path: path, threadPool: pool, eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                                                                 logger: Logger(label: "test"))
            do { try await Self.check(provider) } catch {
                await provider.shutdown()
                try await pool.shutdownGracefully()
                throw error
            }
            await provider.shutdown()
            try await pool.shutdownGracefully()
        }
    }

    static func check(_ provider: any SQLDatabaseProvider) async throws {
        do {
            try await provider.write { db in
                try await db.raw("CREATE TABLE marks (id BIGINT PRIMARY KEY)").run()
                try await db.raw("CREATE TABLE big (v BIGINT)").run()
                try await db.raw("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) INSERT INTO big SELECT x FROM c").run()
            }
            let shared = Shared()
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Three slow reads back to back (a hundred rows, each a scan of `big`, so each statement stays active
                // for a while between its steps), leaving one of the pool's four threads for the checker. A read that
                // shared a connection with one of them would see that statement's older snapshot.
                for _ in 0 ..< 3 {
                    group.addTask {
                        while !shared.stop.load(ordering: .relaxed) {
                            _ = try await provider.read { db in
                                try await db.raw("""
                                    WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100)
                                    SELECT x, (SELECT COUNT(*) FROM big WHERE v > x) AS n FROM c
                                    """).all()
                            }
                        }
                    }
                }
                group.addTask {
                    defer { shared.stop.store(true, ordering: .relaxed) }
                    for id in 0 ..< 40 {
                        try await provider.write { db in try await db.raw("INSERT INTO marks (id) VALUES (\(bind: id))").run() }
                        let seen = try await provider.read { db in
                            try await db.raw("SELECT id FROM marks WHERE id = \(bind: id)").first() != nil
                        }
                        if !seen { shared.missed.withLock { $0.append(id) } }
                    }
                }
                try await group.waitForAll()
            }
            let misses = shared.missed.withLock { $0 }
            #expect(misses.isEmpty, "\(misses.count) of 40 rows were not seen by the read right after their write: \(misses.prefix(10))")
        }
    }
}
