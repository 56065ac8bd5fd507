import Foundation
import SQLKit

/// `JobStore` on SQL, for SQLite and PostgreSQL.
public struct SQLJobStore: JobStore {
    let provider: any SQLDatabaseProvider

    /// Uses the given (migrated) database.
    public init(provider: any SQLDatabaseProvider) { self.provider = provider }

    static let columns = "id, kind, payload, status, attempts, max_attempts, run_at, lease_owner, lease_expires_at, last_error, created_at, updated_at, finished_at"
    static let listing = SQLListing(columns: [
        "kind": ("kind", .text), "status": ("status", .text), "id": ("id", .integer), "creation_time": ("created_at", .integer),
    ], defaultOrder: "id DESC")

    public func enqueue(kind: String, payload: String, runAt: Int64, maxAttempts: Int, now: Int64) async throws -> JobRecord {
        try await provider.write { db in try await Self.enqueue(kind: kind, payload: payload, runAt: runAt, maxAttempts: maxAttempts, now: now, on: db) }
    }

    /// Adds one job of `kind` per payload on `db` in multi-row statements, inside the caller's transaction.
    public static func enqueue(kind: String, payloads: [String], runAt: Int64, maxAttempts: Int, now: Int64, on db: any SQLDatabase) async throws {
        for batch in stride(from: 0, to: payloads.count, by: 100).map({ payloads[$0 ..< min($0 + 100, payloads.count)] }) {
            let values = batch.map {
                SQLQueryString("(\(bind: kind), \(bind: $0), 'pending', 0, \(bind: maxAttempts), \(bind: runAt), \(bind: now), \(bind: now))")
            }
            try await db.raw("""
                INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, created_at, updated_at) VALUES \(values.joined(separator: ", "))
                """).run()
        }
    }

    /// Adds a job on `db`, inside the caller's transaction (an event subscriber's), so the job exists exactly when
    /// the work that asked for it is committed.
    @discardableResult
    public static func enqueue(kind: String, payload: String, runAt: Int64, maxAttempts: Int, now: Int64, on db: any SQLDatabase) async throws -> JobRecord {
        guard let row = try await db.raw("""
            INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
            VALUES (\(bind: kind), \(bind: payload), 'pending', 0, \(bind: maxAttempts), \(bind: runAt), \(bind: now), \(bind: now))
            RETURNING \(unsafeRaw: columns)
            """).first() else { throw MetadataError.inconsistent("job insert returned nothing") }
        return try Self.row(row)
    }

    public func claim(kinds: [String], owner: String, now: Int64, leaseMilliseconds: Int64, limit: Int) async throws -> [JobRecord] {
        guard !kinds.isEmpty else { return [] }
        let lock = provider.flavor == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        return try await provider.transaction { db in
            try await db.raw("""
                UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = \(bind: owner),
                    lease_expires_at = \(bind: now + leaseMilliseconds), updated_at = \(bind: now)
                WHERE id IN (
                    SELECT id FROM jobs
                    WHERE kind IN (\(binds: kinds))
                      AND ((status = 'pending' AND run_at <= \(bind: now)) OR (status = 'running' AND lease_expires_at < \(bind: now)))
                    ORDER BY run_at, id LIMIT \(literal: limit)\(unsafeRaw: lock))
                RETURNING \(unsafeRaw: Self.columns)
                """).all().map(Self.row).sorted { $0.id < $1.id }
        }
    }

    public func renewLease(id: Int64, owner: String, now: Int64, leaseMilliseconds: Int64) async throws -> Bool {
        try await provider.write { db in
            try await db.raw("""
                UPDATE jobs SET lease_expires_at = \(bind: now + leaseMilliseconds), updated_at = \(bind: now)
                WHERE id = \(bind: id) AND status = 'running' AND lease_owner = \(bind: owner) RETURNING id
                """).all().count > 0
        }
    }

    public func complete(id: Int64, owner: String, now: Int64) async throws -> Bool {
        try await provider.write { db in
            try await db.raw("""
                UPDATE jobs SET status = 'succeeded', lease_owner = NULL, lease_expires_at = NULL, finished_at = \(bind: now), updated_at = \(bind: now)
                WHERE id = \(bind: id) AND status = 'running' AND lease_owner = \(bind: owner) RETURNING id
                """).all().count > 0
        }
    }

    public func fail(id: Int64, owner: String, error: String, retryAt: Int64, now: Int64) async throws -> Bool {
        try await provider.write { db in
            try await db.raw("""
                UPDATE jobs SET
                    status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
                    finished_at = CASE WHEN attempts >= max_attempts THEN \(bind: now) ELSE NULL END,
                    run_at = \(bind: retryAt), last_error = \(bind: String(error.prefix(2000))), lease_owner = NULL, lease_expires_at = NULL,
                    updated_at = \(bind: now)
                WHERE id = \(bind: id) AND status = 'running' AND lease_owner = \(bind: owner) RETURNING id
                """).all().count > 0
        }
    }

