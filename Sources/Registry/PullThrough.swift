import NIOCore
import OCI

/// A manifest a proxy-cache project serves as its remote registry sent it, while the local copy is being made.
public struct PulledManifest: Sendable {
    /// The manifest's bytes.
    public let bytes: ByteBuffer
    /// Its media type.
    public let mediaType: String
    /// Its digest.
    public let digest: Digest

    /// A pulled manifest.
    public init(bytes: ByteBuffer, mediaType: String, digest: Digest) {
        self.bytes = bytes
        self.mediaType = mediaType
        self.digest = digest
    }
}

/// Pull-through for proxy-cache projects (Harbor's proxy cache): what `/v2` asks before it serves a pull from a
/// repository. For repositories of ordinary projects every call returns at once without doing anything.
public protocol PullThrough: Sendable {
    /// Whether pushes into `repository` must be refused (it is in a proxy-cache project); the reason when they must.
    func refusesPush(_ repository: RepositoryName) async throws -> String?
    /// For a proxy-cache repository: makes the manifest `reference` current locally where it can (a tag re-checked
    /// against the remote), and returns the remote's manifest when the local copy is not there yet; nil when the
    /// local registry should answer.
    func manifest(_ reference: Reference, in repository: RepositoryName) async throws -> PulledManifest?
    /// For a proxy-cache repository: fetches blob `digest` into local storage unless it is there (once, however
    /// many requests ask at the same time). With `streaming`, the request that starts the fetch gets the blob as it
    /// arrives (while it is stored); nil when the local registry should answer from storage.
    func blob(_ digest: Digest, in repository: RepositoryName, streaming: Bool) async throws -> PulledBlob?
}

/// A blob a proxy-cache project serves as it arrives from the remote registry, while it is being stored.
public struct PulledBlob: Sendable {
    /// Its size, when the remote announced one.
    public let length: Int64?
    /// The next chunk; nil at the end. Throws when the download failed (the response must then be cut short).
    public let next: @Sendable () async throws -> ByteBuffer?
    /// The client left: the download (and storing) goes on without it.
    public let cancel: @Sendable () -> Void

    /// A pulled blob.
    public init(length: Int64?, next: @escaping @Sendable () async throws -> ByteBuffer?, cancel: @escaping @Sendable () -> Void) {
        self.length = length
        self.next = next
        self.cancel = cancel
    }
}
