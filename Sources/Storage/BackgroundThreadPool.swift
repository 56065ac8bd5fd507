import CBerthSystem
import NIOConcurrencyHelpers
import NIOPosix

/// Thread pools for background work — garbage collection's listings and deletions — whose threads run at a lower
/// priority, so that requests served at the same time keep the processor (and, where the I/O scheduler honours it,
/// the disk) first.
public enum BackgroundThreadPool {
    /// The nice value background threads run at (requests run at 0).
    public static let nice: Int32 = 10

    /// Starts a pool of `threads` threads and lowers each one's priority before it takes any work.
    public static func start(threads: Int) async -> NIOThreadPool {
        let pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        let arrived = NIOLockedValueBox(0)
        let everyone = ConditionLock(value: false)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0 ..< threads {
                group.addTask {
                    // Each task waits until all have arrived, so each runs on a thread of its own.
                    try? await pool.runIfActive {
                        _ = berth_lower_thread_priority(nice)
                        if arrived.withLockedValue({ count in
                            count += 1
                            return count == threads
                        }) {
                            everyone.lock()
                            everyone.unlock(withValue: true)
                        }
                        everyone.lock(whenValue: true)
                        everyone.unlock()
                    }
                }
            }
        }
        return pool
    }

    /// The nice value of the calling thread (to check that work runs where it should).
    public static func currentNice() -> Int32 { berth_thread_priority() }
}
