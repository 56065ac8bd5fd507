import Auth
import Foundation
import Metadata
import OCI
import Scanning

/// An error of the scanner-adapter API (`/api/v1`), rendered as its `{"error":{"message"}}` with the status.
public struct ScannerAdapterError: Error, Sendable {
    /// The HTTP status (400 bad JSON, 422 a bad field, 404, 500 a failed scan, 501 a capability Berth lacks).
    public let status: Int
    /// A message for people; never holds credentials.
    public let message: String
}

/// Berth's built-in scanner behind Harbor's scanner-adapter API (v1.0–v1.2), so a Harbor — or another Berth — can
/// register it as an interrogation service: a request names a registry, a credential and an artifact; Berth pulls
/// the artifact from there as a job and keeps the reports a day for the requester to fetch. Callers need the system
/// permission to use scanners (a system robot with `scanner` access is the account to give a Harbor).
public struct ScannerAdapterService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// What a report lookup found.
    public enum ReportState: Sendable {
        /// Not ready: ask again after `retryAfter` seconds.
        case pending(retryAfter: Int)
        /// The report, of `contentType`.
        case ready(contentType: String, body: Data)
    }

    /// The scanner's name, capabilities and the age of its advisory data.
    public func metadata(_ caller: Caller) async throws -> Data {
        try env.requireSystem(Permission(.scanner, .read), caller)
        return try await metadataBody()
    }

    /// The metadata answer itself.
    func metadataBody() async throws -> Data {
        let store = try env.vulnerabilityStore()
        let newest = try await store.sources().map(\.importedAt).max()
        let scanner = ScannerView.builtIn
        let body: [String: Any] = [
            "scanner": ["name": scanner.name, "vendor": scanner.vendor, "version": scanner.version],
            "capabilities": [
                ["type": "vulnerability", "consumes_mime_types": ScannerAdapterProtocol.consumed,
                 "produces_mime_types": [ScannerAdapterProtocol.harborVulnerabilityReport, ScannerAdapterProtocol.securityVulnerabilityReport]],
                ["type": "sbom", "consumes_mime_types": ScannerAdapterProtocol.consumed,
                 "produces_mime_types": [ScannerAdapterProtocol.sbomReport],
                 "additional_attributes": ["sbom_media_types": [ScannerAdapterProtocol.spdx, ScannerAdapterProtocol.cycloneDX]]],
            ],
            "properties": [
                "harbor.scanner-adapter/scanner-type": "os-package-vulnerability",
                "harbor.scanner-adapter/vulnerability-database-updated-at": newest.map(APITime.string) ?? "",
                "berth/advisory-sources": String(try await store.sources().count),
            ],
        ]
        return try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
    }

    /// Accepts a scan request (the request body as sent) and queues it; returns its id.
    public func accept(_ body: Data, _ caller: Caller) async throws -> String {
        try env.requireSystem(Permission(.scanner, .create), caller)
        let store = try env.vulnerabilityStore()
        let request: ScannerAdapterProtocol.ScanRequest
        do {
            request = try JSONDecoder().decode(ScannerAdapterProtocol.ScanRequest.self, from: body)
        } catch {
            throw ScannerAdapterError(status: 400, message: "the scan request is not valid JSON of the expected shape")
        }
        guard let url = URLComponents(string: request.registry.url), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host?.isEmpty == false, request.registry.url.utf8.count <= 2048 else {
            throw ScannerAdapterError(status: 422, message: "registry.url must be an http or https URL")
        }
        guard (try? RepositoryName(request.artifact.repository)) != nil else {
            throw ScannerAdapterError(status: 422, message: "artifact.repository is not a valid repository name")
        }
        guard (try? Digest(parsing: request.artifact.digest)) != nil else {
            throw ScannerAdapterError(status: 422, message: "artifact.digest is not a valid digest")
        }
        if let mimeType = request.artifact.mimeType, !mimeType.isEmpty, !ScannerAdapterProtocol.consumed.contains(mimeType) {
            throw ScannerAdapterError(status: 501, message: "artifacts of type \(mimeType.prefix(100)) are not scanned")
        }
        if let capabilities = request.enabledCapabilities, capabilities.contains(where: { $0.type != "vulnerability" && $0.type != "sbom" }) {
            throw ScannerAdapterError(status: 501, message: "only the vulnerability and sbom capabilities are offered")
        }
        // The registry credential waits in the database sealed, and is dropped when the scan ends.
        var stored = request
        if let authorization = request.registry.authorization, !authorization.isEmpty {
            guard let sealer = env.sealer else { throw ScannerAdapterError(status: 500, message: "credentials cannot be kept on this server") }
            stored.registry.authorization = try sealer.seal(authorization)
        }
        let id = RandomUUID.make().uuidString.lowercased()
        let text = String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
        try await store.createAdapterScan(AdapterScanRecord(id: id, request: text, status: "Pending", createdAt: Clock.nowMilliseconds()),
                                          jobKind: AdapterScanJob.kind, payload: AdapterScanJob.payload(id: id))
        return id
    }

    /// The report of request `id` in the type `accept` names (Harbor's vulnerability report by default), or the SBOM
    /// in `sbomMediaType` when the SBOM report is asked for.
    public func report(id: String, accept: String?, sbomMediaType: String?, _ caller: Caller) async throws -> ReportState {
        try env.requireSystem(Permission(.scanner, .create), caller)
        let store = try env.vulnerabilityStore()
        guard id.utf8.count <= 64, let record = try await store.adapterScan(id: id) else {
            throw ScannerAdapterError(status: 404, message: "no scan request \(id.prefix(64))")
        }
        let wanted = Self.reportType(accept)
        if wanted == ScannerAdapterProtocol.sbomReport {
            guard let sbomMediaType, [ScannerAdapterProtocol.spdx, ScannerAdapterProtocol.cycloneDX].contains(sbomMediaType) else {
                throw ScannerAdapterError(status: 400, message: "the SBOM report needs sbom_media_type \(ScannerAdapterProtocol.spdx) or \(ScannerAdapterProtocol.cycloneDX)")
            }
        }
        switch record.status {
        case "Success": break
        case "Error": throw ScannerAdapterError(status: 500, message: record.error ?? "the scan failed")
        default: return .pending(retryAfter: 5)
        }
        let reports = try JSONDecoder().decode(ScannerAdapterProtocol.StoredReports.self, from: Data((record.report ?? "{}").utf8))
        switch wanted {
        case ScannerAdapterProtocol.sbomReport:
            guard let sbomMediaType, let sbom = reports.sbom[sbomMediaType] else {
                throw ScannerAdapterError(status: 404, message: "this request did not ask for an SBOM in \(sbomMediaType ?? "")")
            }
            return .ready(contentType: ScannerAdapterProtocol.sbomReport, body: Data(sbom.utf8))
        case ScannerAdapterProtocol.harborVulnerabilityReport, ScannerAdapterProtocol.securityVulnerabilityReport:
            guard let vulnerability = reports.vulnerability else {
                throw ScannerAdapterError(status: 404, message: "this request did not ask for a vulnerability report")
            }
            return .ready(contentType: wanted, body: Data(vulnerability.utf8))
        default:
            throw ScannerAdapterError(status: 501, message: "reports of type \(wanted.prefix(100)) are not produced")
        }
    }

    /// The report type an `Accept` header asks for (the first one listed; Harbor's report when it names none).
    static func reportType(_ accept: String?) -> String {
        guard let accept, !accept.isEmpty, accept != "*/*" else { return ScannerAdapterProtocol.harborVulnerabilityReport }
        let first = accept.split(separator: ",").first.map(String.init) ?? accept
        let normalized = first.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("q=") }
            .joined(separator: "; ")
        for known in [ScannerAdapterProtocol.harborVulnerabilityReport, ScannerAdapterProtocol.securityVulnerabilityReport,
                      ScannerAdapterProtocol.sbomReport] where known.lowercased() == normalized.lowercased() {
            return known
        }
        return normalized
    }
}
