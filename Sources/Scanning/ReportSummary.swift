import Foundation
import Metadata
import APIInput
import Scanner

/// Harbor's `Scanner`: who made a report.
public struct ScannerView: Codable, Sendable, Equatable {
    /// The scanner's name.
    public var name: String
    /// Who provides it.
    public var vendor: String
    /// Its version.
    public var version: String

    /// The scanner built into Berth.
    public static let builtIn = ScannerView(name: "Berth", vendor: "Berth", version: "1.0")

    /// The scanner that made `report`: the external one it names, else the built-in one.
    public static func of(_ report: ScanReportRecord) -> ScannerView {
        guard !report.scanner.isEmpty, let named = try? JSONDecoder().decode(ScannerView.self, from: Data(report.scanner.utf8)) else { return .builtIn }
        return named
    }

    /// A scanner's identity.
    public init(name: String, vendor: String, version: String) {
        self.name = name
        self.vendor = vendor
        self.version = version
    }
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
    /// When it ended (the zero time before).
    public var endTime: String
    /// 100 once it ended, 0 before.
    public var completePercent: Int
    /// Who made the report.
    public var scanner: ScannerView

    enum CodingKeys: String, CodingKey {
        case reportId = "report_id", scanStatus = "scan_status", severity, duration, summary, startTime = "start_time", endTime = "end_time",
             completePercent = "complete_percent", scanner
    }

    /// The summary of `report`.
    public init(_ report: ScanReportRecord) {
        reportId = report.uuid
        scanStatus = report.status
        severity = report.severity.isEmpty ? "Unknown" : report.severity
        let start = report.startedAt ?? report.requestedAt
        duration = report.endedAt.map { max(0, ($0 - start) / 1000) } ?? 0
        if report.status == "Success", let counted = try? JSONDecoder().decode(ScanSummary.self, from: Data(report.summary.utf8)) {
            summary = VulnerabilitySummaryView(total: counted.total, fixable: counted.fixable, summary: counted.bySeverity)
        }
        startTime = HarborTime.string(milliseconds: start)
        endTime = report.endedAt.map { HarborTime.string(milliseconds: $0) } ?? "0001-01-01T00:00:00.000Z"
        completePercent = report.isActive ? 0 : 100
        scanner = ScannerView.of(report)
    }
}

