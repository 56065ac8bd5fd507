import Foundation
import Jobs
import Logging
import Metadata
import Synchronization
import Testing

/// The durable queue on SQLite and PostgreSQL: leases, expiry and takeover, retries with backoff, the dead-letter
/// state, schedules fired once, and concurrent claimers never sharing a job.
@Suite("Job queue")
struct JobStoreTests {
    struct Flaky: JobHandler {
        let kind = "flaky"
        func run(_ job: JobRecord) async throws {
            if job.payload == "always-fails" { throw StoreTestError("boom") }
        }
    }

    @Test("claims lease due jobs once; expired leases are taken over; failures retry and then go dead", arguments: Backend.allCases)
    func leasesAndRetries(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let store = SQLJobStore(provider: provider)
            let due = try await store.enqueue(kind: "k", payload: "{}", runAt: 1000, maxAttempts: 2, now: 1000)
            _ = try await store.enqueue(kind: "k", payload: "{}", runAt: 9000, maxAttempts: 2, now: 1000)
            _ = try await store.enqueue(kind: "other", payload: "{}", runAt: 1000, maxAttempts: 2, now: 1000)
            let first = try await store.claim(kinds: ["k"], owner: "a", now: 2000, leaseMilliseconds: 1000, limit: 10)
            #expect(first.map(\.id) == [due.id])
            #expect(first.first?.attempts == 1)
            #expect(try await store.claim(kinds: ["k"], owner: "b", now: 2500, leaseMilliseconds: 1000, limit: 10).isEmpty)
            // Worker a dies: its lease runs out and b takes the job over; a can no longer finish it.
            let takeover = try await store.claim(kinds: ["k"], owner: "b", now: 3100, leaseMilliseconds: 1000, limit: 10)
            #expect(takeover.map(\.id) == [due.id] && takeover.first?.attempts == 2)
            #expect(try await store.complete(id: due.id, owner: "a", now: 3200) == false)
            #expect(try await store.fail(id: due.id, owner: "b", error: "boom", retryAt: 4000, now: 3200))
            let dead = try #require(try await store.job(id: due.id))
            #expect(dead.status == .dead && dead.lastError == "boom")

            let retry = try await store.enqueue(kind: "k2", payload: "{}", runAt: 0, maxAttempts: 3, now: 0)
            _ = try await store.claim(kinds: ["k2"], owner: "a", now: 10, leaseMilliseconds: 1000, limit: 1)
            #expect(try await store.fail(id: retry.id, owner: "a", error: "try later", retryAt: 5000, now: 20))
            #expect(try await store.job(id: retry.id)?.status == .pending)
            #expect(try await store.claim(kinds: ["k2"], owner: "a", now: 4000, leaseMilliseconds: 1000, limit: 1).isEmpty)
            #expect(try await store.claim(kinds: ["k2"], owner: "a", now: 5000, leaseMilliseconds: 1000, limit: 1).count == 1)
            #expect(try await store.complete(id: retry.id, owner: "a", now: 5100))
            #expect(try await store.job(id: retry.id)?.status == .succeeded)
            let counts = try await store.jobCounts()
            #expect(counts.contains { $0.kind == "k2" && $0.status == .succeeded && $0.count == 1 })
        }
    }

    @Test("concurrent claimers never get the same job", arguments: Backend.allCases)
    func concurrentClaims(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let store = SQLJobStore(provider: provider)
            for _ in 0 ..< 40 { _ = try await store.enqueue(kind: "k", payload: "{}", runAt: 0, maxAttempts: 1, now: 0) }
            let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for worker in 0 ..< 8 {
                    group.addTask {
                        var mine: [Int64] = []
                        while true {
                            let jobs = try await store.claim(kinds: ["k"], owner: "w\(worker)", now: 100, leaseMilliseconds: 60_000, limit: 3)
                            if jobs.isEmpty { return mine }
                            mine += jobs.map(\.id)
                        }
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0 += $1 }
            }
            #expect(claimed.count == 40)
            #expect(Set(claimed).count == 40)
        }
    }

    @Test("a due schedule fires once however many instances try, and the queue runs its job with retries", arguments: Backend.allCases)
    func schedules(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let store = SQLJobStore(provider: provider)
            let queues = (0 ..< 3).map { JobQueue(store: store, handlers: [Flaky()], owner: "i\($0)", logger: Logger(label: "test")) }
            try await queues[0].ensureSchedule(name: "tick", kind: "flaky", cron: "* * * * * *", now: Date(timeIntervalSince1970: 100))
            try await queues[1].ensureSchedule(name: "tick", kind: "flaky", cron: "* * * * * *", now: Date(timeIntervalSince1970: 100))
            let now = Date(timeIntervalSince1970: 200)
            async let a = queues[0].fireDueSchedules(now: now)
            async let b = queues[1].fireDueSchedules(now: now)
            async let c = queues[2].fireDueSchedules(now: now)
            let fired = try await a + b + c
            #expect(fired.count == 1)
            #expect(try await store.schedules().first?.nextRunAt == 201_000)
            #expect(try await queues[1].runDueJobs() == 1)
            #expect(try await store.job(id: fired[0].id)?.status == .succeeded)

            let failing = try await store.enqueue(kind: "flaky", payload: "always-fails", runAt: 0, maxAttempts: 2, now: 0)
            let beforeRun = Clock.nowMilliseconds()
            #expect(try await queues[0].runDueJobs() == 1)
            let retried = try #require(try await store.job(id: failing.id))
            // Due again a second after its failed run (compared with the time before the run: a loaded machine may
            // take longer than that to get here).
            #expect(retried.status == .pending && retried.attempts == 1 && retried.runAt >= beforeRun + 1000)
            // Queue statistics: one pending "flaky" job (the retried one), none of another kind that only succeeded.
            _ = try await store.enqueue(kind: "other", payload: "", runAt: 5, maxAttempts: 1, now: 0)
            _ = try await store.enqueue(kind: "other", payload: "", runAt: 3, maxAttempts: 1, now: 0)
            let stats = try await store.pendingByKind()
            #expect(stats.map(\.kind) == ["flaky", "other"])
            #expect(stats.first { $0.kind == "flaky" }?.pending == 1 && stats.first { $0.kind == "flaky" }?.oldestDue == retried.runAt)
            #expect(stats.first { $0.kind == "other" }?.pending == 2 && stats.first { $0.kind == "other" }?.oldestDue == 3)
        }
    }
}

