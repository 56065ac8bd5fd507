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
    /// many requests ask at the same time).
    func blob(_ digest: Digest, in repository: RepositoryName) async throws
}
