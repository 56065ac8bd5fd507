import Foundation
import Metadata
import Scanner
import Scanning

/// Harbor's `SBOMOverview`: the state of an artifact's SBOM generation and the SBOM accessory's digest.
public struct SBOMOverviewView: Codable, Sendable {
    var startTime: String
    var endTime: String
    /// `Pending`, `Running`, `Success`, `Error` or `Stopped`.
    public var scanStatus: String
    /// The SBOM artifact's digest, once generated.
    public var sbomDigest: String?
    var reportId: String
    var duration: Int64
    var scanner: ScannerView

    enum CodingKeys: String, CodingKey {
        case startTime = "start_time", endTime = "end_time", scanStatus = "scan_status", sbomDigest = "sbom_digest", reportId = "report_id",
             duration, scanner
    }

    init(_ report: ScanReportRecord) {
        let start = report.startedAt ?? report.requestedAt
        startTime = APITime.string(start)
        endTime = APITime.optional(report.endedAt)
        scanStatus = report.status
        sbomDigest = (try? JSONDecoder().decode([String: String].self, from: Data(report.report.utf8)))?["sbom_digest"]
        reportId = report.uuid
        duration = report.endedAt.map { max(0, ($0 - start) / 1000) } ?? 0
        scanner = ScannerView.builtIn
    }
}

/// An artifact's scanning state, as the portal's artifact page shows it.
public struct ArtifactScanView: Sendable {
    /// The newest vulnerability report's overview (nil before any scan).
    public let overview: NativeReportSummaryView?
    /// The scanner that made it.
    public let scanner: ScannerView?
    /// Its findings, highest severity first.
    public let vulnerabilities: [VulnerabilityView]
    /// The SBOM's state (nil before any request).
    public let sbom: SBOMOverviewView?
}
