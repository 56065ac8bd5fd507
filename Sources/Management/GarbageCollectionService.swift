import APIInput
import Auth
import Foundation
import Jobs
import Metadata
import NIOConcurrencyHelpers
import Registry

/// Harbor's garbage-collection API for system administrators: run now (or a dry run), the schedule, the history
/// with each run's counts and log, and stopping a run (docs/garbage-collection.md).
public struct GarbageCollectionService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    private func stores() throws -> (SQLGarbageRunStore, any JobStore) {
        guard let runs = env.garbageRuns, let jobs = env.jobs else { throw APIError(.unavailable, "garbage collection is not available on this server") }
        return (runs, jobs)
    }

    /// Harbor's schedule types and the cron expressions they stand for.
    static let presets = ["Hourly": "0 0 * * * *", "Daily": "0 0 0 * * *", "Weekly": "0 0 0 * * 0"]

    /// A page of runs, newest first.
    public func history(page: Int, pageSize: Int, _ caller: Caller) async throws -> ListPage<GarbageRunView> {
        try env.requireSystem(Permission(.garbageCollection, .list), caller)
        let (runs, jobs) = try stores()
        let found = try await runs.runs(offset: (page - 1) * pageSize, limit: pageSize)
        let cron = try await schedule(in: jobs)?.cron
        return ListPage(items: found.runs.map { GarbageRunView($0, scheduleCron: cron) }, total: found.total)
    }

    /// One run.
    public func run(_ id: Int64, _ caller: Caller) async throws -> GarbageRunView {
        try env.requireSystem(Permission(.garbageCollection, .read), caller)
        let (runs, jobs) = try stores()
        guard let record = try await runs.run(id: id) else { throw APIError.notFound("garbage collection \(id)") }
        return GarbageRunView(record, scheduleCron: try await schedule(in: jobs)?.cron)
    }

    /// A run's log, a line per step (and per file, blob or link it removed), read from the database a page at a time
    /// as the caller consumes it (a run over millions of files has millions of lines).
    public func log(_ id: Int64, _ caller: Caller) async throws -> AsyncThrowingStream<String, any Error> {
        try env.requireSystem(Permission(.garbageCollection, .read), caller)
        let runs = try stores().0
        guard try await runs.run(id: id) != nil else { throw APIError.notFound("garbage collection \(id)") }
        let after = NIOLockedValueBox(0)
        return AsyncThrowingStream {
            guard let page = try await runs.logChunks(id: id, after: after.withLockedValue { $0 }, limit: 20), let last = page.last else { return nil }
            after.withLockedValue { $0 = last.seq }
            return page.map { $0.text + "\n" }.joined()
        }
    }

    /// Asks a run to stop (a pending one stops at once, a running one after its current page).
    public func stop(_ id: Int64, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.garbageCollection, .stop), caller)
        let (runs, jobs) = try stores()
        guard let record = try await runs.requestStop(id: id, now: Clock.nowMilliseconds()) else { throw APIError.notFound("garbage collection \(id)") }
        if record.status == "Stopped", let job = record.jobID { _ = try await jobs.stop(id: job, now: Clock.nowMilliseconds()) }
        await env.recordChange(caller, "stop", "garbage_collection", "\(id)")
    }

    /// The schedule, in Harbor's GC-history shape (`type` `None` when there is none).
    public func schedule(_ caller: Caller) async throws -> GarbageScheduleView {
        try env.requireSystem(Permission(.garbageCollection, .read), caller)
        guard let record = try await schedule(in: try stores().1) else {
            return GarbageScheduleView(schedule: .init(type: "None", cron: "", nextScheduledTime: nil), jobParameters: "{}", parameters: [:],
                                       creationTime: nil, updateTime: nil)
        }
        let payload = (try? JSONDecoder().decode(GarbageJobPayload.self, from: Data(record.payload.utf8))) ?? GarbageJobPayload()
        let type = Self.presets.first { $0.value == record.cron }?.key ?? "Custom"
        return GarbageScheduleView(schedule: .init(type: type, cron: record.cron, nextScheduledTime: APITime.string(record.nextRunAt)),
                                   jobParameters: GarbageRunView.parameters(payload.parameters, counts: nil),
                                   parameters: GarbageRunView.parameterObject(payload.parameters),
                                   creationTime: APITime.string(record.updatedAt), updateTime: APITime.string(record.updatedAt))
    }

    /// What a `POST`/`PUT /system/gc/schedule` did.
    public enum Outcome: Sendable, Equatable {
        /// A run was queued (`Manual`): its id.
        case started(Int64)
        /// The schedule was set or removed.
        case scheduled
    }

    /// Runs now (`Manual`), sets the schedule (`Hourly`, `Daily`, `Weekly`, `Custom` with a cron) or removes it
    /// (`None`). `creating` (POST) refuses to replace an existing schedule, as Harbor does.
    public func setSchedule(_ request: GarbageScheduleRequest, creating: Bool, _ caller: Caller) async throws -> Outcome {
        let (runs, jobs) = try stores()
        let type = request.schedule?.type ?? ""
        let parameters = try request.validatedParameters()
        if type == "Manual" {
            try env.requireSystem(Permission(.garbageCollection, .create), caller)
            do {
                let run = try await runs.create(trigger: "MANUAL", requester: caller.principal.name, parameters: parameters, jobKind: GarbageJobPayload.kind,
                                                exclusive: true, now: Clock.nowMilliseconds())
                await env.recordChange(caller, "create", "garbage_collection", "\(run.id)\(parameters.dryRun ? " (dry run)" : "")")
                return .started(run.id)
            } catch let conflict as MetadataConflict {
                throw APIError(.conflict, conflict.description)
            }
        }
        try env.requireSystem(Permission(.garbageCollection, creating ? .create : .update), caller)
        let existing = try await schedule(in: jobs)
        let cron: String
        switch type {
        case "None":
            guard let existing else { return .scheduled }
            var paused = existing
            paused.paused = true
            paused.updatedAt = Clock.nowMilliseconds()
            try await jobs.upsertSchedule(paused)
            await env.recordChange(caller, "update", "garbage_collection", "schedule removed")
            return .scheduled
        case "Custom", "Schedule":
            cron = String((request.schedule?.cron ?? "").prefix(100))
            do { _ = try CronExpression(cron) } catch { throw APIError.badRequest("schedule.cron: \(error)") }
        default:
            guard let preset = Self.presets[type] else {
                throw APIError.badRequest("schedule.type must be Hourly, Daily, Weekly, Custom, Manual or None")
            }
            cron = preset
        }
        if creating, existing != nil { throw APIError(.conflict, "a garbage-collection schedule exists already; update it with PUT") }
        let now = Date()
        let next = (try? CronExpression(cron))?.next(after: now) ?? now.addingTimeInterval(86_400)
        let payload = GarbageJobPayload(deleteUntagged: parameters.deleteUntagged, dryRun: parameters.dryRun, workers: parameters.workers)
        try await jobs.upsertSchedule(ScheduleRecord(name: GarbageJobPayload.kind, kind: GarbageJobPayload.kind, cron: cron, payload: payload.json,
                                                     paused: false, nextRunAt: Int64(next.timeIntervalSince1970 * 1000), updatedAt: Clock.nowMilliseconds()))
        await env.recordChange(caller, creating ? "create" : "update", "garbage_collection", "schedule \(cron)")
        return .scheduled
    }

    private func schedule(in jobs: any JobStore) async throws -> ScheduleRecord? {
        try await jobs.schedules().first { $0.name == GarbageJobPayload.kind && !$0.paused }
    }
}

