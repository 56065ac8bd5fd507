import Foundation
import Metadata
import Scanner
import Scanning

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
