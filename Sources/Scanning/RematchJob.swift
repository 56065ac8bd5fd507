import Foundation
import Jobs
import Logging
import Metadata
import Scanner

/// `scan-rematch`: after advisory data changed, matches every finished report's stored inventory against the
/// advisories again and rewrites its findings — no layer is read. Reports whose inventory is missing (made before
/// inventories were kept) are left as they are. Safe to run twice: it rewrites from the same inputs. When the advisory
/// data changes while it runs, it stops: the re-match queued by that change does the work with the newer data, and
/// no report is written from the older data after it.
public struct RematchJob: JobHandler {
    /// The job kind.
    public static let kind = "scan-rematch"
    public var kind: String { Self.kind }

    let vulnerabilities: VulnerabilityService
    let store: SQLVulnerabilityStore
    let logger: Logger

    /// A handler over the matching service and the report store.
    public init(vulnerabilities: VulnerabilityService, store: SQLVulnerabilityStore, logger: Logger) {
        self.vulnerabilities = vulnerabilities
        self.store = store
        self.logger = logger
    }

    public func run(_ job: JobRecord) async throws {
        var after = ""
        var rewritten = 0
        let decoder = JSONDecoder(), encoder = JSONEncoder()
        let started = ContinuousClock.now
        let generation = try await store.advisoryGeneration()
        while true {
            guard try await store.advisoryGeneration() == generation else {
                logger.info("re-match stopped: the advisory data changed again, and a newer re-match follows", metadata: ["reports": "\(rewritten)"])
                return
            }
            let page = try await store.successfulReports(mimeType: ScanReportTypes.vulnerability, after: after, limit: 200)
            guard let last = page.last else { break }
            after = last.uuid
            for var report in page {
                guard let stored = try await store.inventory(manifestDigest: report.manifestDigest),
                      let inventory = try? decoder.decode(Inventory.self, from: Data(stored.json.utf8)) else { continue }
                let findings = try await vulnerabilities.findings(for: inventory)
                let summary = ScanSummary(findings)
                report.severity = summary.severity.rawValue
                report.summary = String(decoding: try encoder.encode(summary), as: UTF8.self)
                report.report = String(decoding: try encoder.encode(findings), as: UTF8.self)
                report.endedAt = Clock.nowMilliseconds()
                report.log += "\n\(ScanLog.time(report.endedAt!)) matched again after an advisory import: \(summary.total) vulnerabilities "
                    + "(\(summary.fixable) fixable), highest severity \(summary.severity.rawValue)"
                if try await store.rewriteFinishedReport(report, generation: generation) { rewritten += 1 }
            }
        }
        logger.info("scan reports matched again", metadata: ["reports": "\(rewritten)",
                                                              "seconds": "\(String(format: "%.2f", (ContinuousClock.now - started).seconds))"])
    }
}