/// `POST`/`PUT /system/gc/schedule` bodies (Harbor's `Schedule`).
public struct GarbageScheduleRequest: Decodable, Sendable {
    /// The schedule asked for.
    public struct Schedule: Decodable, Sendable {
        var type: String?
        var cron: String?
    }
    var schedule: Schedule?
    var parameters: [String: JSONValue]?

    /// A request, as the portal's form makes it.
    public init(type: String, cron: String? = nil, deleteUntagged: Bool, dryRun: Bool, workers: Int) {
        schedule = Schedule(type: type, cron: cron)
        parameters = ["delete_untagged": .bool(deleteUntagged), "dry_run": .bool(dryRun), "workers": .integer(Int64(workers))]
    }

    /// The run parameters, checked: `workers` 1…5 (Harbor's bounds), booleans as booleans.
    func validatedParameters() throws -> GarbageRunParameters {
        func flag(_ key: String) throws -> Bool {
            switch parameters?[key] {
            case nil, .null?: return false
            case .bool(let value)?: return value
            default: throw APIError.badRequest("parameters.\(key) must be true or false")
            }
        }
        var workers = 1
        switch parameters?["workers"] {
        case nil, .null?: break
        case .integer(let value)? where (1 ... 5).contains(value): workers = Int(value)
        case .number(let value)? where value.isFinite && value == value.rounded() && (1 ... 5).contains(value): workers = Int(value)
        default: throw APIError.badRequest("parameters.workers must be an integer between 1 and 5")
        }
        return GarbageRunParameters(deleteUntagged: try flag("delete_untagged"), dryRun: try flag("dry_run"), workers: workers)
    }
}

