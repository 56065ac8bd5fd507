import Foundation

/// The scanner-adapter API's media types and messages (Harbor's pluggable scanner API, v1.0–v1.2), used by Berth's
/// own adapter endpoint and by its client of external scanners.
public enum ScannerAdapterProtocol {
    /// The metadata response type (v1.1; v1.0 has the same shape).
    public static let metadataType = "application/vnd.scanner.adapter.metadata+json; version=1.1"
    /// The scan request type (v1.1; v1.0 has the same shape).
    public static let scanRequestType = "application/vnd.scanner.adapter.scan.request+json; version=1.1"
    /// The scan response type.
    public static let scanResponseType = "application/vnd.scanner.adapter.scan.response+json; version=1.0"
    /// The error type.
    public static let errorType = "application/vnd.scanner.adapter.error+json; version=1.0"
    /// Harbor's vulnerability report, as adapters produce it.
    public static let harborVulnerabilityReport = "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0"
    /// The same report under the v1.1 name Harbor also asks for.
    public static let securityVulnerabilityReport = "application/vnd.security.vulnerability.report; version=1.1"
    /// The SBOM report.
    public static let sbomReport = "application/vnd.security.sbom.report+json; version=1.0"
    /// The SBOM formats.
    public static let spdx = "application/spdx+json"
    /// CycloneDX.
    public static let cycloneDX = "application/vnd.cyclonedx+json"
    /// The artifact types scanned.
    public static let consumed = ["application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
                                  "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"]

    /// A scan request: where to pull the artifact from and what to produce.
    public struct ScanRequest: Codable, Sendable, Equatable {
        /// The registry.
        public var registry: Registry
        /// The artifact.
        public var artifact: Artifact
        /// The capabilities asked for (all when absent).
        public var enabledCapabilities: [Capability]?

        /// A request.
        public init(registry: Registry, artifact: Artifact, enabledCapabilities: [Capability]? = nil) {
            self.registry = registry
            self.artifact = artifact
            self.enabledCapabilities = enabledCapabilities
        }

        enum CodingKeys: String, CodingKey { case registry, artifact, enabledCapabilities = "enabled_capabilities" }

        /// Whether the vulnerability capability is asked for.
        public var wantsVulnerabilities: Bool { enabledCapabilities.map { $0.contains { $0.type == "vulnerability" } } ?? true }

        /// The SBOM formats asked for (none when the SBOM capability is not).
        public var sbomMediaTypes: [String] {
            guard let capability = enabledCapabilities?.first(where: { $0.type == "sbom" }) else { return [] }
            let asked = capability.parameters?.sbomMediaTypes ?? [ScannerAdapterProtocol.spdx, ScannerAdapterProtocol.cycloneDX]
            return asked.isEmpty ? [ScannerAdapterProtocol.spdx] : asked
        }
    }

    /// The registry part of a request.
    public struct Registry: Codable, Sendable, Equatable {
        /// The registry's base URL.
        public var url: String
        /// An `Authorization` header value for it (Basic robot credentials or a Bearer token).
        public var authorization: String?

        /// A registry.
        public init(url: String, authorization: String?) {
            self.url = url
            self.authorization = authorization
        }
    }

    /// The artifact part of a request.
    public struct Artifact: Codable, Sendable, Equatable {
        /// The repository.
        public var repository: String
        /// The manifest digest.
        public var digest: String
        /// The tag, if any.
        public var tag: String?
        /// The manifest media type.
        public var mimeType: String?

        /// An artifact.
        public init(repository: String, digest: String, tag: String? = nil, mimeType: String? = nil) {
            self.repository = repository
            self.digest = digest
            self.tag = tag
            self.mimeType = mimeType
        }

        enum CodingKeys: String, CodingKey { case repository, digest, tag, mimeType = "mime_type" }
    }

    /// A capability asked for in a request.
    public struct Capability: Codable, Sendable, Equatable {
        /// `vulnerability` or `sbom`.
        public var type: String
        /// The report types wanted.
        public var producesMimeTypes: [String]?
        /// SBOM parameters.
        public var parameters: Parameters?

        /// A capability.
        public init(type: String, producesMimeTypes: [String]? = nil, parameters: Parameters? = nil) {
            self.type = type
            self.producesMimeTypes = producesMimeTypes
            self.parameters = parameters
        }

        enum CodingKeys: String, CodingKey { case type, producesMimeTypes = "produces_mime_types", parameters }
    }

    /// SBOM parameters of a capability.
    public struct Parameters: Codable, Sendable, Equatable {
        /// The SBOM formats wanted.
        public var sbomMediaTypes: [String]?

        /// Parameters.
        public init(sbomMediaTypes: [String]?) { self.sbomMediaTypes = sbomMediaTypes }

        enum CodingKeys: String, CodingKey { case sbomMediaTypes = "sbom_media_types" }
    }

    /// The reports made for one request, as stored: the vulnerability report and each SBOM report, as JSON text.
    public struct StoredReports: Codable, Sendable {
        /// The Harbor vulnerability report.
        public var vulnerability: String?
        /// SBOM reports by SBOM media type.
        public var sbom: [String: String]

        /// Reports.
        public init(vulnerability: String?, sbom: [String: String]) {
            self.vulnerability = vulnerability
            self.sbom = sbom
        }
    }
}
