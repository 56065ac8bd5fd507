import Foundation
import Management
import Scanning

/// A report's counts by severity as a thin stacked bar (inline SVG: attributes only, so the portal's CSP holds),
/// highest severity first, with a title per segment and the counts in words beside it.
struct SeverityBar: Sendable {
    /// One severity's part of the bar.
    struct Segment: Sendable {
        let x: String
        let width: String
        let severity: String
        let count: Int
        let title: String
    }

    /// The severities in the order they are drawn and listed.
    static let order = ["Critical", "High", "Medium", "Low", "Unknown"]
    static let width = 120.0

    let segments: [Segment]
    let total: Int
    let words: String

    /// The bar for `counts` (by severity); nil when there is nothing to draw.
    init?(_ counts: [String: Int]) {
        let total = Self.order.reduce(0) { $0 + max(0, counts[$1] ?? 0) }
        guard total > 0 else { return nil }
        var x = 0.0
        var segments: [Segment] = []
        for severity in Self.order {
            let count = max(0, counts[severity] ?? 0)
            guard count > 0 else { continue }
            let width = Self.width * Double(count) / Double(total)
            segments.append(Segment(x: String(format: "%.2f", x), width: String(format: "%.2f", width), severity: severity.lowercased(),
                                    count: count, title: "\(count) \(severity)"))
            x += width
        }
        self.segments = segments
        self.total = total
        words = segments.map(\.title).joined(separator: ", ")
    }
}

/// One vulnerability in the artifact page's table.
struct VulnerabilityRow: Sendable {
    let id: String
    let href: String?
    let severity: String
    let severityClass: String
    let package: String
    let version: String
    let fixVersion: String
    let cvss: String
}

/// The artifact page's vulnerability section: the report's state, its bar, the table as filtered and sorted.
struct ScanSection: Sendable {
    let statusText: String
    let statusClass: String
    let bar: SeverityBar?
    let scannedBy: String
    let logHref: String?
    let rows: [VulnerabilityRow]
    let hasRows: Bool
    let shown: Int
    let total: Int
    let truncated: Bool
    let hasFindings: Bool
    let canScan: Bool
    let scanAction: String
    let isRunning: Bool
    /// Whether the section refreshes itself (a scan or an SBOM under way).
    let isLive: Bool
    let severityOptions: [Option]
    let packageFilter: String
    let fixableOptions: [Option]
    let sortLinks: [Option]
    let isFiltered: Bool
    let sbomStatus: String
    let sbomHref: String?

    /// A choice in a filter select or a sort link.
    struct Option: Sendable {
        let value: String
        let label: String
        let selected: Bool
        let href: String
    }

    /// The most rows drawn (a report can list thousands; filters narrow it).
    static let maximumRows = 500

