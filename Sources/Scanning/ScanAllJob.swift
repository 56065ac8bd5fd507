import Foundation
import Jobs
import Logging
import Metadata
import OCI

/// `scan-all`: Harbor's "scan all" — requests a vulnerability scan of every image artifact (images and indexes, not
/// referrers such as signatures and SBOMs), a page at a time, each with its scan job in the same transaction, and
/// records the run (its trigger, requester, start and size) for `/scans/all/metrics`. Artifacts with a scan already
/// pending or running are left to it.
public struct ScanAllJob: JobHandler {
    /// The job kind (and the name of its schedule).
    public static let kind = "scan-all"
    public var kind: String { Self.kind }

    let store: SQLVulnerabilityStore
    let settings: any SettingsStore
    let logger: Logger

    /// The setting the latest run is kept under.
    public static let executionSetting = "scan_all.execution"
    /// The setting the latest scheduled run is kept under.
    public static let scheduledExecutionSetting = "scan_all.execution.scheduled"

    /// A handler requesting scans in `store`, recording runs in `settings`.
    public init(store: SQLVulnerabilityStore, settings: any SettingsStore, logger: Logger) {
        self.store = store
        self.settings = settings
        self.logger = logger
    }

    struct Payload: Codable {
        var trigger: String?
        var requester: String?
    }

    /// The payload of a run started by `requester` (`Manual`), or by the schedule when nil.
    public static func payload(requester: String?) -> String {
        let payload = Payload(trigger: requester == nil ? "Schedule" : "Manual", requester: requester)
        return String(decoding: (try? JSONEncoder().encode(payload)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// The latest run (or the latest scheduled one), if any.
    public static func execution(in settings: any SettingsStore, scheduled: Bool = false) async throws -> ScanAllExecution? {
        guard let text = try await settings.setting(scheduled ? scheduledExecutionSetting : executionSetting) else { return nil }
        return try? JSONDecoder().decode(ScanAllExecution.self, from: Data(text.utf8))
    }

    public func run(_ job: JobRecord) async throws {
        let payload = (try? JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8))) ?? Payload()
        let now = Clock.nowMilliseconds()
        var execution = ScanAllExecution(id: RandomUUID.text(), trigger: payload.trigger ?? "Schedule", requester: payload.requester ?? "schedule",
                                         startedAt: now, total: 0)
        try await record(execution)
        var after: Int64 = 0
        while true {
            let page = try await store.imageArtifacts(after: after, limit: 500, imageConfigTypes: Array(ImageIndexService.imageConfigTypes),
                                                      indexTypes: Array(MediaType.indexTypes))
            guard let last = page.last else { break }
            after = last.id
            let requests = page.map {
                ScanReportRecord(uuid: RandomUUID.text(), manifestDigest: $0.digest, mimeType: ScanReportTypes.vulnerability, repository: $0.repository,
                                 status: "Pending", requestedBy: SQLVulnerabilityStore.scanAllRequester, requestedAt: now)
            }
            execution.total += try await store.requestScans(requests, jobKind: ScanJob.kind, payload: ScanJob.payload(report:)).count
            try await record(execution)
        }
        logger.info("scan all requested", metadata: ["scans": "\(execution.total)", "trigger": "\(execution.trigger)"])
    }

    private func record(_ execution: ScanAllExecution) async throws {
        let text = String(decoding: try JSONEncoder().encode(execution), as: UTF8.self)
        try await settings.putSetting(Self.executionSetting, value: text, now: Clock.nowMilliseconds())
        if execution.trigger == "Schedule" { try await settings.putSetting(Self.scheduledExecutionSetting, value: text, now: Clock.nowMilliseconds()) }
    }
}
