import Auth
import Foundation
import Metadata
import OCI
import Scanner
import Scanning

/// Harbor's scan endpoints for one artifact: start a scan (a job), stop it, read its report in Harbor's format and
/// its log, and the scan overview artifact listings carry. Scanning is the maintainers' (Harbor's "Scan/delete
/// image"); reading reports is everyone's who can see the artifact.
public struct ScanService: Sendable {
    let env: ManagementEnvironment

    /// Harbor's MIME type of a vulnerability report.
    public static let vulnerabilityReportType = ScanReportTypes.vulnerability
    /// The built-in scanner, as reports name it.
    public static let scanner = ScannerView.builtIn

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    private var store: SQLVulnerabilityStore { get throws { try env.vulnerabilityStore() } }

    /// Starts a scan of the artifact (`scanType` `vulnerability`, the default); a scan already pending or running is
    /// left to run. The caller needs `scan create` in the project.
    public func scan(project: String, repository: String, reference: String, scanType: String?, _ caller: Caller) async throws {
        let mimeType: String
        switch scanType {
        case nil, "vulnerability": mimeType = ScanReportTypes.vulnerability
        case "sbom": mimeType = ScanReportTypes.sbom
        default: throw APIError.badRequest("scan_type \(String(scanType!.prefix(40))) is not supported; use vulnerability or sbom")
        }
        let (_, info, artifact) = try await RepositoryService(env).resolve(project, repository, reference, Permission(.scan, .create), caller)
        let manifest = artifact.manifest
        guard MediaType.indexTypes.contains(manifest.mediaType) || manifest.artifactType.map(ImageIndexService.imageConfigTypes.contains) == true else {
            throw APIError.badRequest("artifact \(manifest.digest) is not a container image (\(manifest.artifactType ?? manifest.mediaType)); only images can be scanned")
        }
        let record = ScanReportRecord(uuid: UUID().uuidString.lowercased(), manifestDigest: manifest.digest.description, mimeType: mimeType,
                                      repository: info.name, status: "Pending", requestedBy: caller.principal.name, requestedAt: Clock.nowMilliseconds())
        // The request and its job are recorded together; a scan already pending or running is left to run.
        _ = try await store.requestScans([record], jobKind: ScanJob.kind, payload: ScanJob.payload(report:))
    }

    /// Stops the artifact's pending or running scan; 404 when none is going on.
    public func stop(project: String, repository: String, reference: String, _ caller: Caller) async throws {
        let (_, _, artifact) = try await RepositoryService(env).resolve(project, repository, reference, Permission(.scan, .stop), caller)
        guard var report = try await store.reports(digests: [artifact.manifest.digest.description], mimeType: Self.vulnerabilityReportType).values.first,
              report.isActive else {
            throw APIError.notFound("a running scan of artifact \(artifact.manifest.digest)")
        }
        report.status = "Stopped"
        report.endedAt = Clock.nowMilliseconds()
        report.log += (report.log.isEmpty ? "" : "\n") + "stopped by \(caller.principal.name)"
        _ = try await store.updateReport(report, event: ScanEvents.ended(report, operatorName: caller.principal.name))
    }

    /// The artifact's vulnerability report in Harbor's format (`{"<report type>": {…}}`; `{}` before any scan).
    public func vulnerabilities(project: String, repository: String, reference: String, _ caller: Caller) async throws -> Data {
        let (_, info, artifact) = try await RepositoryService(env).resolve(project, repository, reference, Permission(.scan, .read), caller)
        let digest = artifact.manifest.digest.description
        guard let report = try await store.reports(digests: [digest], mimeType: Self.vulnerabilityReportType)[digest] else { return Data("{}".utf8) }
        let findings = (try? JSONDecoder().decode([Finding].self, from: Data(report.report.utf8))) ?? []
        let view = VulnerabilityReportView(
            generatedAt: APITime.string(report.endedAt ?? report.requestedAt),
            artifact: ReportArtifactView(repository: info.name, digest: digest, mimeType: artifact.manifest.mediaType),
            scanner: ScannerView.of(report), severity: report.severity.isEmpty ? "Unknown" : report.severity,
            vulnerabilities: findings.map { VulnerabilityView($0, digest: digest) })
        return try JSONEncoder().encode([Self.vulnerabilityReportType: view])
    }

    /// An artifact's scanning state for the portal: the vulnerability report's overview and findings, the SBOM's state.
    public func artifactScan(project: String, repository: String, reference: String, _ caller: Caller) async throws -> ArtifactScanView {
        let (_, _, artifact) = try await RepositoryService(env).resolve(project, repository, reference, Permission(.scan, .read), caller)
        let digest = artifact.manifest.digest.description
        let report = try await store.reports(digests: [digest], mimeType: Self.vulnerabilityReportType)[digest]
        let findings = report.flatMap { try? JSONDecoder().decode([Finding].self, from: Data($0.report.utf8)) } ?? []
        let sbom = try await sbomOverviews([digest])[digest]
        return ArtifactScanView(overview: report.map(NativeReportSummaryView.init), scanner: report.map(ScannerView.of),
                                vulnerabilities: findings.map { VulnerabilityView($0, digest: digest) }, sbom: sbom)
    }

    /// The log of the artifact's scan `reportID`.
    public func log(project: String, repository: String, reference: String, reportID: String, _ caller: Caller) async throws -> String {
        let (_, _, artifact) = try await RepositoryService(env).resolve(project, repository, reference, Permission(.scan, .read), caller)
        guard let report = try await store.report(uuid: reportID), report.manifestDigest == artifact.manifest.digest.description else {
            throw APIError.notFound("scan report \(reportID.prefix(64)) of this artifact")
        }
        return report.log
    }

    /// The SBOM overviews of `digests` (for artifact listings with `with_sbom_overview=true`), by digest.
    func sbomOverviews(_ digests: [String]) async throws -> [String: SBOMOverviewView] {
        guard let store = env.vulnerabilities else { return [:] }
        return try await store.reports(digests: digests, mimeType: ScanReportTypes.sbom).mapValues(SBOMOverviewView.init)
    }

    /// The scan overviews of `digests` (for artifact listings with `with_scan_overview=true`), by digest.
    func overviews(_ digests: [String]) async throws -> [String: [String: NativeReportSummaryView]] {
        guard let store = env.vulnerabilities else { return [:] }
        return try await store.reports(digests: digests, mimeType: Self.vulnerabilityReportType).mapValues { report in
            [Self.vulnerabilityReportType: NativeReportSummaryView(report)]
        }
    }
}
