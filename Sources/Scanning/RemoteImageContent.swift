import NIOCore
import OCI
import RegistryClient
import Storage

/// An image in a remote registry, read through a registry client: manifests by digest, layers streamed, both
/// checked against their digests, so an inventory stored under a digest always describes that content.
public struct RemoteImageContent: ImageContent {
    let client: RegistryClient
    let repository: String

    /// The image content of `repository` in the registry `client` talks to.
    public init(client: RegistryClient, repository: String) {
        self.client = client
        self.repository = repository
    }

    public func manifest(_ digest: Digest) async throws -> [UInt8] {
        try await client.manifest(repository, reference: digest.description).bytes
    }

    public func layer(_ digest: Digest) async throws -> any StorageReader {
        RemoteLayerReader(blob: try await client.blob(repository, digest: digest))
    }
}

/// A remote blob as a storage reader.
final class RemoteLayerReader: StorageReader, @unchecked Sendable {
    private let blob: RemoteBlob

    init(blob: RemoteBlob) { self.blob = blob }

    func next() async throws -> ByteBuffer? { try await blob.next() }

    func close() async {}
}
