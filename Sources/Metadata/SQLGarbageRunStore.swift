import SQLKit

/// What a garbage-collection run was asked to do (Harbor's GC parameters).
public struct GarbageRunParameters: Sendable, Equatable {
    /// Also remove untagged manifests.
    public var deleteUntagged: Bool
    /// Report only.
    public var dryRun: Bool
    /// How many storage deletions go on side by side (1…5, as Harbor allows).
    public var workers: Int

    /// Parameters.
    public init(deleteUntagged: Bool, dryRun: Bool, workers: Int) {
        self.deleteUntagged = deleteUntagged
        self.dryRun = dryRun
        self.workers = workers
    }
}

/// What a run has removed so far (or, dry, would remove).
public struct GarbageRunCounts: Sendable, Equatable {
    /// Untagged manifests deleted.
    public var manifestsDeleted: Int64 = 0
    /// Unused links removed.
    public var linksRemoved: Int64 = 0
    /// Blob and manifest files deleted.
    public var blobsDeleted: Int64 = 0
    /// Bytes those files held.
    public var bytesFreed: Int64 = 0
    /// Abandoned uploads purged.
    public var uploadsPurged: Int64 = 0

    /// Counts.
    public init(manifestsDeleted: Int64 = 0, linksRemoved: Int64 = 0, blobsDeleted: Int64 = 0, bytesFreed: Int64 = 0, uploadsPurged: Int64 = 0) {
        self.manifestsDeleted = manifestsDeleted
        self.linksRemoved = linksRemoved
        self.blobsDeleted = blobsDeleted
        self.bytesFreed = bytesFreed
        self.uploadsPurged = uploadsPurged
    }
}

/// What a checkpoint learned: whether an operator asked the run to stop, and whether it still holds the lock (it
/// does not when its lease lapsed and another run took the lock over).
public struct GarbageCheckpointAnswer: Sendable, Equatable {
    /// An operator asked the run to stop.
    public let stopRequested: Bool
    /// The run holds the one-collection-at-a-time lock.
    public let holdsLock: Bool

    /// An answer as read from the database.
    public init(stopRequested: Bool, holdsLock: Bool) {
        self.stopRequested = stopRequested
        self.holdsLock = holdsLock
    }
}

/// One garbage-collection run (a row of Harbor's GC history).
public struct GarbageRunRecord: Sendable, Equatable {
    /// The run's id.
    public var id: Int64
    /// `MANUAL` or `SCHEDULE`.
    public var trigger: String
    /// Who asked (a user name, `schedule`, `berth gc`).
    public var requester: String
    /// What it was asked to do.
    public var parameters: GarbageRunParameters
    /// `Pending`, `Running`, `Success`, `Error` or `Stopped`.
    public var status: String
    /// Whether an operator asked it to stop.
    public var stopRequested: Bool
    /// The job carrying it (none for `berth gc`).
    public var jobID: Int64?
    /// What it is doing now (or did last).
    public var phase: String
    /// What it removed so far.
    public var counts: GarbageRunCounts
    /// Creation, start, last change and end, ms since 1970.
    public var createdAt: Int64
    /// When it started running.
    public var startedAt: Int64?
    /// Last change.
    public var updatedAt: Int64
    /// When it ended.
    public var finishedAt: Int64?
}

/// Garbage-collection runs, their logs and the lock that keeps one run at a time across instances.
public struct SQLGarbageRunStore: Sendable {
    let provider: any SQLDatabaseProvider

    /// Uses the given (migrated) database.
    public init(provider: any SQLDatabaseProvider) { self.provider = provider }

    static let columns = """
        id, trigger_type, requester, delete_untagged, dry_run, workers, status, stop_requested, job_id, phase, manifests_deleted, links_removed,
        blobs_deleted, bytes_freed, uploads_purged, created_at, updated_at, started_at, finished_at
        """

    /// A run still counts as going on while its job can still run it, it holds the lock, or (`berth gc`, without a
    /// job) it reported in the last two minutes.
    static func live(now: Int64) -> SQLQueryString {
        """
        g.status IN ('Pending', 'Running') AND (
            EXISTS (SELECT 1 FROM jobs j WHERE j.id = g.job_id AND j.status IN ('pending', 'running'))
            OR EXISTS (SELECT 1 FROM gc_lock l WHERE l.run_id = g.id AND l.expires_at > \(bind: now))
            OR (g.job_id IS NULL AND g.updated_at > \(bind: now - 120_000)))
        """
    }

