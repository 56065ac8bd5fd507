/// The state of a job in the durable queue.
public enum JobStatus: String, Sendable, Equatable, CaseIterable {
    /// Waiting for its `runAt` and a worker.
    case pending
    /// Leased by a worker; taken back when the lease expires.
    case running
    /// Done.
    case succeeded
    /// Failed every attempt; kept for inspection (the dead-letter state).
    case dead
    /// Stopped by an operator.
    case stopped
}

/// A job row.
public struct JobRecord: Sendable, Equatable {
    /// Database id.
    public var id: Int64
    /// What to do (`purge_uploads`, later `scan`, `replicate`, `gc`, …).
    public var kind: String
    /// Kind-specific parameters as JSON.
    public var payload: String
    /// State.
    public var status: JobStatus
    /// Attempts started so far.
    public var attempts: Int
    /// Attempts allowed before the job is dead.
    public var maxAttempts: Int
    /// Earliest start, ms since 1970.
    public var runAt: Int64
    /// The worker holding the lease.
    public var leaseOwner: String?
    /// When the lease runs out, ms since 1970.
    public var leaseExpiresAt: Int64?
    /// The last failure's message.
    public var lastError: String?
    /// Creation time, ms since 1970.
    public var createdAt: Int64
    /// Last change, ms since 1970.
    public var updatedAt: Int64
    /// When it succeeded or died, ms since 1970.
    public var finishedAt: Int64?

    /// Creates a record.
    public init(id: Int64, kind: String, payload: String, status: JobStatus, attempts: Int, maxAttempts: Int, runAt: Int64,
                leaseOwner: String?, leaseExpiresAt: Int64?, lastError: String?, createdAt: Int64, updatedAt: Int64, finishedAt: Int64?) {
        self.id = id
        self.kind = kind
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.runAt = runAt
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.finishedAt = finishedAt
    }
}

/// A recurring job: a cron expression and the job it enqueues.
public struct ScheduleRecord: Sendable, Equatable {
    /// Unique name.
    public var name: String
    /// The job kind it enqueues.
    public var kind: String
    /// Cron expression (5 fields, or 6 with seconds first as Harbor writes them).
    public var cron: String
    /// The payload of the enqueued jobs.
    public var payload: String
    /// Whether it is paused.
    public var paused: Bool
    /// Next due time, ms since 1970.
    public var nextRunAt: Int64
    /// Last change, ms since 1970.
    public var updatedAt: Int64

    /// Creates a record.
    public init(name: String, kind: String, cron: String, payload: String, paused: Bool, nextRunAt: Int64, updatedAt: Int64) {
        self.name = name
        self.kind = kind
        self.cron = cron
        self.payload = payload
        self.paused = paused
        self.nextRunAt = nextRunAt
        self.updatedAt = updatedAt
    }
}

/// The durable job queue and its schedules, in the metadata database. On PostgreSQL, workers of several instances
/// claim jobs with `FOR UPDATE SKIP LOCKED`; on SQLite the single writer serialises claims.
public protocol JobStore: Sendable {
    /// Adds a job; returns it.
    func enqueue(kind: String, payload: String, runAt: Int64, maxAttempts: Int, now: Int64) async throws -> JobRecord
    /// Leases up to `limit` due jobs of `kinds` (pending and due, or running with an expired lease) to `owner`.
    func claim(kinds: [String], owner: String, now: Int64, leaseMilliseconds: Int64, limit: Int) async throws -> [JobRecord]
    /// Extends a lease; false when the job is no longer leased to `owner`.
    func renewLease(id: Int64, owner: String, now: Int64, leaseMilliseconds: Int64) async throws -> Bool
    /// Marks a leased job done.
    func complete(id: Int64, owner: String, now: Int64) async throws -> Bool
    /// Records a failed attempt: back to pending at `retryAt`, or dead when attempts are used up.
    func fail(id: Int64, owner: String, error: String, retryAt: Int64, now: Int64) async throws -> Bool
    /// Stops a pending or running job; false when it had already ended.
    func stop(id: Int64, now: Int64) async throws -> Bool
    /// One job.
    func job(id: Int64) async throws -> JobRecord?
    /// A page of jobs (`kind`, `status` filters), newest first.
    func jobs(_ query: ListQuery) async throws -> ListPage<JobRecord>
    /// Job counts per kind and status.
    func jobCounts() async throws -> [(kind: String, status: JobStatus, count: Int)]
    /// Per kind: how many jobs are pending and when the oldest of them was due (milliseconds), in one aggregate query.
    func pendingByKind() async throws -> [(kind: String, pending: Int, oldestDue: Int64?)]
    /// Creates or replaces a schedule.
    func upsertSchedule(_ schedule: ScheduleRecord) async throws
    /// All schedules.
    func schedules() async throws -> [ScheduleRecord]
    /// Moves a due schedule on to `nextRunAt` if it still is at `expected` (so one instance wins) and enqueues its job
    /// in the same transaction; returns the job when this call won.
    func fireSchedule(name: String, expected: Int64, nextRunAt: Int64, maxAttempts: Int, now: Int64) async throws -> JobRecord?
}
