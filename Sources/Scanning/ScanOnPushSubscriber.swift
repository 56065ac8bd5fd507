import Events
import Foundation
import Metadata
import OCI
import SQLKit

/// Scan on push (a project's `auto_scan`, and `auto_sbom_generation` for SBOMs): for each image pushed into such a
/// project, records a pending report and
/// queues its scan job in the dispatcher's transaction, so each push is scanned once even when an instance crashes
/// mid-way. Artifacts that are not images (charts, signatures, SBOMs) are not scanned.
public struct ScanOnPushSubscriber: EventSubscriber {
    /// A subscriber.
    public init() {}

    public var name: String { "scan-on-push" }

    /// The manifest media types that can be images (an image manifest's config is checked by the scan itself).
    static let imageManifestTypes: Set<String> = [MediaType.ociManifest, MediaType.dockerManifest, MediaType.ociIndex, MediaType.dockerManifestList]

    public func handle(_ events: [DomainEvent], on db: any SQLDatabase) async throws {
        let pushes = events.filter {
            $0.event.type == .pushArtifact && $0.event.projectID != nil && $0.event.digest != nil
                && Self.imageManifestTypes.contains($0.event.details.mediaType ?? "")
        }
        guard !pushes.isEmpty else { return }
        let projectIDs = Array(Set(pushes.compactMap(\.event.projectID)))
        let settings = [(ScanReportTypes.vulnerability, try await SQLVulnerabilityStore.projects(projectIDs, with: "auto_scan", on: db)),
                        (ScanReportTypes.sbom, try await SQLVulnerabilityStore.projects(projectIDs, with: "auto_sbom_generation", on: db))]
        let now = Clock.nowMilliseconds()
        var requested: Set<String> = []
        for push in pushes {
            guard let projectID = push.event.projectID, let digest = push.event.digest else { continue }
            for (mimeType, projects) in settings where projects.contains(projectID) && requested.insert(mimeType + digest).inserted {
                let record = ScanReportRecord(uuid: RandomUUID.text(), manifestDigest: digest, mimeType: mimeType, repository: push.event.repository,
                                              status: "Pending", requestedBy: push.event.operatorName.isEmpty ? "auto-scan" : push.event.operatorName,
                                              requestedAt: now)
                let (report, created) = try await SQLVulnerabilityStore.requestScan(record, on: db)
                guard created else { continue }
                try await SQLJobStore.enqueue(kind: ScanJob.kind, payload: ScanJob.payload(report: report.uuid), runAt: now, maxAttempts: 3, now: now, on: db)
            }
        }
    }
}

/// The report types Berth makes.
public enum ScanReportTypes {
    /// Harbor's MIME type of a vulnerability report.
    public static let vulnerability = "application/vnd.security.vulnerability.report; version=1.1"
    /// Harbor's MIME type of an SBOM report (the SBOM itself is an accessory artifact).
    public static let sbom = "application/vnd.security.sbom.report+json; version=1.0"
}
