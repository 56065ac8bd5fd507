import Auth
import Foundation
import Jobs
import Metadata
import Scanning

/// Harbor's "scan all" for system administrators: run it now, set its schedule, see the latest run's progress, stop
/// what it has not started yet.
public struct ScanAllService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    private func parts() throws -> (SQLVulnerabilityStore, any JobStore) { try env.scanningStores() }

    /// Harbor's schedule types and the cron expressions they stand for.
    static let presets = ["Hourly": "0 0 * * * *", "Daily": "0 0 0 * * *", "Weekly": "0 0 0 * * 0"]

    /// The schedule (`type` `None` when there is none).
    public func schedule(_ caller: Caller) async throws -> ScanAllScheduleView {
        try env.requireSystem(Permission(.scanAll, .read), caller)
        let (_, jobs) = try parts()
        guard let record = try await jobs.schedules().first(where: { $0.name == ScanAllJob.kind }), !record.paused else {
            return ScanAllScheduleView(schedule: .init(type: "None", cron: "", nextScheduledTime: nil))
        }
        let type = Self.presets.first { $0.value == record.cron }?.key ?? "Custom"
        return ScanAllScheduleView(schedule: .init(type: type, cron: record.cron, nextScheduledTime: APITime.string(record.nextRunAt)))
    }

    /// Sets the schedule (`Hourly`, `Daily`, `Weekly`, `Custom` with a cron, or `None`); with `Manual`, runs it now.
    public func setSchedule(_ request: ScanAllScheduleRequest, _ caller: Caller) async throws {
        let (_, jobs) = try parts()
        let type = request.schedule?.type ?? ""
        if type == "Manual" {
            try env.requireSystem(Permission(.scanAll, .create), caller)
            let now = Clock.nowMilliseconds()
            _ = try await jobs.enqueue(kind: ScanAllJob.kind, payload: ScanAllJob.payload(requester: caller.principal.name), runAt: now, maxAttempts: 3, now: now)
            await env.recordChange(caller, "create", "scan_all", "manual")
            return
        }
        try env.requireSystem(Permission(.scanAll, .update), caller)
        let cron: String
        switch type {
        case "None": cron = "0 0 0 * * *"
        case "Custom":
            cron = String((request.schedule?.cron ?? "").prefix(100))
            do { _ = try CronExpression(cron) } catch { throw APIError.badRequest("schedule.cron: \(error)") }
        default:
            guard let preset = Self.presets[type] else { throw APIError.badRequest("schedule.type must be Hourly, Daily, Weekly, Custom, Manual or None") }
            cron = preset
        }
        let now = Date()
        let next = (try? CronExpression(cron))?.next(after: now) ?? now.addingTimeInterval(86_400)
        try await jobs.upsertSchedule(ScheduleRecord(name: ScanAllJob.kind, kind: ScanAllJob.kind, cron: cron, payload: ScanAllJob.payload(requester: nil),
                                                     paused: type == "None", nextRunAt: Int64(next.timeIntervalSince1970 * 1000),
                                                     updatedAt: Clock.nowMilliseconds()))
        await env.recordChange(caller, "update", "scan_all", type == "None" ? "schedule removed" : "schedule \(cron)")
    }

    /// The latest run's progress (or the latest scheduled run's).
    public func metrics(scheduled: Bool, _ caller: Caller) async throws -> ScanAllMetricsView {
        try env.requireSystem(Permission(.scanAll, .read), caller)
        let (store, _) = try parts()
        guard let execution = try await ScanAllJob.execution(in: env.access, scheduled: scheduled) else {
            return ScanAllMetricsView(total: 0, completed: 0, metrics: [:], requester: "", ongoing: false, trigger: scheduled ? "Schedule" : "Manual")
        }
        let counts = try await store.reportCounts(requestedBy: SQLVulnerabilityStore.scanAllRequester, since: execution.startedAt)
        let completed = ["Success", "Error", "Stopped"].reduce(0) { $0 + (counts[$1] ?? 0) }
        let ongoing = (counts["Pending"] ?? 0) + (counts["Running"] ?? 0) > 0
        return ScanAllMetricsView(total: execution.total, completed: completed, metrics: counts, requester: execution.requester, ongoing: ongoing,
                                  trigger: execution.trigger)
    }

    /// Stops the latest run's scans that have not started.
    public func stop(_ caller: Caller) async throws {
        try env.requireSystem(Permission(.scanAll, .stop), caller)
        let (store, _) = try parts()
        let stopped = try await store.stopPendingReports(requestedBy: SQLVulnerabilityStore.scanAllRequester, now: Clock.nowMilliseconds())
        await env.recordChange(caller, "stop", "scan_all", "\(stopped) scans")
    }
}

/// `GET /system/scanAll/schedule`.
public struct ScanAllScheduleView: Codable, Sendable {
    /// The schedule.
    public struct Schedule: Codable, Sendable {
        /// `Hourly`, `Daily`, `Weekly`, `Custom` or `None`.
        public var type: String
        /// The cron expression (6 fields, seconds first).
        public var cron: String
        /// When it runs next (RFC 3339).
        public internal(set) var nextScheduledTime: String?
    }
    /// The schedule.
    public var schedule: Schedule
}

/// `PUT`/`POST /system/scanAll/schedule` bodies.
public struct ScanAllScheduleRequest: Decodable, Sendable {
    /// The schedule asked for.
    public struct Schedule: Decodable, Sendable {
        var type: String?
        var cron: String?
    }
    var schedule: Schedule?

    /// A request for `type` (`Hourly`, `Daily`, `Weekly`, `Custom` with `cron`, `Manual`, `None`), as the portal's form makes it.
    public init(type: String, cron: String?) { schedule = Schedule(type: type, cron: cron) }
}

/// Harbor's `Stats` (`/scans/all/metrics`, `/scans/schedule/metrics`).
public struct ScanAllMetricsView: Codable, Sendable {
    /// Scans the run requested.
    public var total: Int
    /// Scans that ended.
    public var completed: Int
    /// Scans by status.
    public var metrics: [String: Int]
    var requester: String
    /// Whether scans of the run are still pending or running.
    public var ongoing: Bool
    var trigger: String
}
