import Foundation
import Metadata
import OCI
import Scanner

/// Vulnerability scans by an external scanner registered through Harbor's `/scanners` API: Berth hands the adapter
/// a short-lived pull-only token for the artifact's repository and the registry's URL, polls for the report (as
/// long as it takes, with the adapter's `Refresh-After`, while the report is still wanted), and stores the findings
/// like its own, with the scanner's name on the report.
public struct ExternalScanning: Sendable {
    /// Opens a registration's sealed credential.
    let openCredential: @Sendable (String) throws -> String
    /// A pull-only `Authorization` value for a repository (`Bearer <token>`).
    let pullAuthorization: @Sendable (String) async throws -> String
    /// The registry's URL as scanners reach it: the external URL, or the internal address when asked.
    let registryURL: @Sendable (_ internalAddress: Bool) -> String
    /// The longest a scan may take.
    let deadline: Duration

    /// The server's pieces external scans need.
    public init(openCredential: @escaping @Sendable (String) throws -> String, pullAuthorization: @escaping @Sendable (String) async throws -> String,
                registryURL: @escaping @Sendable (Bool) -> String, deadline: Duration = .seconds(3600)) {
        self.openCredential = openCredential
        self.pullAuthorization = pullAuthorization
        self.registryURL = registryURL
        self.deadline = deadline
    }

    /// Runs `report`'s scan with `registration`, filling in its findings; false when the report was stopped or
    /// replaced while the scanner worked (nothing is recorded then).
    func scan(_ report: inout ScanReportRecord, digest: Digest, with registration: ScannerRegistrationRecord, log: ScanLog,
              store: SQLVulnerabilityStore) async throws -> Bool {
        guard !registration.disabled else { throw ScanRefusal("the scanner \(registration.name) is disabled") }
        let endpoint = ScannerAdapterEndpoint(url: registration.url, auth: registration.auth, credential: try openCredential(registration.accessCredential),
                                              skipCertVerify: registration.skipCertVerify)
        let client = try ScannerAdapterClient(endpoint: endpoint)
        defer { Task { await client.shutdown() } }
        do {
            let metadata = try await client.metadata()
            report.scanner = String(decoding: try JSONEncoder().encode(metadata.scanner), as: UTF8.self)
            log.add("scanner \(registration.name): \(metadata.scanner.name) \(metadata.scanner.version) by \(metadata.scanner.vendor) at \(registration.url)")
            let registry = registryURL(registration.useInternalAddress)
            let request = ScannerAdapterProtocol.ScanRequest(
                registry: .init(url: registry, authorization: try await pullAuthorization(report.repository)),
                artifact: .init(repository: report.repository, digest: digest.description, mimeType: nil),
                enabledCapabilities: [.init(type: "vulnerability", producesMimeTypes: [ScannerAdapterProtocol.harborVulnerabilityReport])])
            let id = try await client.submit(request)
            log.add("scan request \(id) accepted; the scanner pulls from \(registry)")
            let started = ContinuousClock.now
            while true {
                guard let current = try await store.report(uuid: report.uuid), current.isActive else { return false }
                switch try await client.report(id: id) {
                case .pending(let seconds):
                    guard ContinuousClock.now - started < deadline else { throw ScanRefusal("the scanner did not finish within \(deadline)") }
                    try await Task.sleep(for: .seconds(seconds))
                case .ready(let body):
                    let findings = try ExternalReport.findings(from: body)
                    let summary = ScanSummary(findings)
                    log.add("\(summary.total) vulnerabilities (\(summary.fixable) fixable), highest severity \(summary.severity.rawValue)")
                    report.status = "Success"
                    report.severity = summary.severity.rawValue
                    report.summary = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
                    report.report = String(decoding: try JSONEncoder().encode(findings), as: UTF8.self)
                    return true
                }
            }
        } catch let error as ScannerAdapterClientError {
            throw ScanRefusal(error.description)
        }
    }
}
