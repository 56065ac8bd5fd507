import Foundation
import Jobs
import Logging
import Metadata
import OCI
import Scanner
import Synchronization

/// `scan`: runs one requested vulnerability scan (`{"report":"<id>"}`): indexes the artifact (or reuses its stored
/// inventory), matches it against the stored advisories, and records the findings, their summary and a log on the
/// report. A report that was stopped or replaced by a newer request meanwhile is left alone; an artifact that cannot
/// be scanned (not an image, a layer that is not an archive) ends the report as `Error` with the reason in its log;
/// other failures (the database or storage unreachable) are retried by the queue and end as `Error` on the last try.
public struct ScanJob: JobHandler {
    /// The job kind.
    public static let kind = "scan"
    public var kind: String { Self.kind }

    let index: ImageIndexService
    let vulnerabilities: VulnerabilityService
    let store: SQLVulnerabilityStore
    let sbom: SBOMPublisher?
    let external: ExternalScanning?
    let logger: Logger

    /// A handler over the indexing and matching services, recording reports in `store`; SBOM requests are published
    /// by `sbom`; vulnerability scans of projects whose scanner is an external one go through `external`.
    public init(index: ImageIndexService, vulnerabilities: VulnerabilityService, store: SQLVulnerabilityStore, sbom: SBOMPublisher? = nil,
                external: ExternalScanning? = nil, logger: Logger) {
        self.sbom = sbom
        self.external = external
        self.index = index
        self.vulnerabilities = vulnerabilities
        self.store = store
        self.logger = logger
    }

    struct Payload: Codable { let report: String }

    /// The payload of the job that runs the report `uuid`.
    public static func payload(report uuid: String) -> String {
        String(decoding: (try? JSONEncoder().encode(Payload(report: uuid))) ?? Data(), as: UTF8.self)
    }

    public func run(_ job: JobRecord) async throws {
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8)),
              var report = try await store.report(uuid: payload.report), report.isActive else { return }
        let log = ScanLog(report.log)
        report.status = "Running"
        report.startedAt = report.startedAt ?? Clock.nowMilliseconds()
        log.add("scan \(report.uuid) of \(report.manifestDigest) in \(report.repository), attempt \(job.attempts)")
        report.log = log.text
        guard try await store.updateReport(report) else { return }
        do {
            guard let digest = try? Digest(parsing: report.manifestDigest) else { throw ScanRefusal("\(report.manifestDigest) is not a digest") }
            if report.mimeType != ScanReportTypes.sbom, let external, let registration = try await store.scannerRegistration(forRepository: report.repository) {
                guard try await external.scan(&report, digest: digest, with: registration, log: log, store: store) else { return }
                return try await finish(report, log)
            }
            let inventory = try await index.inventory(of: digest) { log.add($0) }
            log.add("distribution: \(inventory.operatingSystem?.prettyName ?? "none found"); \(inventory.packages.count) packages")
            for warning in inventory.warnings.prefix(50) { log.add("warning: \(warning)") }
            if report.mimeType == ScanReportTypes.sbom {
                guard let sbom, let repository = try? RepositoryName(report.repository) else { throw ScanRefusal("SBOM generation is not available here") }
                let sbomDigest = try await sbom.publish(inventory, repository: repository, digest: digest, by: report.requestedBy)
                log.add("SBOM \(sbomDigest) (SPDX 2.3 and CycloneDX 1.5, \(inventory.packages.count) packages) pushed to \(report.repository)")
                report.status = "Success"
                report.report = String(decoding: try JSONEncoder().encode(["sbom_digest": sbomDigest.description]), as: UTF8.self)
                return try await finish(report, log)
            }
            let findings = try await vulnerabilities.findings(for: inventory)
            for source in try await vulnerabilities.sources() {
                log.add("advisory source \(source.name): \(source.advisories) advisories, imported \(ScanLog.time(source.importedAt))")
            }
            let summary = ScanSummary(findings)
            log.add("\(summary.total) vulnerabilities (\(summary.fixable) fixable), highest severity \(summary.severity.rawValue)")
            report.status = "Success"
            report.severity = summary.severity.rawValue
            report.summary = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
            report.report = String(decoding: try JSONEncoder().encode(findings), as: UTF8.self)
        } catch let refusal as ScanRefusal {
            if refusal.notAnImage {
                // Scan on push meets charts, signatures and SBOMs: there is nothing to scan, so no report is kept.
                try await store.deleteReport(uuid: report.uuid)
                return
            }
            log.add("error: \(refusal)")
            report.status = "Error"
        } catch {
            log.add("error: \(error)")
            guard job.attempts >= job.maxAttempts else {
                report.log = log.text
                _ = try? await store.updateReport(report)
                throw error
            }
            report.status = "Error"
        }
        try await finish(report, log)
    }

    /// Records the report's end (and its event) unless it was stopped or replaced meanwhile.
    private func finish(_ ended: ScanReportRecord, _ log: ScanLog) async throws {
        var report = ended
        report.endedAt = Clock.nowMilliseconds()
        report.log = log.text
        if try await !store.updateReport(report, event: ScanEvents.ended(report)) {
            logger.info("scan result dropped: the report was stopped or replaced meanwhile", metadata: ["report": "\(report.uuid)"])
        }
        logger.info("scan ended", metadata: ["report": "\(report.uuid)", "digest": "\(report.manifestDigest)", "status": "\(report.status)"])
    }
}

/// A scan's log, written to from the indexer's progress callbacks.
final class ScanLog: Sendable {
    private let lines: Mutex<[String]>

    init(_ existing: String) { lines = Mutex(existing.isEmpty ? [] : existing.split(separator: "\n").map(String.init)) }

    /// Adds a timestamped line.
    func add(_ line: String) {
        let stamped = "\(Self.time(Clock.nowMilliseconds())) \(line)"
        lines.withLock { $0.append(stamped) }
    }

    /// The whole log.
    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    /// An ISO 8601 time for a log line.
    static func time(_ milliseconds: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
