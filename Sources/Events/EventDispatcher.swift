import Logging
import Metadata
import Metrics
import Synchronization

/// Hands outbox events to the subscribers. Every instance runs one; on PostgreSQL they take disjoint batches.
/// `wake()` (called by the instance that just recorded events) starts the next pass at once; events recorded by
/// other instances are picked up within `pollInterval`. Under load, passes are at least `gatherInterval` apart, so a
/// pass hands over the events of many changes at once instead of one transaction (and one delivery job) per push.
public struct EventDispatcher: Sendable {
    let outbox: EventOutbox
    let subscribers: [any EventSubscriber]
    let logger: Logger
    let signal = WakeSignal()
    /// Events per transaction.
    public let batchSize: Int
    /// How long an idle dispatcher waits before looking again.
    public let pollInterval: Duration
    /// The least time from the start of one pass to the start of the next: a wake that comes sooner waits for it.
    public let gatherInterval: Duration
    /// Called after a pass that handed events over (their subscribers may have queued jobs: wake the job queue).
    let afterDispatch: (@Sendable () -> Void)?

    /// Creates a dispatcher over `outbox` for `subscribers`.
    public init(outbox: EventOutbox, subscribers: [any EventSubscriber], logger: Logger, batchSize: Int = 200,
                pollInterval: Duration = .milliseconds(500), gatherInterval: Duration = .milliseconds(100),
                afterDispatch: (@Sendable () -> Void)? = nil) {
        self.afterDispatch = afterDispatch
        self.outbox = outbox
        self.subscribers = subscribers
        self.logger = logger
        self.batchSize = max(1, batchSize)
        self.pollInterval = pollInterval
        self.gatherInterval = gatherInterval
    }

    /// Dispatches everything waiting, batch after batch; returns how many events were handed over.
    @discardableResult
    public func drain(now: @escaping @Sendable () -> Int64 = Clock.nowMilliseconds) async throws -> Int {
        var total = 0
        let subscribers = self.subscribers
        while true {
            let types = Mutex<[String: Int]>([:])
            let count = try await outbox.dispatch(limit: batchSize, now: now()) { events, db in
                for subscriber in subscribers { try await subscriber.handle(events, on: db) }
                types.withLock { counts in
                    counts = [:]
                    for event in events { counts[event.event.type.rawValue, default: 0] += 1 }
                }
            }
            // Counted once committed: a batch whose transaction failed is counted when it is dispatched again.
            for (type, n) in types.withLock({ $0 }) {
                Counter(label: "berth_events_dispatched_total", dimensions: [("type", type)]).increment(by: n)
            }
            total += count
            if count > 0 { afterDispatch?() }
            if count < batchSize { return total }
        }
    }

    /// Asks the running loop to look at the outbox now.
    public func wake() { signal.signal() }

    /// Asks the running loop to finish: it ends after its current pass and one last pass. Unlike cancelling its
    /// task, this never interrupts a pass in the middle of its transaction.
    public func stop() { signal.stop() }

    /// Drains, then waits for `wake()` or the polling interval, until `stop()` is called or the task is cancelled; a
    /// last drain follows, so events recorded before a clean shutdown are handed over. A failed pass is logged and
    /// retried after a growing pause (up to 30 s), so a database outage does not spin.
    public func run() async {
        var failures = 0
        var lastPass: ContinuousClock.Instant? = nil
        while !Task.isCancelled && !signal.isStopped {
            // The first event after a quiet spell is handed over at once; while changes keep coming, they gather.
            if let lastPass, case let since = ContinuousClock.now - lastPass, since < gatherInterval {
                try? await Task.sleep(for: gatherInterval - since)
            }
            lastPass = .now
            do {
                try await drain()
                failures = 0
                await signal.wait(timeout: pollInterval)
            } catch {
                failures += 1
                logger.error("event dispatch failed; retrying", metadata: ["error": "\(error)", "failures": "\(failures)"])
                await signal.wait(timeout: .milliseconds(min(30_000, 250 << min(failures, 7))))
            }
        }
        // The last pass runs in a task of its own: if this one was cancelled, database calls would refuse to start.
        let dispatcher = self
        await Task {
            do { try await dispatcher.drain() } catch {
                dispatcher.logger.error("last event dispatch before shutdown failed; the events wait in the outbox", metadata: ["error": "\(error)"])
            }
        }.value
    }
}
