/// Limits transfer speed to a number of bytes per second (a replication policy's `speed`): callers take bytes before
/// they pass them on and are made to wait once they run ahead of the rate. Shared by every transfer of a client.
public actor BandwidthLimiter {
    /// The rate, bytes per second.
    public let bytesPerSecond: Int64
    private var start: ContinuousClock.Instant?
    private var taken: Int64 = 0

    /// A limiter at `bytesPerSecond` (at least 1 KiB/s).
    public init(bytesPerSecond: Int64) {
        self.bytesPerSecond = max(1024, bytesPerSecond)
    }

    /// Accounts for `count` bytes, waiting until the rate allows them.
    public func take(_ count: Int) async {
        let now = ContinuousClock.now
        let origin = start ?? now
        if start == nil { start = now }
        taken += Int64(max(0, count))
        let due = origin + .nanoseconds(Int64(Double(taken) / Double(bytesPerSecond) * 1_000_000_000))
        if due > now { try? await Task.sleep(until: due, clock: .continuous) }
    }
}
