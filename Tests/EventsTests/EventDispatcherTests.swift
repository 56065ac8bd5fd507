import Events
import Foundation
import Logging
import Metadata
import NIOPosix
import SQLKit
import Synchronization
import Testing

/// The dispatcher on a real SQLite database: every subscriber sees every event once, a failing subscriber makes
/// the whole batch wait (nothing half-kept), `wake()` starts a pass at once, and a clean stop hands over what waits.
@Suite("Event dispatcher")
struct EventDispatcherTests {
    /// Records the events it is handed in a table of its own (on the dispatcher's transaction), failing while told to.
    struct TableSubscriber: EventSubscriber {
        let name: String
        let failures: FailureBudget
        func handle(_ events: [DomainEvent], on db: any SQLDatabase) async throws {
            for event in events {
                try await db.raw("INSERT INTO \(unsafeRaw: name) (event_id, type) VALUES (\(bind: event.eventID), \(bind: event.event.type.rawValue))").run()
            }
            if await failures.take() { throw SubscriberFailure() }
        }
    }

    struct SubscriberFailure: Error {}

    actor FailureBudget {
        var remaining: Int
        init(_ remaining: Int) { self.remaining = remaining }
        func take() -> Bool {
            guard remaining > 0 else { return false }
            remaining -= 1
            return true
        }
    }

    static func withDatabase(_ body: (any SQLDatabaseProvider) async throws -> Void) async throws {
        let path = NSTemporaryDirectory() + "berth-events-\(UUID().uuidString).db"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let provider = try await SQLiteDatabaseProvider.open(path: path, threadPool: .singleton, eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                                                             logger: Logger(label: "test"))
        try await SQLRegistryStore(provider: provider).migrate()
        for table in ["audit_copy", "webhook_copy"] {
            try await provider.write { db in try await db.raw("CREATE TABLE \(unsafeRaw: table) (event_id TEXT PRIMARY KEY, type TEXT NOT NULL)").run() }
        }
        do { try await body(provider) } catch {
            await provider.shutdown()
            throw error
        }
        await provider.shutdown()
    }

    static func rows(_ table: String, _ provider: any SQLDatabaseProvider) async throws -> [String] {
        try await provider.read { db in
            try await db.raw("SELECT event_id FROM \(unsafeRaw: table) ORDER BY event_id").all().map { try $0.decode(column: "event_id", as: String.self) }
        }
    }

    static func event(_ n: Int) -> NewEvent {
        NewEvent(type: n % 2 == 0 ? .pushArtifact : .deleteArtifact, projectID: 1, repository: "library/app", digest: nil, tags: ["t\(n)"],
                 operatorName: "bob", occurredAt: Int64(n))
    }

    @Test("each subscriber gets each event once; a failing subscriber undoes the batch for all and it is handed over again")
    func onceForEverySubscriber() async throws {
        try await Self.withDatabase { provider in
            let outbox = EventOutbox(provider: provider)
            let audit = TableSubscriber(name: "audit_copy", failures: FailureBudget(0))
            let webhooks = TableSubscriber(name: "webhook_copy", failures: FailureBudget(1))
            let dispatcher = EventDispatcher(outbox: outbox, subscribers: [audit, webhooks], logger: Logger(label: "test"), batchSize: 4)
            let stored = try await outbox.append((0 ..< 10).map(Self.event))

            await #expect(throws: SubscriberFailure.self) { try await dispatcher.drain() }
            #expect(try await Self.rows("audit_copy", provider).isEmpty, "the audit subscriber's rows of the failed batch were kept")
            #expect(try await outbox.backlog() == 10)

            #expect(try await dispatcher.drain() == 10)
            let ids = stored.map(\.eventID).sorted()
            #expect(try await Self.rows("audit_copy", provider) == ids)
            #expect(try await Self.rows("webhook_copy", provider) == ids)
            #expect(try await dispatcher.drain() == 0)
        }
    }

    @Test("wake() starts a pass at once; stopping hands over what is still waiting")
    func wakeAndStop() async throws {
        try await Self.withDatabase { provider in
            let outbox = EventOutbox(provider: provider)
            let dispatcher = EventDispatcher(outbox: outbox, subscribers: [TableSubscriber(name: "audit_copy", failures: FailureBudget(0))],
                                             logger: Logger(label: "test"), pollInterval: .seconds(60))
            let loop = Task { await dispatcher.run() }
            try await Task.sleep(for: .milliseconds(200))  // the loop's first pass finds nothing and waits (60 s)
            let first = try await outbox.append([Self.event(1)])
            dispatcher.wake()
            let deadline = ContinuousClock.now + .seconds(10)
            while try await Self.rows("audit_copy", provider).isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await Self.rows("audit_copy", provider) == first.map(\.eventID), "a woken dispatcher did not pass within 10 s")

            let last = try await outbox.append([Self.event(2)])
            loop.cancel()
            dispatcher.wake()
            await loop.value
            #expect(try await Self.rows("audit_copy", provider) == (first + last).map(\.eventID).sorted())
            #expect(try await outbox.backlog() == 0)
        }
    }

    /// Counts the batches it is handed and their events.
    final class BatchCounter: EventSubscriber, Sendable {
        let batches = Mutex<[Int]>([])
        var name: String { "batch_counter" }
        func handle(_ events: [DomainEvent], on db: any SQLDatabase) async throws {
            batches.withLock { $0.append(events.count) }
        }
    }

    @Test("changes that keep coming are handed over together, at most one pass per gathering interval")
    func gathering() async throws {
        try await Self.withDatabase { provider in
            let outbox = EventOutbox(provider: provider)
            let counter = BatchCounter()
            let dispatcher = EventDispatcher(outbox: outbox, subscribers: [counter], logger: Logger(label: "test"), pollInterval: .seconds(60),
                                             gatherInterval: .milliseconds(500))
            let loop = Task { await dispatcher.run() }
            try await Task.sleep(for: .milliseconds(700))  // the first pass finds nothing, and a quiet spell follows
            // 40 changes over about a second, each waking the dispatcher as a committed push does.
            let started = ContinuousClock.now
            for n in 0 ..< 40 {
                _ = try await outbox.append([Self.event(n)])
                dispatcher.wake()
                try await Task.sleep(for: .milliseconds(25))
            }
            let elapsed = ContinuousClock.now - started
            let deadline = ContinuousClock.now + .seconds(10)
            while try await outbox.backlog() > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            loop.cancel()
            dispatcher.wake()
            await loop.value
            let batches = counter.batches.withLock { $0 }
            #expect(batches.reduce(0, +) == 40)
            // One pass per 500 ms while they came (the first at once), and the pass after the last ones.
            let most = Int((elapsed / .milliseconds(500)).rounded(.up)) + 2
            #expect(batches.count <= most, "\(batches.count) passes for 40 changes in \(elapsed): \(batches)")
            // Handed over at once (waiting the interval would gather about 20); a loaded machine may let a few more in.
            #expect((batches.first ?? 0) < 10, "the first change after a quiet spell is handed over at once: \(batches)")
        }
    }
}