    /// Records a run; with `jobKind`, queues the job that carries it in the same transaction. Refused with
    /// `MetadataConflict` while another run is pending or running (`exclusive`); runs whose job died without ending
    /// them are marked `Error` first.
    public func create(trigger: String, requester: String, parameters: GarbageRunParameters, jobKind: String?, exclusive: Bool,
                       jobID existingJob: Int64? = nil, now: Int64) async throws -> GarbageRunRecord {
        try await provider.transaction { db in
            try await Self.endAbandoned(now: now, on: db)
            if exclusive, let row = try await db.raw("SELECT g.id FROM gc_runs g WHERE \(Self.live(now: now)) LIMIT 1").first() {
                throw MetadataConflict("garbage collection \(try row.decode(column: "id", as: Int64.self)) is still running")
            }
            guard let inserted = try await db.raw("""
                INSERT INTO gc_runs (trigger_type, requester, delete_untagged, dry_run, workers, status, job_id, created_at, updated_at)
                VALUES (\(bind: trigger), \(bind: requester), \(bind: parameters.deleteUntagged ? 1 : 0), \(bind: parameters.dryRun ? 1 : 0),
                        \(bind: parameters.workers), 'Pending', \(bind: existingJob), \(bind: now), \(bind: now))
                RETURNING id
                """).first() else { throw MetadataError.inconsistent("gc run insert returned nothing") }
            let id = try inserted.decode(column: "id", as: Int64.self)
            if let jobKind {
                let job = try await SQLJobStore.enqueue(kind: jobKind, payload: "{\"run\":\(id)}", runAt: now, maxAttempts: 5, now: now, on: db)
                try await db.raw("UPDATE gc_runs SET job_id = \(bind: job.id) WHERE id = \(bind: id)").run()
            }
            guard let record = try await Self.run(id, on: db) else { throw MetadataError.inconsistent("gc run \(id) vanished") }
            return record
        }
    }

