import NIOPosix
import Storage
import Testing

/// Background work runs below requests: every thread of a background pool has taken the lower nice value before it
/// does any work, while the threads requests use keep theirs.
@Suite("Background thread pool")
struct BackgroundThreadPoolTests {
    @Test("every thread of a background pool runs at the lower priority; other pools are untouched")
    func lowered() async throws {
        let background = await BackgroundThreadPool.start(threads: 3)
        let ordinary = NIOThreadPool(numberOfThreads: 2)
        ordinary.start()
        let seen = try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0 ..< 30 { group.addTask { try await background.runIfActive { BackgroundThreadPool.currentNice() } } }
            return try await group.reduce(into: Set<Int32>()) { $0.insert($1) }
        }
        #expect(seen == [BackgroundThreadPool.nice])
        let normal = try await ordinary.runIfActive { BackgroundThreadPool.currentNice() }
        #expect(normal < BackgroundThreadPool.nice)
        try await background.shutdownGracefully()
        try await ordinary.shutdownGracefully()
    }
}