    public func stop(id: Int64, now: Int64) async throws -> Bool {
        try await provider.write { db in
            try await db.raw("""
                UPDATE jobs SET status = 'stopped', lease_owner = NULL, lease_expires_at = NULL, finished_at = \(bind: now), updated_at = \(bind: now)
                WHERE id = \(bind: id) AND status IN ('pending', 'running') RETURNING id
                """).all().count > 0
        }
    }

    public func job(id: Int64) async throws -> JobRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM jobs WHERE id = \(bind: id)").first().map(Self.row)
        }
    }

    public func jobs(_ query: ListQuery) async throws -> ListPage<JobRecord> {
        try await provider.read { db in
            try await SQLAccessStore.page(db, select: Self.columns, from: "jobs", where: "1 = 1", listing: Self.listing, query: query, map: Self.row)
        }
    }

    public func jobCounts() async throws -> [(kind: String, status: JobStatus, count: Int)] {
        try await provider.read { db in
            try await db.raw("SELECT kind, status, count(*) AS n FROM jobs GROUP BY kind, status ORDER BY kind, status").all().compactMap { row in
                guard let status = JobStatus(rawValue: try row.decode(column: "status", as: String.self)) else { return nil }
                return (try row.decode(column: "kind", as: String.self), status, try row.decode(column: "n", as: Int.self))
            }
        }
    }

    public func pendingByKind() async throws -> [(kind: String, pending: Int, oldestDue: Int64?)] {
        try await provider.read { db in
            try await db.raw("""
                SELECT kind, sum(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending,
                       min(CASE WHEN status = 'pending' THEN run_at END) AS oldest
                FROM jobs GROUP BY kind ORDER BY kind
                """).all().map { row in
                (try row.decode(column: "kind", as: String.self), try row.decode(column: "pending", as: Int.self),
                 try row.decode(column: "oldest", as: Int64?.self))
            }
        }
    }

    public func upsertSchedule(_ schedule: ScheduleRecord) async throws {
        try await provider.write { db in
            try await db.raw("""
                INSERT INTO schedules (name, kind, cron, payload, paused, next_run_at, updated_at)
                VALUES (\(bind: schedule.name), \(bind: schedule.kind), \(bind: schedule.cron), \(bind: schedule.payload),
                        \(bind: schedule.paused ? 1 : 0), \(bind: schedule.nextRunAt), \(bind: schedule.updatedAt))
                ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, cron = excluded.cron, payload = excluded.payload,
                    paused = excluded.paused, next_run_at = excluded.next_run_at, updated_at = excluded.updated_at
                """).run()
        }
    }

    public func schedules() async throws -> [ScheduleRecord] {
        try await provider.read { db in
            try await db.raw("SELECT name, kind, cron, payload, paused, next_run_at, updated_at FROM schedules ORDER BY name").all().map { row in
                ScheduleRecord(name: try row.decode(column: "name", as: String.self), kind: try row.decode(column: "kind", as: String.self),
                               cron: try row.decode(column: "cron", as: String.self), payload: try row.decode(column: "payload", as: String.self),
                               paused: try row.decode(column: "paused", as: Int.self) != 0,
                               nextRunAt: try row.decode(column: "next_run_at", as: Int64.self),
                               updatedAt: try row.decode(column: "updated_at", as: Int64.self))
            }
        }
    }

    public func fireSchedule(name: String, expected: Int64, nextRunAt: Int64, maxAttempts: Int, now: Int64) async throws -> JobRecord? {
        try await provider.transaction { db in
            guard let row = try await db.raw("""
                UPDATE schedules SET next_run_at = \(bind: nextRunAt), updated_at = \(bind: now)
                WHERE name = \(bind: name) AND next_run_at = \(bind: expected) AND paused = 0
                RETURNING kind, payload
                """).first() else { return nil }
            let kind = try row.decode(column: "kind", as: String.self)
            let payload = try row.decode(column: "payload", as: String.self)
            guard let job = try await db.raw("""
                INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
                VALUES (\(bind: kind), \(bind: payload), 'pending', 0, \(bind: maxAttempts), \(bind: now), \(bind: now), \(bind: now))
                RETURNING \(unsafeRaw: Self.columns)
                """).first() else { throw MetadataError.inconsistent("job insert returned nothing") }
            return try Self.row(job)
        }
    }

    static func row(_ row: any SQLRow) throws -> JobRecord {
        JobRecord(
            id: try row.decode(column: "id", as: Int64.self), kind: try row.decode(column: "kind", as: String.self),
            payload: try row.decode(column: "payload", as: String.self),
            status: JobStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
            attempts: try row.decode(column: "attempts", as: Int.self), maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
            runAt: try row.decode(column: "run_at", as: Int64.self), leaseOwner: try row.decode(column: "lease_owner", as: String?.self),
            leaseExpiresAt: try row.decode(column: "lease_expires_at", as: Int64?.self), lastError: try row.decode(column: "last_error", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self), updatedAt: try row.decode(column: "updated_at", as: Int64.self),
            finishedAt: try row.decode(column: "finished_at", as: Int64?.self))
    }
}