/// Harbor's `GCHistory`: one run.
public struct GarbageRunView: Encodable, Sendable {
    /// Harbor's `ScheduleObj`.
    public struct Schedule: Encodable, Sendable {
        /// `Manual`, or `Schedule` for scheduled runs.
        public var type: String
        /// The schedule's cron expression, for scheduled runs.
        public var cron: String
    }
    /// The run's id.
    public var id: Int64
    var jobName = "GARBAGE_COLLECTION"
    /// `MANUAL` or `SCHEDULE`.
    public var jobKind: String
    /// The parameters and results as a JSON string (`delete_untagged`, `dry_run`, `workers`, `freed_space`,
    /// `purged_blobs`, `purged_manifests`, …), as Harbor reports them.
    public var jobParameters: String
    var schedule: Schedule
    /// `Pending`, `Running`, `Success`, `Error` or `Stopped`.
    public var jobStatus: String
    var deleted = false
    /// When it was queued (RFC 3339).
    public var creationTime: String
    /// Its last change (RFC 3339).
    public var updateTime: String
    /// What the run is doing now (Berth's addition, for progress displays).
    public var phase: String
    /// Who started it.
    public var requester: String
    /// Its counts so far.
    public var counts: GarbageRunCounts

    enum CodingKeys: String, CodingKey {
        case id, schedule, deleted, phase, requester, counts
        case jobName = "job_name", jobKind = "job_kind", jobParameters = "job_parameters", jobStatus = "job_status"
        case creationTime = "creation_time", updateTime = "update_time"
    }

    /// The view of a run.
    public init(_ record: GarbageRunRecord, scheduleCron: String?) {
        id = record.id
        jobKind = record.trigger
        jobParameters = Self.parameters(record.parameters, counts: record.counts)
        schedule = Schedule(type: record.trigger == "SCHEDULE" ? "Schedule" : "Manual", cron: record.trigger == "SCHEDULE" ? scheduleCron ?? "" : "")
        jobStatus = record.status
        creationTime = APITime.string(record.createdAt)
        updateTime = APITime.string(record.updatedAt)
        phase = record.phase
        requester = record.requester
        counts = record.counts
    }

    /// The parameters as a JSON object.
    static func parameterObject(_ parameters: GarbageRunParameters) -> [String: JSONValue] {
        ["delete_untagged": .bool(parameters.deleteUntagged), "dry_run": .bool(parameters.dryRun), "workers": .integer(Int64(parameters.workers))]
    }

    /// The `job_parameters` string: the parameters, and with counts Harbor's result keys and Berth's.
    static func parameters(_ parameters: GarbageRunParameters, counts: GarbageRunCounts?) -> String {
        var object = parameterObject(parameters)
        if let counts {
            object["freed_space"] = .integer(counts.bytesFreed)
            object["purged_blobs"] = .integer(counts.blobsDeleted)
            object["purged_manifests"] = .integer(counts.manifestsDeleted)
            object["removed_links"] = .integer(counts.linksRemoved)
            object["purged_uploads"] = .integer(counts.uploadsPurged)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(JSONValue.object(object))) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// `GET /system/gc/schedule`: Harbor's `GCHistory` shape holding the schedule.
public struct GarbageScheduleView: Encodable, Sendable {
    /// Harbor's `ScheduleObj`.
    public struct Schedule: Encodable, Sendable {
        /// `Hourly`, `Daily`, `Weekly`, `Custom` or `None`.
        public var type: String
        /// The cron expression (6 fields, seconds first).
        public var cron: String
        /// When it runs next (RFC 3339).
        public var nextScheduledTime: String?
        enum CodingKeys: String, CodingKey { case type, cron, nextScheduledTime = "next_scheduled_time" }
    }
    /// The schedule.
    public var schedule: Schedule
    /// The scheduled runs' parameters as a JSON string (the `GCHistory` shape Harbor's swagger names).
    public var jobParameters: String
    /// The same parameters as an object (the `Schedule` shape some Harbor clients read).
    public var parameters: [String: JSONValue]
    var creationTime: String?
    var updateTime: String?
    enum CodingKeys: String, CodingKey {
        case schedule, jobParameters = "job_parameters", parameters, creationTime = "creation_time", updateTime = "update_time"
    }
}

extension GarbageRunCounts: Encodable {
    enum CodingKeys: String, CodingKey {
        case manifestsDeleted = "manifests_deleted", linksRemoved = "links_removed", blobsDeleted = "blobs_deleted", bytesFreed = "bytes_freed"
        case uploadsPurged = "uploads_purged"
    }

    /// Encodes the counts with snake-case keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(manifestsDeleted, forKey: .manifestsDeleted)
        try container.encode(linksRemoved, forKey: .linksRemoved)
        try container.encode(blobsDeleted, forKey: .blobsDeleted)
        try container.encode(bytesFreed, forKey: .bytesFreed)
        try container.encode(uploadsPurged, forKey: .uploadsPurged)
    }
}
