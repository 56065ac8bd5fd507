import Foundation

/// Runs blocking work (reading a pipe until a process exits, polling a socket) on a thread of its own. GCD's global
/// queues have about one thread per core on Linux, so a few blocking reads there stall every other test's work.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: work()) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