extension JobStoreTests {
    /// A value shared between a test and its job handlers.
    final class Shared<Value: Sendable>: Sendable {
        let state: Mutex<Value>
        init(_ value: Value) { state = Mutex(value) }
        var value: Value { state.withLock { $0 } }
        func set(_ value: Value) { state.withLock { $0 = value } }
    }

    /// A job that runs until `release` is set: an external scan waiting for its scanner.
    struct Waiting: JobHandler {
        let kind = "waiting"
        let release: Shared<Bool>
        func run(_ job: JobRecord) async throws {
            while !release.value { try await Task.sleep(for: .milliseconds(20)) }
        }
    }

    /// Records that it ran.
    struct Quick: JobHandler {
        let kind = "quick"
        let ran: Shared<Int>
        func run(_ job: JobRecord) async throws { ran.state.withLock { $0 += 1 } }
    }

    @Test("the continuous queue fills a freed slot at once: jobs queued while a long one runs finish before it, and it stops when told", arguments: [Backend.sqlite])
    func longJobsHoldOneSlot(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let store = SQLJobStore(provider: provider)
            let release = Shared(false), ran = Shared(0), stop = Shared(false)
            let queue = JobQueue(store: store, handlers: [Waiting(release: release), Quick(ran: ran)], owner: "solo", logger: Logger(label: "test"))
            let long = try await store.enqueue(kind: "waiting", payload: "", runAt: 0, maxAttempts: 1, now: 0)
            let worker = Task { await queue.runContinuously(limit: 2, tick: .milliseconds(50), keepGoing: { !stop.value }) }
            #expect(try await waitUntil { try await store.job(id: long.id)?.status == .running })
            for _ in 0 ..< 5 { _ = try await store.enqueue(kind: "quick", payload: "", runAt: 0, maxAttempts: 1, now: Clock.nowMilliseconds()) }
            // One slot is the long job's; the other takes the five quick jobs one after another while it runs.
            #expect(try await waitUntil { ran.value == 5 })
            #expect(try await store.job(id: long.id)?.status == .running)
            release.set(true)
            #expect(try await waitUntil { try await store.job(id: long.id)?.status == .succeeded })
            stop.set(true)
            await worker.value
        }
    }

    func waitUntil(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}

struct StoreTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
