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

/// Throwing work on a thread of its own (generating large test images: seconds of CPU that would otherwise hold one of
/// the few cooperative threads every test shares, and make timing-sensitive tests miss their deadlines).
func onOwnThread<T: Sendable>(throwing work: @escaping @Sendable () throws -> T) async throws -> T {
    try await onOwnThread { Result { try work() } }.get()
}
