import Foundation
import Metadata
import SQLKit
import Testing

/// The outbox on SQLite and PostgreSQL: events stored with the change that records them or not at all, dispatched
/// once with the subscribers' work in the same transaction, taken again after a failed dispatch, and shared out
/// among concurrent dispatchers without overlap.
@Suite("Event outbox")
struct EventOutboxTests {
    static func push(_ n: Int, repository: String = "library/app") -> NewEvent {
        NewEvent(type: .pushArtifact, projectID: 1, repository: repository, digest: "sha256:\(String(repeating: "a", count: 63))\(n % 10)",
                 tags: ["v\(n)"], operatorName: "alice", occurredAt: Int64(1000 + n), payload: #"{"size":\#(n)}"#)
    }

    @Test("events are stored with their change or not at all, and read back as written", arguments: Backend.allCases)
    func transactional(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let outbox = EventOutbox(provider: provider)
            // A change that fails after recording its event leaves no event.
            await #expect(throws: StoreTestError.self) {
                try await provider.transaction { db in
                    try await EventOutbox.append([Self.push(1)], on: db)
                    throw StoreTestError("the change failed")
                }
            }
            #expect(try await outbox.backlog() == 0)

            let stored = try await provider.transaction { db in try await EventOutbox.append([Self.push(2), Self.push(3)], on: db) }
            #expect(stored.map(\.event) == [Self.push(2), Self.push(3)])
            #expect(Set(stored.map(\.eventID)).count == 2 && stored.allSatisfy { UUID(uuidString: $0.eventID) != nil })
            #expect(try await outbox.backlog() == 2)
            let systemWide = NewEvent(type: .replication, projectID: nil, repository: "", digest: nil, tags: [], operatorName: "",
                                      occurredAt: 5, payload: #"{"policy":"nightly"}"#)
            let again = try #require(try await outbox.append([systemWide]).first)
            #expect(try await outbox.event(id: again.eventID)?.event == systemWide)
            #expect(try await outbox.event(id: again.eventID)?.dispatchedAt == nil)
            // A batch larger than one INSERT statement keeps its order.
            let many = (10 ..< 260).map { Self.push($0) }
            #expect(try await outbox.append(many).map(\.event) == many)
        }
    }

    @Test("dispatch hands waiting events over oldest first, once; a failed dispatch keeps nothing and is taken again",
          arguments: Backend.allCases)
    func dispatchOnce(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let outbox = EventOutbox(provider: provider)
            try await provider.write { db in try await db.raw("CREATE TABLE seen (event_id TEXT PRIMARY KEY)").run() }
            let stored = try await outbox.append((0 ..< 5).map { Self.push($0) })

            // The subscriber's work and the dispatch mark commit together: a failure undoes both.
            await #expect(throws: StoreTestError.self) {
                try await outbox.dispatch(limit: 10, now: 50) { events, db in
                    for event in events { try await db.raw("INSERT INTO seen (event_id) VALUES (\(bind: event.eventID))").run() }
                    throw StoreTestError("subscriber failed")
                }
            }
            #expect(try await outbox.backlog() == 5)
            #expect(try await provider.read { db in try await db.raw("SELECT COUNT(*) AS n FROM seen").first()?.decode(column: "n", as: Int.self) } == 0)

            let handed = HandedOver()
            #expect(try await outbox.dispatch(limit: 3, now: 60) { events, db in
                await handed.add(events)
                for event in events { try await db.raw("INSERT INTO seen (event_id) VALUES (\(bind: event.eventID))").run() }
            } == 3)
            #expect(try await outbox.dispatch(limit: 3, now: 70) { events, db in
                await handed.add(events)
                for event in events { try await db.raw("INSERT INTO seen (event_id) VALUES (\(bind: event.eventID))").run() }
            } == 2)
            #expect(try await outbox.dispatch(limit: 3, now: 80) { events, _ in await handed.add(events) } == 0)
            #expect(await handed.ids == stored.map(\.id))
            #expect(try await outbox.backlog() == 0)
            #expect(try await outbox.event(id: stored[0].eventID)?.dispatchedAt == 60)
            #expect(try await outbox.event(id: stored[4].eventID)?.dispatchedAt == 70)

            // Dispatched events are kept until purged.
            #expect(try await outbox.purgeDispatched(before: 65, limit: 2) == 2)
            #expect(try await outbox.purgeDispatched(before: 65, limit: 2) == 1)
            #expect(try await outbox.purgeDispatched(before: 65, limit: 2) == 0)
            #expect(try await outbox.event(id: stored[0].eventID) == nil)
            #expect(try await outbox.event(id: stored[4].eventID) != nil)
        }
    }

    @Test("concurrent dispatchers share the events out: each dispatched exactly once", arguments: Backend.allCases)
    func concurrentDispatchers(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let outbox = EventOutbox(provider: provider)
            let stored = try await outbox.append((0 ..< 300).map { Self.push($0) })
            let handed = HandedOver()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0 ..< 6 {
                    group.addTask {
                        while try await outbox.dispatch(limit: 7, now: 100, { events, _ in await handed.add(events) }) > 0 {}
                    }
                }
                try await group.waitForAll()
            }
            #expect(await handed.ids.sorted() == stored.map(\.id))
            #expect(try await outbox.backlog() == 0)
        }
    }
}

/// Collects what dispatch handed over, across tasks.
actor HandedOver {
    private(set) var ids: [Int64] = []
    func add(_ events: [DomainEvent]) { ids += events.map(\.id) }
}
