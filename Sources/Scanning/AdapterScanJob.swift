import Foundation
import Jobs
import Logging
import Metadata
import OCI
import RegistryClient
import Scanner

/// `adapter-scan`: runs a scan requested through the scanner-adapter API (`{"id":"…"}`): pulls the artifact from the
/// registry and with the credential the request named (manifests and layers checked against their digests), indexes
/// it (or reuses the stored inventory of that digest), and stores the vulnerability report and the SBOMs asked for.
/// The credential is dropped from the stored request once the scan ends.
public struct AdapterScanJob: JobHandler {
    /// The job kind.
    public static let kind = "adapter-scan"
    public var kind: String { Self.kind }

    let index: ImageIndexService
    let vulnerabilities: VulnerabilityService
    let store: SQLVulnerabilityStore
    let openCredential: @Sendable (String) throws -> String
    let logger: Logger

    /// A handler over the indexing and matching services, keeping requests in `store`; `openCredential` opens the
    /// sealed `Authorization` value a request is stored with.
    public init(index: ImageIndexService, vulnerabilities: VulnerabilityService, store: SQLVulnerabilityStore,
                openCredential: @escaping @Sendable (String) throws -> String, logger: Logger) {
        self.openCredential = openCredential
        self.index = index
        self.vulnerabilities = vulnerabilities
        self.store = store
        self.logger = logger
    }

    struct Payload: Codable { let id: String }

    /// The payload of the job for the request `id`.
    public static func payload(id: String) -> String {
        String(decoding: (try? JSONEncoder().encode(Payload(id: id))) ?? Data(), as: UTF8.self)
    }

    public func run(_ job: JobRecord) async throws {
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8)),
              let record = try await store.adapterScan(id: payload.id), record.endedAt == nil,
              var request = try? JSONDecoder().decode(ScannerAdapterProtocol.ScanRequest.self, from: Data(record.request.utf8)) else { return }
        try await store.startAdapterScan(id: record.id)
        let sealed = request.registry.authorization
        request.registry.authorization = nil
        let forgotten = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        do {
            // A credential that cannot be opened (sealed under another key) ends the scan with the reason, not a retry loop.
            let authorization: String?
            do { authorization = try sealed.map(openCredential) } catch { throw ScanRefusal("the request's registry credential cannot be read: \(error)") }
            let credentials = authorization.flatMap(RegistryCredentials.init(authorizationHeader:)) ?? .anonymous
            let reports = try await scan(request, credentials: credentials)
            try await store.finishAdapterScan(id: record.id, status: "Success", report: String(decoding: try JSONEncoder().encode(reports), as: UTF8.self),
                                              error: nil, request: forgotten, now: Clock.nowMilliseconds())
            logger.info("adapter scan ended", metadata: ["id": "\(record.id)", "repository": "\(request.artifact.repository)", "digest": "\(request.artifact.digest)"])
        } catch {
            let message = (error as? ScanRefusal)?.description ?? (error as? RegistryClientError)?.description ?? "\(error)"
            let final = error is ScanRefusal || error is RegistryClientError || job.attempts >= job.maxAttempts
            guard final else { throw error }
            try await store.finishAdapterScan(id: record.id, status: "Error", report: nil, error: message, request: forgotten, now: Clock.nowMilliseconds())
            logger.warning("adapter scan failed", metadata: ["id": "\(record.id)", "error": "\(message)"])
        }
    }

    /// Pulls, indexes and reports.
    func scan(_ request: ScannerAdapterProtocol.ScanRequest, credentials: RegistryCredentials) async throws -> ScannerAdapterProtocol.StoredReports {
        guard let digest = try? Digest(parsing: request.artifact.digest) else { throw ScanRefusal("\(request.artifact.digest) is not a digest") }
        let client = try RegistryClient(url: request.registry.url, credentials: credentials, logger: logger)
        let inventory: Inventory
        do {
            // The manifest is always fetched, even when the digest's inventory is stored: the request's credential must
            // reach the artifact, or a stored inventory would answer for an artifact the requester cannot read.
            _ = try await client.manifest(request.artifact.repository, reference: digest.description)
            inventory = try await index.inventory(of: digest, in: RemoteImageContent(client: client, repository: request.artifact.repository))
            await client.shutdown()
        } catch {
            await client.shutdown()
            throw error
        }
        let generated = Date()
        let artifact = ReportArtifactView(repository: request.artifact.repository, digest: digest.description,
                                          mimeType: request.artifact.mimeType ?? "", tag: request.artifact.tag)
        var reports = ScannerAdapterProtocol.StoredReports(vulnerability: nil, sbom: [:])
        if request.wantsVulnerabilities {
            let findings = try await vulnerabilities.findings(for: inventory)
            let summary = ScanSummary(findings)
            let report = VulnerabilityReportView(generatedAt: SBOM.timestamp(generated), artifact: artifact, scanner: .builtIn,
                                                 severity: summary.severity == .none ? "None" : summary.severity.rawValue,
                                                 vulnerabilities: findings.map { VulnerabilityView($0, digest: digest.description) })
            reports.vulnerability = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        }
        let host = URL(string: request.registry.url)?.host ?? "registry"
        let subject = SBOM.Subject(repository: request.artifact.repository, digest: digest.description, registryHost: host)
        for mediaType in request.sbomMediaTypes {
            let document: [UInt8]
            switch mediaType {
            case ScannerAdapterProtocol.spdx: document = try SBOM.spdx(inventory, subject: subject, created: generated, documentID: UUID().uuidString.lowercased())
            case ScannerAdapterProtocol.cycloneDX: document = try SBOM.cycloneDX(inventory, subject: subject, created: generated, serial: UUID().uuidString.lowercased())
            default: continue
            }
            let sbom = try JSONSerialization.jsonObject(with: Data(document))
            let artifactObject = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(artifact))
            let scannerObject = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(ScannerView.builtIn))
            let wrapped: [String: Any] = ["generated_at": SBOM.timestamp(generated), "artifact": artifactObject, "scanner": scannerObject,
                                          "media_type": mediaType, "sbom": sbom]
            reports.sbom[mediaType] = String(decoding: try JSONSerialization.data(withJSONObject: wrapped, options: [.sortedKeys]), as: UTF8.self)
        }
        return reports
    }
}
