import Foundation
import Metadata

/// The events a scan's end records (`SCANNING_COMPLETED`, `SCANNING_FAILED`, `SCANNING_STOPPED`), carrying the
/// report's summary as Harbor's webhook payloads show it (`scan_overview` of each resource).
public enum ScanEvents {
    /// The event for `report`, which has just ended (nil while it is still going on).
    public static func ended(_ report: ScanReportRecord, operatorName: String = "") -> NewEvent? {
        guard report.mimeType == ScanReportTypes.vulnerability else { return nil }
        let type: EventType
        switch report.status {
        case "Success": type = .scanningCompleted
        case "Error": type = .scanningFailed
        case "Stopped": type = .scanningStopped
        default: return nil
        }
        let overview = [report.mimeType: NativeReportSummaryView(report)]
        let payload = (try? JSONEncoder().encode(["scan_overview": overview])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return NewEvent(type: type, projectID: nil, repository: report.repository, digest: report.manifestDigest, tags: [],
                        operatorName: operatorName.isEmpty ? report.requestedBy : operatorName,
                        occurredAt: report.endedAt ?? Clock.nowMilliseconds(), payload: payload)
    }
}
