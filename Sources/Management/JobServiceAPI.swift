import Auth
import Foundation
import Metadata

/// The job queue as Harbor's `jobservice` and `schedules` endpoints show it (system administrators).
public struct JobServiceAPI: Sendable {
    let env: ManagementEnvironment
    let jobs: any JobStore

    /// Creates the service.
    public init(_ env: ManagementEnvironment, jobs: any JobStore) {
        self.env = env
        self.jobs = jobs
    }

    /// Harbor's `JobQueue`.
    public struct Queue: Codable, Sendable {
        /// The job kind.
        public internal(set) var jobType: String
        /// Jobs of this kind waiting to run.
        public internal(set) var count: Int
        /// Seconds the oldest waiting job has been due.
        public internal(set) var latency: Int
        var paused: Bool
    }

    /// Harbor's `ScheduleTask`.
    public struct Schedule: Codable, Sendable {
        var id: Int
        /// The job kind the schedule starts.
        public internal(set) var vendorType: String
        var vendorId: Int
        /// When it runs (cron, or Harbor's `@every` forms).
        public internal(set) var cron: String
        var updateTime: String
        /// When it runs next (Harbor's time format).
        public internal(set) var nextRunTime: String
        /// Whether it is paused.
        public internal(set) var paused: Bool
    }

    /// A job and its execution record.
    public struct Job: Codable, Sendable {
        /// The job's id.
        public internal(set) var id: Int64
        /// Its kind.
        public internal(set) var jobType: String
        /// `pending`, `running`, `succeeded`, `failed` or `stopped`.
        public internal(set) var status: String
        /// Attempts made so far.
        public internal(set) var attempts: Int
        /// Attempts allowed.
        public internal(set) var maxAttempts: Int
        /// When it runs (next).
        public internal(set) var runAt: String
        /// Why the last attempt failed.
        public internal(set) var lastError: String?
        /// When it was queued.
        public internal(set) var creationTime: String
        var updateTime: String
        /// When it ended.
        public internal(set) var endTime: String?
    }

    /// Pending jobs per kind, with the age of the oldest.
    public func queues(_ caller: Caller) async throws -> [Queue] {
        try env.requireSystem(Permission(.jobServiceMonitor, .list), caller)
        let now = Clock.nowMilliseconds()
        return try await jobs.pendingByKind().map { queue in
            Queue(jobType: queue.kind, count: queue.pending, latency: Int(max(0, now - (queue.oldestDue ?? now)) / 1000), paused: false)
        }
    }

    /// Every schedule.
    public func schedules(_ caller: Caller) async throws -> [Schedule] {
        try env.requireSystem(Permission(.jobServiceMonitor, .list), caller)
        return try await jobs.schedules().enumerated().map { index, s in
            Schedule(id: index + 1, vendorType: s.kind, vendorId: 0, cron: s.cron, updateTime: APITime.string(s.updatedAt),
                     nextRunTime: APITime.string(s.nextRunAt), paused: s.paused)
        }
    }

    /// Jobs, newest first (`q=kind=…,status=…`).
    public func list(query: ListQuery, _ caller: Caller) async throws -> ListPage<Job> {
        try env.requireSystem(Permission(.jobServiceMonitor, .list), caller)
        let page = try await jobs.jobs(query)
        return ListPage(items: page.items.map(Self.view), total: page.total)
    }

    /// One job's record as text (`/jobservice/jobs/{id}/log`).
    public func log(id: Int64, _ caller: Caller) async throws -> String {
        try env.requireSystem(Permission(.jobServiceMonitor, .read), caller)
        guard let job = try await jobs.job(id: id) else { throw APIError.notFound("job \(id)") }
        var lines = [
            "job \(job.id) (\(job.kind)): \(job.status.rawValue)",
            "attempts: \(job.attempts) of \(job.maxAttempts)",
            "created: \(APITime.string(job.createdAt))",
            "next run: \(APITime.string(job.runAt))",
        ]
        if let finished = job.finishedAt { lines.append("ended: \(APITime.string(finished))") }
        if let error = job.lastError { lines.append("last error: \(error)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Stops a job (`PUT /jobservice/jobs/{id}` with `{"action":"stop"}`).
    public func stop(id: Int64, action: String, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.jobServiceMonitor, .stop), caller)
        guard action == "stop" else { throw APIError.badRequest("the only action is stop") }
        guard try await jobs.job(id: id) != nil else { throw APIError.notFound("job \(id)") }
        guard try await jobs.stop(id: id, now: Clock.nowMilliseconds()) else { throw APIError(.conflict, "job \(id) has already ended") }
        await env.recordChange(caller, "stop", "job", String(id))
    }

    static func view(_ job: JobRecord) -> Job {
        Job(id: job.id, jobType: job.kind, status: job.status.rawValue, attempts: job.attempts, maxAttempts: job.maxAttempts,
            runAt: APITime.string(job.runAt), lastError: job.lastError, creationTime: APITime.string(job.createdAt),
            updateTime: APITime.string(job.updatedAt), endTime: job.finishedAt.map(APITime.string))
    }
}
