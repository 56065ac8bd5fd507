import Foundation
import Logging
import Metadata

/// What a job kind does. Handlers must be idempotent: a job whose worker died is run again.
public protocol JobHandler: Sendable {
    /// The kind this handler runs.
    var kind: String { get }
    /// Runs one job; throwing counts as a failed attempt.
    func run(_ job: JobRecord) async throws
}

/// Runs the durable queue: fires due schedules, leases due jobs, runs them with their handler while renewing the
/// lease, and records success, retry with exponential backoff, or the dead-letter state.
public struct JobQueue: Sendable {
    let store: any JobStore
    let handlers: [String: any JobHandler]
    let owner: String
    let logger: Logger
    /// How long a lease lasts before another worker may take the job.
    public let leaseMilliseconds: Int64
    /// Attempts before a job is dead.
    public let maxAttempts: Int
    /// Signalled when jobs were queued in this instance (by event subscribers): the next pass starts at once instead
    /// of at the next tick.
    let wake: WakeSignal?

    /// Creates the queue for `handlers`; `owner` names this worker in leases.
    public init(store: any JobStore, handlers: [any JobHandler], owner: String = "worker-" + UUID().uuidString.prefix(8).lowercased(),
                logger: Logger, leaseMilliseconds: Int64 = 60_000, maxAttempts: Int = 5, wake: WakeSignal? = nil) {
        self.wake = wake
        self.store = store
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        self.owner = owner
        self.logger = logger
        self.leaseMilliseconds = leaseMilliseconds
        self.maxAttempts = maxAttempts
    }

    /// Makes sure a schedule exists with this cron expression (keeping its due time when the expression is unchanged).
    public func ensureSchedule(name: String, kind: String, cron: String, payload: String = "{}", now: Date = Date()) async throws {
        let expression = try CronExpression(cron)
        if let existing = try await store.schedules().first(where: { $0.name == name }), existing.cron == cron, existing.kind == kind {
            return
        }
        let next = expression.next(after: now) ?? now.addingTimeInterval(86_400)
        try await store.upsertSchedule(ScheduleRecord(name: name, kind: kind, cron: cron, payload: payload, paused: false,
                                                      nextRunAt: Int64(next.timeIntervalSince1970 * 1000), updatedAt: Clock.nowMilliseconds()))
    }

    /// Enqueues the jobs of schedules that are due (one instance wins each firing).
    @discardableResult
    public func fireDueSchedules(now: Date = Date()) async throws -> [JobRecord] {
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        var fired: [JobRecord] = []
        for schedule in try await store.schedules() where !schedule.paused && schedule.nextRunAt <= nowMs {
            guard let expression = try? CronExpression(schedule.cron) else { continue }
            let next = expression.next(after: now) ?? now.addingTimeInterval(86_400)
            if let job = try await store.fireSchedule(name: schedule.name, expected: schedule.nextRunAt,
                                                      nextRunAt: Int64(next.timeIntervalSince1970 * 1000), maxAttempts: maxAttempts, now: nowMs) {
                fired.append(job)
            }
        }
        return fired
    }

    /// Leases and runs due jobs until none is left, up to `limit` at a time side by side (so one slow job, such as a
    /// webhook whose receiver does not answer, does not hold up the others); returns how many ran.
    @discardableResult
    public func runDueJobs(limit: Int = 8) async throws -> Int {
        var ran = 0
        while true {
            let jobs = try await store.claim(kinds: Array(handlers.keys), owner: owner, now: Clock.nowMilliseconds(),
                                             leaseMilliseconds: leaseMilliseconds, limit: limit)
            guard !jobs.isEmpty else { return ran }
            await withTaskGroup(of: Void.self) { group in
                for job in jobs { group.addTask { await self.run(job) } }
            }
            ran += jobs.count
        }
    }

    /// Runs the queue until `keepGoing` says stop: every `tick` (and whenever a job ends) it fires due schedules and
    /// leases due jobs into free slots, up to `limit` running side by side. A long job (an external scan waiting for
    /// its scanner, a scan-all) holds one slot, not the queue: the jobs it waits for (an adapter scan on the same
    /// instance) and every other job keep running. Pass failures are logged and retried at the next tick; running
    /// jobs are awaited before it returns.
    public func runContinuously(limit: Int = 8, tick: Duration = .seconds(1), keepGoing: @escaping @Sendable () -> Bool) async {
        await withTaskGroup(of: Bool.self) { group in
            var running = 0
            var ticking = false
            var scheduleDue = true
            while keepGoing() {
                do {
                    // Schedules are looked at once per tick, not after every job (many short jobs would make it a hot loop).
                    if scheduleDue {
                        scheduleDue = false
                        _ = try await fireDueSchedules()
                    }
                    if running < limit {
                        let jobs = try await store.claim(kinds: Array(handlers.keys), owner: owner, now: Clock.nowMilliseconds(),
                                                         leaseMilliseconds: leaseMilliseconds, limit: limit - running)
                        for job in jobs {
                            group.addTask { await self.run(job); return true }
                        }
                        running += jobs.count
                        // A full batch may mean more are due: claim again at once.
                        if !jobs.isEmpty && running < limit { continue }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.error("job queue pass failed", metadata: ["error": "\(error)"])
                }
                if !ticking {
                    ticking = true
                    let wake = self.wake
                    group.addTask {
                        if let wake { await wake.wait(timeout: tick) } else { try? await Task.sleep(for: tick) }
                        return false
                    }
                }
                // Wait for a job to end or for the tick, whichever comes first.
                guard let finishedJob = await group.next() else { continue }
                if finishedJob {
                    running -= 1
                } else {
                    ticking = false
                    scheduleDue = true
                }
            }
            group.cancelAll()
        }
    }

    /// Runs one leased job, renewing its lease while it runs.
    func run(_ job: JobRecord) async {
        guard let handler = handlers[job.kind] else { return }
        let store = self.store, owner = self.owner, lease = leaseMilliseconds
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while true {
                        try await Task.sleep(for: .milliseconds(lease / 3))
                        _ = try await store.renewLease(id: job.id, owner: owner, now: Clock.nowMilliseconds(), leaseMilliseconds: lease)
                    }
                }
                try await handler.run(job)
                group.cancelAll()
            }
            _ = try await store.complete(id: job.id, owner: owner, now: Clock.nowMilliseconds())
            logger.info("job done", metadata: ["job": "\(job.id)", "kind": "\(job.kind)", "attempt": "\(job.attempts)"])
        } catch {
            // Shutting down: the lease runs out and the job is taken up again (here after a restart, or by another instance).
            if Task.isCancelled {
                logger.info("job interrupted by shutdown", metadata: ["job": "\(job.id)", "kind": "\(job.kind)"])
                return
            }
            let backoff = Self.backoffMilliseconds(attempt: job.attempts)
            let now = Clock.nowMilliseconds()
            _ = try? await store.fail(id: job.id, owner: owner, error: String(describing: error), retryAt: now + backoff, now: now)
            logger.warning("job failed", metadata: ["job": "\(job.id)", "kind": "\(job.kind)", "attempt": "\(job.attempts)",
                                                    "of": "\(job.maxAttempts)", "error": "\(error)"])
        }
    }

    /// 1 s, 2 s, 4 s, … up to 5 minutes (also the pause between a webhook notification's attempts).
    public static func backoffMilliseconds(attempt: Int) -> Int64 {
        min(300_000, 1000 << min(max(attempt - 1, 0), 20))
    }
}
