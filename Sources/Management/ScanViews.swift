import Foundation
import Metadata
import Scanner

/// Harbor's `Scanner`: who made a report.
public struct ScannerView: Codable, Sendable, Equatable {
    /// The scanner's name.
    public var name: String
    /// Who provides it.
    public var vendor: String
    /// Its version.
    public var version: String
}

/// Harbor's `VulnerabilitySummary`: counts of a report.
public struct VulnerabilitySummaryView: Codable, Sendable {
    /// Findings in all.
    public var total: Int
    /// Findings with a fix.
    public var fixable: Int
    /// Findings by severity (`Critical`, `High`, …).
    public var summary: [String: Int]
}

/// Harbor's `NativeReportSummary`: one report's state and counts, as artifact listings show it.
public struct NativeReportSummaryView: Codable, Sendable {
    /// The report id.
    public var reportId: String
    /// `Pending`, `Running`, `Success`, `Error` or `Stopped`.
    public var scanStatus: String
    /// The highest severity found.
    public var severity: String
    /// Seconds the scan took.
    public var duration: Int64
    /// Counts, once the scan succeeded.
    public var summary: VulnerabilitySummaryView?
    /// When it started and ended (RFC 3339).
    public var startTime: String
    var endTime: String
    /// 100 once it ended, 0 before.
    public var completePercent: Int
    var scanner: ScannerView

    enum CodingKeys: String, CodingKey {
        case reportId = "report_id", scanStatus = "scan_status", severity, duration, summary, startTime = "start_time", endTime = "end_time",
             completePercent = "complete_percent", scanner
    }

    init(_ report: ScanReportRecord) {
        reportId = report.uuid
        scanStatus = report.status
        severity = report.severity.isEmpty ? "Unknown" : report.severity
        let start = report.startedAt ?? report.requestedAt
        duration = report.endedAt.map { max(0, ($0 - start) / 1000) } ?? 0
        if report.status == "Success", let counted = try? JSONDecoder().decode(ScanSummary.self, from: Data(report.summary.utf8)) {
            summary = VulnerabilitySummaryView(total: counted.total, fixable: counted.fixable, summary: counted.bySeverity)
        }
        startTime = APITime.string(start)
        endTime = APITime.optional(report.endedAt)
        completePercent = report.isActive ? 0 : 100
        scanner = ScanService.scanner
    }
}

/// The artifact a report is about.
struct ReportArtifactView: Codable, Sendable {
    var repository: String
    var digest: String
    var mimeType: String

    enum CodingKeys: String, CodingKey { case repository, digest, mimeType = "mime_type" }
}

/// Harbor's CVSS block of a vulnerability.
struct PreferredCVSSView: Codable, Sendable {
    var scoreV3: Double?
    var vectorV3: String

    enum CodingKeys: String, CodingKey { case scoreV3 = "score_v3", vectorV3 = "vector_v3" }
}

/// One vulnerability of a Harbor report.
struct VulnerabilityView: Codable, Sendable {
    var id: String
    var package: String
    var version: String
    var fixVersion: String
    var severity: String
    var description: String
    var links: [String]
    var artifactDigests: [String]
    var preferredCvss: PreferredCVSSView?
    var cweIds: [String]
    var vendorAttributes: [String: String]

    enum CodingKeys: String, CodingKey {
        case id, package, version, fixVersion = "fix_version", severity, description, links, artifactDigests = "artifact_digests",
             preferredCvss = "preferred_cvss", cweIds = "cwe_ids", vendorAttributes = "vendor_attributes"
    }

    init(_ finding: Finding, digest: String) {
        // Harbor names a vulnerability by its CVE where there is one.
        id = finding.aliases.first { $0.hasPrefix("CVE-") } ?? finding.advisoryID
        package = finding.package.name
        version = finding.package.version
        fixVersion = finding.fixedVersion ?? ""
        severity = finding.severity.rawValue
        description = finding.summary
        links = finding.links
        artifactDigests = [digest]
        preferredCvss = finding.cvssVector.map { PreferredCVSSView(scoreV3: CVSS3.baseScore($0), vectorV3: $0) }
        cweIds = []
        vendorAttributes = ["advisory": finding.advisoryID, "ecosystem": finding.package.ecosystem.rawValue, "location": finding.package.location]
            .merging(finding.package.sourceName.map { ["source_package": $0] } ?? [:]) { a, _ in a }
    }
}

/// Harbor's vulnerability report (the `vulnerabilities` addition of an artifact).
struct VulnerabilityReportView: Codable, Sendable {
    var generatedAt: String
    var artifact: ReportArtifactView
    var scanner: ScannerView
    var severity: String
    var vulnerabilities: [VulnerabilityView]

    enum CodingKeys: String, CodingKey { case generatedAt = "generated_at", artifact, scanner, severity, vulnerabilities }
}
