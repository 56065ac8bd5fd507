import Logging
import Metadata
import NIOCore
import OCI
import Storage

/// Reads, mounts and unlinks blobs. A blob is served only from a repository it is linked to.
public struct BlobService: Sendable, BackendService {
    let backend: RegistryBackend

    /// Creates the service.
    public init(_ backend: RegistryBackend) { self.backend = backend }

    /// Size of a blob linked to `repository`; throws `NAME_UNKNOWN` or `BLOB_UNKNOWN`.
    public func size(of digest: Digest, in repository: RepositoryName) async throws -> Int64 {
        let repo = try await store.existingRepository(repository)
        guard let size = try await store.linkedBlobSize(digest, repositoryID: repo.id) else {
            throw DistributionError(.blobUnknown, "blob \(digest) is unknown to repository \(repository)")
        }
        return size
    }

    /// Size of a blob linked to `repository` that a client is told exists (`HEAD`): the link stays safe from garbage
    /// collection for its grace period, long enough for the manifest that uses it to arrive.
    public func confirm(_ digest: Digest, in repository: RepositoryName) async throws -> Int64 {
        let repo = try await store.existingRepository(repository)
        guard let size = try await store.confirmBlob(digest, repositoryID: repo.id, now: Clock.nowMilliseconds(),
                                                     refreshAfter: configuration.confirmationRefreshMilliseconds) else {
            throw DistributionError(.blobUnknown, "blob \(digest) is unknown to repository \(repository)")
        }
        return size
    }

    /// Opens a blob (or the part `range` selects) for streaming.
    public func open(_ digest: Digest, in repository: RepositoryName, rangeHeader: String?) async throws -> BlobContent {
        let size = try await size(of: digest, in: repository)
        let range = RequestedRange(header: rangeHeader, size: size)
        let byteRange: Range<Int64>?
        switch range {
        case .whole: byteRange = nil
        case .partial(let r): byteRange = r
        case .unsatisfiable: return BlobContent(digest: digest, size: size, range: .unsatisfiable, reader: nil)
        }
        do {
            let reader = try await storage.reader(for: StorageLayout.blob(digest), range: byteRange)
            return BlobContent(digest: digest, size: size, range: range, reader: reader)
        } catch StorageError.notFound {
            logger.error("blob is linked but missing from storage", metadata: ["digest": "\(digest)", "repository": "\(repository)"])
            throw DistributionError(.blobUnknown, "blob \(digest) is unknown to repository \(repository)")
        }
    }

    /// A URL the client may read the blob from directly (presigned storage URL), when storage offers one.
    public func redirect(_ digest: Digest, in repository: RepositoryName) async throws -> String? {
        _ = try await size(of: digest, in: repository)
        return try await storage.redirectURL(for: StorageLayout.blob(digest), expiresIn: 1200)
    }

    /// Links a blob that `source` holds into `repository`; returns its size, or nil when it cannot be mounted.
    public func mount(_ digest: Digest, from source: RepositoryName, into repository: RepositoryName) async throws -> Int64? {
        guard let sourceRepo = try await store.repository(named: source.value) else { return nil }
        return try await store.mountBlob(digest, from: sourceRepo.id, into: repository.value, now: Clock.nowMilliseconds())
    }

    /// A small blob's bytes (an image config, say), or nil when it is missing from storage or larger than `maximum`.
    /// The caller has checked that the blob belongs where it is asked about.
    public func smallContent(_ digest: Digest, maximum: Int) async throws -> ByteBuffer? {
        guard let size = try await storage.size(of: StorageLayout.blob(digest)), size <= Int64(maximum) else { return nil }
        return try await storage.get(StorageLayout.blob(digest))
    }

    /// Removes a blob from a repository (its bytes stay until garbage collection).
    public func delete(_ digest: Digest, in repository: RepositoryName, by change: ChangeContext) async throws {
        guard configuration.deleteEnabled else { throw DistributionError(.unsupported, "deleting blobs is disabled on this registry") }
        let repo = try await store.existingRepository(repository)
        guard try await store.unlinkBlob(digest, repositoryID: repo.id, by: change) else {
            throw DistributionError(.blobUnknown, "blob \(digest) is unknown to repository \(repository)")
        }
    }
}

/// A blob opened for reading.
public struct BlobContent: Sendable {
    /// The blob's digest.
    public let digest: Digest
    /// The blob's full size.
    public let size: Int64
    /// What part of it is sent.
    public let range: RequestedRange
    /// The bytes to send; nil when the range is unsatisfiable.
    public let reader: (any StorageReader)?
}

extension RegistryStore {
    /// The repository, or `NAME_UNKNOWN`.
    func existingRepository(_ name: RepositoryName) async throws -> RepositoryRecord {
        guard let repo = try await repository(named: name.value) else {
            throw DistributionError(.nameUnknown, "repository \(name) is not known to this registry")
        }
        return repo
    }
}