    /// Marks `Error` the runs that say they are going on but that nothing will carry on (their job died or was
    /// removed and they hold no lock).
    static func endAbandoned(now: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE gc_runs SET status = 'Error', phase = 'ended without finishing (its worker is gone)', finished_at = \(bind: now), updated_at = \(bind: now)
            WHERE id IN (SELECT g.id FROM gc_runs g WHERE g.status IN ('Pending', 'Running') AND NOT (\(Self.live(now: now))))
            """).run()
    }

    /// One run.
    public func run(id: Int64) async throws -> GarbageRunRecord? {
        try await provider.read { db in try await Self.run(id, on: db) }
    }

    /// The run a job carries, if it was recorded.
    public func run(jobID: Int64) async throws -> GarbageRunRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM gc_runs WHERE job_id = \(bind: jobID) ORDER BY id LIMIT 1").first().map(Self.record)
        }
    }

    /// A page of runs, newest first, and how many there are.
    public func runs(offset: Int, limit: Int) async throws -> (total: Int, runs: [GarbageRunRecord]) {
        try await provider.read { db in
            let total = try await db.raw("SELECT COUNT(*) AS n FROM gc_runs").first()?.decode(column: "n", as: Int.self) ?? 0
            let rows = try await db.raw("""
                SELECT \(unsafeRaw: Self.columns) FROM gc_runs ORDER BY id DESC LIMIT \(literal: max(0, limit)) OFFSET \(literal: max(0, offset))
                """).all()
            return (total, try rows.map(Self.record))
        }
    }

    /// A run's log lines in order, or nil when there is no such run.
    public func log(id: Int64) async throws -> [String]? {
        guard try await run(id: id) != nil else { return nil }
        var lines: [String] = []
        var after = 0
        while let page = try await logChunks(id: id, after: after, limit: 50), let last = page.last {
            lines += page.flatMap { $0.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
            after = last.seq
        }
        return lines
    }

    /// Up to `limit` chunks of a run's log after chunk `after` (0: from the start), in order, each a few lines
    /// separated by newlines; nil when there are no more. A long log is read a page at a time this way.
    public func logChunks(id: Int64, after: Int, limit: Int) async throws -> [(seq: Int, text: String)]? {
        let rows = try await provider.read { db in
            try await db.raw("""
                SELECT seq, line FROM gc_run_log WHERE run_id = \(bind: id) AND seq > \(bind: after) ORDER BY seq LIMIT \(bind: limit)
                """).all().map { (seq: try $0.decode(column: "seq", as: Int.self), text: try $0.decode(column: "line", as: String.self)) }
        }
        return rows.isEmpty ? nil : rows
    }

    /// Takes the lock for `runID` until `now + lease` when it is free, expired or already this run's; otherwise
    /// returns the run holding it.
    public func acquireLock(runID: Int64, now: Int64, leaseMilliseconds: Int64) async throws -> Int64? {
        try await provider.transaction { db in
            // One row, updated conditionally: concurrent takers queue on it and re-check, so one wins.
            if try await db.raw("""
                UPDATE gc_lock SET run_id = \(bind: runID), expires_at = \(bind: now + leaseMilliseconds)
                WHERE id = 1 AND (run_id IS NULL OR run_id = \(bind: runID) OR expires_at < \(bind: now)) RETURNING id
                """).first() != nil { return nil }
            return try await db.raw("SELECT run_id FROM gc_lock WHERE id = 1").first()?.decode(column: "run_id", as: Int64?.self) ?? 0
        }
    }

    /// Lets go of the lock if `runID` holds it.
    public func releaseLock(runID: Int64) async throws {
        try await provider.write { db in
            try await db.raw("UPDATE gc_lock SET run_id = NULL, expires_at = 0 WHERE id = 1 AND run_id = \(bind: runID)").run()
        }
    }

    /// Marks the run started (again, after a worker died); false when it was stopped or ended meanwhile.
    @discardableResult
    public func start(id: Int64, phase: String, now: Int64) async throws -> Bool {
        try await provider.write { db in
            try await db.raw("""
                UPDATE gc_runs SET status = 'Running', phase = \(bind: phase), started_at = COALESCE(started_at, \(bind: now)), updated_at = \(bind: now)
                WHERE id = \(bind: id) AND status IN ('Pending', 'Running') AND stop_requested = 0 RETURNING id
                """).first() != nil
        }
    }

    /// Records how far the run is — its counts, what it is doing, new log lines — and renews its lock if it holds it;
    /// answers whether an operator asked it to stop and whether the run holds the lock.
    public func checkpoint(id: Int64, phase: String, counts: GarbageRunCounts, lines: [String], now: Int64,
                           leaseMilliseconds: Int64) async throws -> GarbageCheckpointAnswer {
        try await provider.transaction { db in
            try await Self.append(lines, to: id, on: db)
            try await db.raw("""
                UPDATE gc_runs SET phase = \(bind: phase), manifests_deleted = \(bind: counts.manifestsDeleted), links_removed = \(bind: counts.linksRemoved),
                    blobs_deleted = \(bind: counts.blobsDeleted), bytes_freed = \(bind: counts.bytesFreed), uploads_purged = \(bind: counts.uploadsPurged),
                    updated_at = \(bind: now)
                WHERE id = \(bind: id)
                """).run()
            try await db.raw("""
                UPDATE gc_lock SET expires_at = \(bind: now + leaseMilliseconds) WHERE id = 1 AND run_id = \(bind: id)
                """).run()
            let stop = try await db.raw("SELECT stop_requested FROM gc_runs WHERE id = \(bind: id)").first()?.decode(column: "stop_requested", as: Int.self)
            let holder = try await db.raw("SELECT run_id FROM gc_lock WHERE id = 1").first()?.decode(column: "run_id", as: Int64?.self)
            return GarbageCheckpointAnswer(stopRequested: stop != 0, holdsLock: holder == id)
        }
    }

    /// Ends the run with `status` (`Success`, `Error`, `Stopped`), its final counts and last log lines, and lets go of
    /// the lock.
    public func finish(id: Int64, status: String, phase: String, counts: GarbageRunCounts, lines: [String], now: Int64) async throws {
        try await provider.transaction { db in
            try await Self.append(lines, to: id, on: db)
            try await db.raw("""
                UPDATE gc_runs SET status = \(bind: status), phase = \(bind: phase), manifests_deleted = \(bind: counts.manifestsDeleted),
                    links_removed = \(bind: counts.linksRemoved), blobs_deleted = \(bind: counts.blobsDeleted), bytes_freed = \(bind: counts.bytesFreed),
                    uploads_purged = \(bind: counts.uploadsPurged), finished_at = \(bind: now), updated_at = \(bind: now)
                WHERE id = \(bind: id)
                """).run()
            try await db.raw("UPDATE gc_lock SET run_id = NULL, expires_at = 0 WHERE id = 1 AND run_id = \(bind: id)").run()
        }
    }

    /// Asks a run to stop: a pending one is stopped at once, a running one at its next checkpoint. Returns the run
    /// as it is now, or nil when there is no such run.
    public func requestStop(id: Int64, now: Int64) async throws -> GarbageRunRecord? {
        try await provider.transaction { db in
            try await db.raw("""
                UPDATE gc_runs SET stop_requested = 1, updated_at = \(bind: now) WHERE id = \(bind: id) AND status IN ('Pending', 'Running')
                """).run()
            try await db.raw("""
                UPDATE gc_runs SET status = 'Stopped', phase = 'stopped before it started', finished_at = \(bind: now)
                WHERE id = \(bind: id) AND status = 'Pending'
                """).run()
            return try await Self.run(id, on: db)
        }
    }

    static func append(_ lines: [String], to id: Int64, on db: any SQLDatabase) async throws {
        guard !lines.isEmpty else { return }
        // One row per write, however many lines: a run deleting 100,000 files writes ~100 rows, not 100,000, and holds
        // the database's write lock (SQLite's is the whole database) for a moment only.
        let next = try await db.raw("SELECT COALESCE(MAX(seq), 0) AS n FROM gc_run_log WHERE run_id = \(bind: id)").first()?.decode(column: "n", as: Int.self) ?? 0
        let chunk = lines.map { $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n")
        try await db.raw("INSERT INTO gc_run_log (run_id, seq, line) VALUES (\(bind: id), \(bind: next + 1), \(bind: chunk))").run()
    }

    static func run(_ id: Int64, on db: any SQLDatabase) async throws -> GarbageRunRecord? {
        try await db.raw("SELECT \(unsafeRaw: columns) FROM gc_runs WHERE id = \(bind: id)").first().map(record)
    }

    static func record(_ row: any SQLRow) throws -> GarbageRunRecord {
        GarbageRunRecord(
            id: try row.decode(column: "id", as: Int64.self), trigger: try row.decode(column: "trigger_type", as: String.self),
            requester: try row.decode(column: "requester", as: String.self),
            parameters: GarbageRunParameters(deleteUntagged: try row.decode(column: "delete_untagged", as: Int.self) != 0,
                                             dryRun: try row.decode(column: "dry_run", as: Int.self) != 0,
                                             workers: try row.decode(column: "workers", as: Int.self)),
            status: try row.decode(column: "status", as: String.self), stopRequested: try row.decode(column: "stop_requested", as: Int.self) != 0,
            jobID: try row.decode(column: "job_id", as: Int64?.self), phase: try row.decode(column: "phase", as: String.self),
            counts: GarbageRunCounts(manifestsDeleted: try row.decode(column: "manifests_deleted", as: Int64.self),
                                     linksRemoved: try row.decode(column: "links_removed", as: Int64.self),
                                     blobsDeleted: try row.decode(column: "blobs_deleted", as: Int64.self),
                                     bytesFreed: try row.decode(column: "bytes_freed", as: Int64.self),
                                     uploadsPurged: try row.decode(column: "uploads_purged", as: Int64.self)),
            createdAt: try row.decode(column: "created_at", as: Int64.self), startedAt: try row.decode(column: "started_at", as: Int64?.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self), finishedAt: try row.decode(column: "finished_at", as: Int64?.self))
    }
}