    /// The section for `scan`, filtered and sorted as the query asks (`severity`, `package`, `fixable`, `sort`).
    init(_ scan: ArtifactScanView, query: [String: String], pagePath: String, logHref: String?, sbomHref: String?, canScan: Bool) {
        let overview = scan.overview
        switch overview?.scanStatus {
        case nil:
            statusText = "Not scanned yet."
            statusClass = "none"
        case "Success":
            let summary = overview?.summary
            let total = summary?.total ?? 0
            statusText = total == 0 ? "No known vulnerabilities."
                : "\(total) vulnerabilit\(total == 1 ? "y" : "ies") (\(summary?.fixable ?? 0) fixable), highest severity \(overview?.severity ?? "Unknown")."
            statusClass = "success"
        case "Error":
            statusText = "The last scan failed; its log says why."
            statusClass = "error"
        case "Stopped":
            statusText = "The last scan was stopped."
            statusClass = "none"
        default:
            statusText = "Scanning…"
            statusClass = "running"
        }
        bar = overview?.summary.flatMap { SeverityBar($0.summary) }
        scannedBy = overview.map { "\(scan.scanner?.name ?? $0.scanner.name) \(scan.scanner?.version ?? $0.scanner.version), \(PortalFormat.shownTime($0.endTime))" } ?? ""
        self.logHref = overview == nil ? nil : logHref
        isRunning = ["Pending", "Running"].contains(overview?.scanStatus ?? "")
        self.canScan = canScan
        scanAction = pagePath + "/scan"

        let severity = SeverityBar.order.first { $0.lowercased() == (query["severity"] ?? "").lowercased() } ?? ""
        let package = String((query["package"] ?? "").trimmingCharacters(in: .whitespaces).prefix(128))
        let fixable = ["yes", "no"].contains(query["fixable"] ?? "") ? query["fixable"]! : ""
        let sort = ["severity", "package", "cvss", "id"].contains(query["sort"] ?? "") ? query["sort"]! : "severity"
        var list = scan.vulnerabilities.filter { item in
            (severity.isEmpty || item.severity == severity)
                && (package.isEmpty || item.package.localizedCaseInsensitiveContains(package))
                && (fixable.isEmpty || (fixable == "yes") == !item.fixVersion.isEmpty)
        }
        let rank = Dictionary(uniqueKeysWithValues: (SeverityBar.order + ["None"]).enumerated().map { ($1, $0) })
        switch sort {
        case "package": list.sort { ($0.package, $0.id) < ($1.package, $1.id) }
        case "cvss": list.sort { ($0.preferredCvss?.scoreV3 ?? -1, $1.id) > ($1.preferredCvss?.scoreV3 ?? -1, $0.id) }
        case "id": list.sort { $0.id < $1.id }
        default: list.sort { (rank[$0.severity] ?? 9, $0.package, $0.id) < (rank[$1.severity] ?? 9, $1.package, $1.id) }
        }
        total = scan.vulnerabilities.count
        hasFindings = total > 0
        shown = list.count
        truncated = list.count > Self.maximumRows
        rows = list.prefix(Self.maximumRows).map { item in
            VulnerabilityRow(id: item.id, href: Self.link(item), severity: item.severity, severityClass: item.severity.lowercased(),
                             package: item.package, version: item.version, fixVersion: item.fixVersion.isEmpty ? "—" : item.fixVersion,
                             cvss: item.preferredCvss?.scoreV3.map { String(format: "%.1f", $0) } ?? "—")
        }
        hasRows = !rows.isEmpty
        isFiltered = !severity.isEmpty || !package.isEmpty || !fixable.isEmpty
        packageFilter = package
        severityOptions = ([("", "Any severity")] + SeverityBar.order.map { ($0, $0) }).map {
            Option(value: $0.0, label: $0.1, selected: $0.0 == severity, href: "")
        }
        fixableOptions = [("", "Fixed or not"), ("yes", "Has a fix"), ("no", "No fix yet")].map {
            Option(value: $0.0, label: $0.1, selected: $0.0 == fixable, href: "")
        }
        var kept = URLComponents()
        kept.queryItems = [("severity", severity), ("package", package), ("fixable", fixable)].filter { !$0.1.isEmpty }
            .map { URLQueryItem(name: $0.0, value: $0.1) }
        sortLinks = [("severity", "Severity"), ("package", "Package"), ("cvss", "CVSS"), ("id", "Vulnerability")].map { key, label in
            var components = kept
            components.queryItems = (kept.queryItems ?? []) + [URLQueryItem(name: "sort", value: key)]
            return Option(value: key, label: label, selected: key == sort, href: pagePath + "?" + (components.percentEncodedQuery ?? "") + "#vulnerabilities")
        }
        switch scan.sbom?.scanStatus {
        case nil: sbomStatus = "No SBOM yet."
        case "Success": sbomStatus = "SBOM (SPDX 2.3 and CycloneDX 1.5), attached as a referrer."
        case "Error": sbomStatus = "The last SBOM generation failed."
        default: sbomStatus = "Generating the SBOM…"
        }
        self.sbomHref = scan.sbom?.sbomDigest == nil ? nil : sbomHref
        isLive = isRunning || ["Pending", "Running"].contains(scan.sbom?.scanStatus ?? "")
    }

    /// Where to read about a vulnerability: its first link, else the NVD page of a CVE.
    static func link(_ item: VulnerabilityView) -> String? {
        if let first = item.links.first(where: { $0.hasPrefix("https://") || $0.hasPrefix("http://") }) { return first }
        return item.id.hasPrefix("CVE-") ? "https://nvd.nist.gov/vuln/detail/\(item.id)" : nil
    }
}

/// An image's scan state in a repository's artifact list: a word and, for a finished scan, its severity bar.
struct ArtifactScanCell: Sendable {
    let text: String
    let statusClass: String
    let bar: SeverityBar?

    /// The cell for an artifact's scan overview (Harbor's `scan_overview`); nil when there is none to show.
    init?(_ overview: [String: NativeReportSummaryView]?) {
        guard let overview else { return nil }
        guard let report = overview[ScanService.vulnerabilityReportType] else {
            text = "Not scanned"
            statusClass = "none"
            bar = nil
            return
        }
        switch report.scanStatus {
        case "Success":
            let total = report.summary?.total ?? 0
            text = total == 0 ? "No vulnerabilities" : "\(total) (\(report.severity))"
            statusClass = "success"
        case "Error": text = "Scan failed"; statusClass = "error"
        case "Stopped": text = "Stopped"; statusClass = "none"
        default: text = "Scanning…"; statusClass = "running"
        }
        bar = report.summary.flatMap { SeverityBar($0.summary) }
    }
}
