import Foundation
import Metadata
import NIOCore
import OCI
import Registry
import Scanner

/// Publishes an image's SBOM as an OCI referrer of the image (Harbor's SBOM accessory): an artifact of type
/// `application/vnd.goharbor.harbor.sbom.v1` whose layers are the SPDX 2.3 and CycloneDX 1.5 documents and whose
/// `subject` is the image, pushed into the image's repository through the registry's one write path — so
/// `GET /v2/<name>/referrers/<digest>` lists it and oras pulls it.
public struct SBOMPublisher: Sendable {
    let uploads: UploadService
    let manifests: ManifestService
    let registryHost: @Sendable () -> String

    /// The artifact type of SBOM accessories (Harbor's).
    public static let artifactType = "application/vnd.goharbor.harbor.sbom.v1"
    /// The SPDX JSON layer's media type.
    public static let spdxMediaType = "application/spdx+json"
    /// The CycloneDX JSON layer's media type.
    public static let cycloneDXMediaType = "application/vnd.cyclonedx+json"

    /// A publisher writing through `uploads` and `manifests`; `registryHost` names the registry in documents.
    public init(uploads: UploadService, manifests: ManifestService, registryHost: @escaping @Sendable () -> String) {
        self.uploads = uploads
        self.manifests = manifests
        self.registryHost = registryHost
    }

    /// Pushes the SBOM of `inventory` for the image `digest` in `repository`; returns the SBOM artifact's digest.
    public func publish(_ inventory: Inventory, repository: RepositoryName, digest: Digest, by operatorName: String) async throws -> Digest {
        let image = try await manifests.describe(.digest(digest), in: repository, accept: [])
        let now = Date()
        let subject = SBOM.Subject(repository: repository.value, digest: digest.description, registryHost: registryHost())
        let spdx = try SBOM.spdx(inventory, subject: subject, created: now, documentID: RandomUUID.text())
        let cycloneDX = try SBOM.cycloneDX(inventory, subject: subject, created: now, serial: RandomUUID.text())
        let empty = Array("{}".utf8)
        var layers: [[String: Any]] = []
        for (bytes, mediaType, title) in [(spdx, Self.spdxMediaType, "sbom.spdx.json"), (cycloneDX, Self.cycloneDXMediaType, "sbom.cdx.json")] {
            let blob = try await upload(bytes, to: repository, by: operatorName)
            layers.append(["mediaType": mediaType, "digest": blob.description, "size": bytes.count,
                           "annotations": ["org.opencontainers.image.title": title]])
        }
        let config = try await upload(empty, to: repository, by: operatorName)
        let manifest: [String: Any] = [
            "schemaVersion": 2, "mediaType": MediaType.ociManifest, "artifactType": Self.artifactType,
            "config": ["mediaType": "application/vnd.oci.empty.v1+json", "digest": config.description, "size": empty.count],
            "layers": layers,
            "subject": ["mediaType": image.mediaType, "digest": digest.description, "size": image.size],
            "annotations": ["created-by": "Berth", "org.opencontainers.image.created": SBOM.timestamp(now)],
        ]
        let bytes = try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys, .withoutEscapingSlashes])
        let sbomDigest = Digest.compute(of: Array(bytes))
        _ = try await manifests.put(ByteBuffer(bytes: bytes), contentType: MediaType.ociManifest, to: repository, reference: .digest(sbomDigest),
                                    by: ChangeContext(operatorName: operatorName, clientIP: ""))
        return sbomDigest
    }

    private func upload(_ bytes: [UInt8], to repository: RepositoryName, by operatorName: String) async throws -> Digest {
        let digest = Digest.compute(of: bytes)
        return try await uploads.uploadMonolithic(OneBuffer(buffer: ByteBuffer(bytes: bytes)), to: repository, owner: "sbom:" + operatorName,
                                                  digest: digest, contentLength: Int64(bytes.count))
    }
}

/// An async sequence of one buffer (a whole small blob as an upload body).
struct OneBuffer: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let buffer: ByteBuffer

    struct AsyncIterator: AsyncIteratorProtocol {
        var buffer: ByteBuffer?
        mutating func next() async -> ByteBuffer? {
            defer { buffer = nil }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }
}
