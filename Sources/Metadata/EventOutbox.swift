import Foundation
import SQLKit

/// The outbox of domain events. A change records its events with `append(_:on:)` on the database handle of its
/// own transaction, so the change and its events are stored together or not at all. The dispatcher hands waiting
/// events to the subscribers with `dispatch`, whose work on the same handle commits together with marking the events
/// dispatched: work kept in the database (audit entries, queued jobs) happens exactly once, even across a crash.
/// Instances dispatch side by side on PostgreSQL (`FOR UPDATE SKIP LOCKED`); SQLite has one writer at a time.
public struct EventOutbox: Sendable {
    let provider: any SQLDatabaseProvider
    let notifier: EventNotifier?

    /// Uses the given (migrated) database; `append` announces its events on `notifier`.
    public init(provider: any SQLDatabaseProvider, notifier: EventNotifier? = nil) {
        self.provider = provider
        self.notifier = notifier
    }

    static let columns = "id, event_id, type, project_id, repository, digest, tags, operator, occurred_at, payload, dispatched_at"

    /// Records `events` on `db`, inside the caller's transaction; returns them with their ids.
    @discardableResult
    public static func append(_ events: [NewEvent], on db: any SQLDatabase) async throws -> [DomainEvent] {
        var stored: [DomainEvent] = []
        for batch in stride(from: 0, to: events.count, by: 100).map({ events[$0 ..< min($0 + 100, events.count)] }) {
            var values: [SQLQueryString] = []
            for event in batch {
                let tags = String(decoding: try JSONEncoder().encode(event.tags), as: UTF8.self)
                // An event that does not name its project belongs to its repository's project (if that exists).
                let project: SQLQueryString = event.projectID.map { "\(bind: $0)" }
                    ?? "(SELECT id FROM projects WHERE name = \(bind: RepositoryRecord.projectName(of: event.repository)))"
                values.append("""
                    (\(bind: RandomUUID.text()), \(bind: event.type.rawValue), \(project), \(bind: event.repository),
                     \(bind: event.digest), \(bind: tags), \(bind: event.operatorName), \(bind: event.occurredAt), \(bind: event.payload))
                    """)
            }
            let rows = try await db.raw("""
                INSERT INTO outbox (event_id, type, project_id, repository, digest, tags, operator, occurred_at, payload)
                VALUES \(values.joined(separator: ", "))
                RETURNING \(unsafeRaw: columns)
                """).all()
            stored += try rows.map(row).sorted { $0.id < $1.id }
        }
        return stored
    }

    /// Records `events` in a transaction of their own (batched pull events, which are not part of a change).
    @discardableResult
    public func append(_ events: [NewEvent]) async throws -> [DomainEvent] {
        guard !events.isEmpty else { return [] }
        let stored = try await provider.transaction { db in try await Self.append(events, on: db) }
        notifier?.notify()
        return stored
    }

    /// Takes up to `limit` waiting events (oldest first) and runs `handle` on them with the transaction's handle;
    /// when it returns they are marked dispatched at `now`, in the same transaction. When `handle` throws, nothing it
    /// did is kept and the events wait for the next attempt. Returns how many events were dispatched.
    @discardableResult
    public func dispatch(limit: Int, now: Int64,
                         _ handle: @escaping @Sendable ([DomainEvent], any SQLDatabase) async throws -> Void) async throws -> Int {
        let lock = provider.flavor == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let limit = max(1, min(limit, 10_000))
        return try await provider.transaction { db in
            let events = try await db.raw("""
                SELECT \(unsafeRaw: Self.columns) FROM outbox WHERE dispatched_at IS NULL ORDER BY id LIMIT \(literal: limit)\(unsafeRaw: lock)
                """).all().map(Self.row)
            guard !events.isEmpty else { return 0 }
            try await handle(events, db)
            try await db.raw("UPDATE outbox SET dispatched_at = \(bind: now) WHERE id IN (\(binds: events.map(\.id)))").run()
            return events.count
        }
    }

    /// Events still waiting for dispatch.
    public func backlog() async throws -> Int {
        try await provider.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM outbox WHERE dispatched_at IS NULL").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// An event by its UUID.
    public func event(id eventID: String) async throws -> DomainEvent? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM outbox WHERE event_id = \(bind: eventID)").first().map(Self.row)
        }
    }

    /// Removes up to `limit` events dispatched before `time` (oldest first); returns how many, so a caller repeats
    /// while it gets `limit` back and no single statement holds the table for long.
    @discardableResult
    public func purgeDispatched(before time: Int64, limit: Int = 10_000) async throws -> Int {
        let limit = max(1, min(limit, 100_000))
        return try await provider.write { db in
            try await db.raw("""
                DELETE FROM outbox WHERE id IN (
                    SELECT id FROM outbox WHERE dispatched_at IS NOT NULL AND dispatched_at < \(bind: time) ORDER BY dispatched_at LIMIT \(literal: limit))
                RETURNING id
                """).all().count
        }
    }

    static func row(_ row: any SQLRow) throws -> DomainEvent {
        let tagsText = try row.decode(column: "tags", as: String.self)
        let tags = (try? JSONDecoder().decode([String].self, from: Data(tagsText.utf8))) ?? []
        let event = NewEvent(
            type: EventType(rawValue: try row.decode(column: "type", as: String.self)),
            projectID: try row.decode(column: "project_id", as: Int64?.self),
            repository: try row.decode(column: "repository", as: String.self),
            digest: try row.decode(column: "digest", as: String?.self), tags: tags,
            operatorName: try row.decode(column: "operator", as: String.self),
            occurredAt: try row.decode(column: "occurred_at", as: Int64.self),
            payload: try row.decode(column: "payload", as: String.self))
        return DomainEvent(id: try row.decode(column: "id", as: Int64.self), eventID: try row.decode(column: "event_id", as: String.self),
                           event: event, dispatchedAt: try row.decode(column: "dispatched_at", as: Int64?.self))
    }
}
