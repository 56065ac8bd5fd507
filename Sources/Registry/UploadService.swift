import Logging
import Metadata
import NIOCore
import OCI
import Storage

/// Blob upload sessions. Their state lives in storage (the bytes) and the database (offset and hash state),
/// never in process memory, so any process can continue a session another one began.
public struct UploadService: Sendable, BackendService {
    let backend: RegistryBackend

    /// Creates the service.
    public init(_ backend: RegistryBackend) { self.backend = backend }

    /// Opens a new session for `repository` on behalf of `owner` (`user:12`, `robot:3`, `ip:…`). The repository is
    /// not created here: it comes to exist when the first blob or manifest is committed to it. Refused with
    /// `TOOMANYREQUESTS` when the owner or the project already has the configured number of sessions open.
    public func start(in repository: RepositoryName, owner: String) async throws -> UploadStatus {
        let id = UploadID.generate()
        let created = try await store.createUpload(
            NewUpload(id: id.value, repositoryName: repository.value, owner: owner, hashState: DigestHasher(.sha256).savedState,
                      ownerLimit: configuration.uploadSessionsPerOwner, projectLimit: configuration.uploadSessionsPerProject),
            now: Clock.nowMilliseconds())
        switch created {
        case .created:
            return UploadStatus(id: id, size: 0)
        case .ownerLimitReached(let limit):
            throw DistributionError(.tooManyRequests, "\(limit) upload sessions are open for this account already; finish or cancel (DELETE) some first")
        case .projectLimitReached(let limit):
            throw DistributionError(.tooManyRequests,
                                    "\(limit) upload sessions are open in project \(RepositoryRecord.projectName(of: repository.value)) already; finish or cancel (DELETE) some first")
        }
    }

    /// Where a session stands.
    public func status(_ id: UploadID, in repository: RepositoryName) async throws -> UploadStatus {
        guard let record = try await store.upload(id: id.value, repositoryName: repository.value) else { throw Self.unknown(id) }
        return UploadStatus(id: id, size: record.size)
    }

    /// Appends a chunk. With `range`, its start must equal the bytes received so far (else 416).
    public func append<Body: AsyncSequence & Sendable>(
        _ body: Body, to id: UploadID, in repository: RepositoryName, range: ChunkRange?, contentLength: Int64?
    ) async throws -> UploadStatus where Body.Element == ByteBuffer {
        try await withLease(id, repository: repository) { record, hasher, lease in
            let size = try await write(body, to: id, record: record, hasher: &hasher, lease: &lease, range: range, contentLength: contentLength)
            return .keep(size: size, UploadStatus(id: id, size: size))
        }
    }

    /// Closes a session, optionally with a last chunk, and verifies the whole blob against `digest`.
    /// On a mismatch the session and its bytes are discarded and `DIGEST_INVALID` is thrown.
    public func finish<Body: AsyncSequence & Sendable>(
        _ id: UploadID, in repository: RepositoryName, digest: Digest, lastChunk body: Body, range: ChunkRange?, contentLength: Int64?
    ) async throws -> Digest where Body.Element == ByteBuffer {
        let result: Result<Digest, DistributionError> = try await withLease(id, repository: repository) { record, hasher, lease in
            let size = try await write(body, to: id, record: record, hasher: &hasher, lease: &lease, range: range, contentLength: contentLength)
            let actual = hasher.algorithm == digest.algorithm ? hasher.digest() : try await rehash(id, size: size, algorithm: digest.algorithm)
            guard actual == digest else {
                await discard(id)
                return .finished(.failure(DistributionError(.digestInvalid, "uploaded content has digest \(actual), not \(digest)")))
            }
            // Published while the lease is still held, so no other request can write to the session meanwhile.
            try await commit(id, digest: digest, size: size, repository: repository)
            return .finished(.success(digest))
        }
        return try result.get()
    }

    /// Uploads a whole blob in one request (`POST …/uploads/?digest=`).
    public func uploadMonolithic<Body: AsyncSequence & Sendable>(
        _ body: Body, to repository: RepositoryName, owner: String, digest: Digest, contentLength: Int64?
    ) async throws -> Digest where Body.Element == ByteBuffer {
        let session = try await start(in: repository, owner: owner)
        do {
            return try await finish(session.id, in: repository, digest: digest, lastChunk: body, range: nil, contentLength: contentLength)
        } catch {
            // Nobody else knows this session's id, so nothing could resume it.
            await discard(session.id)
            throw error
        }
    }

    /// Abandons a session and deletes its bytes.
    public func cancel(_ id: UploadID, in repository: RepositoryName) async throws {
        guard try await store.upload(id: id.value, repositoryName: repository.value) != nil else { throw Self.unknown(id) }
        await discard(id)
    }

    /// Deletes sessions untouched for longer than the configured age; returns how many were purged.
    @discardableResult
    public func purgeStale(now: Int64 = Clock.nowMilliseconds()) async throws -> Int {
        let cutoff = now - configuration.uploadMaximumAgeSeconds * 1000
        var purged = 0
        while true {
            let ids = try await store.staleUploads(before: cutoff, limit: 200)
            var removed = 0
            for raw in ids {
                if let id = try? UploadID(parsing: raw) {
                    try await storage.delete(StorageLayout.upload(id))
                }
                if try await store.deleteUpload(id: raw) { removed += 1 }
            }
            purged += removed
            // Stop when a batch removes nothing, so rows that cannot be deleted never make this loop spin.
            if ids.count < 200 || removed == 0 { break }
        }
        // Files whose session row is already gone (a crash between the two deletions). A file with a live row is
        // left alone, whatever its age: its session is purged by the loop above once the row itself is stale.
        for name in try await storage.list(StorageLayout.uploadsRoot) {
            guard let id = try? UploadID(parsing: name) else { continue }
            let modified = try await storage.modificationTime(of: StorageLayout.upload(id)) ?? 0
            if Int64(modified * 1000) < cutoff, try await store.uploadExists(id: id.value) == false {
                try await storage.delete(StorageLayout.upload(id))
            }
        }
        if purged > 0 { logger.info("purged stale uploads", metadata: ["count": "\(purged)"]) }
        return purged
    }

    // MARK: Internals

    private static func unknown(_ id: UploadID) -> DistributionError {
        DistributionError(.blobUploadUnknown, "upload session \(id) is unknown")
    }

    /// What a leased step did with the session.
    private enum LeaseOutcome<R> {
        /// The session goes on with `size` bytes and the hasher's state; the lease is released.
        case keep(size: Int64, R)
        /// The step finished or discarded the session itself; there is nothing to release.
        case finished(R)
    }

    /// Takes the session's lease, runs `body` with its state, and records the new size and hash state.
    /// If `body` throws, the session keeps its previous state (bytes past it are truncated by the next writer).
    private func withLease<R: Sendable>(
        _ id: UploadID, repository: RepositoryName,
        _ body: (UploadRecord, inout DigestHasher, inout HeldLease) async throws -> LeaseOutcome<R>
    ) async throws -> R {
        let token = UploadID.generate().value
        let now = Clock.nowMilliseconds()
        let record: UploadRecord
        switch try await store.acquireUpload(id: id.value, repositoryName: repository.value, token: token, now: now,
                                             leaseMilliseconds: configuration.uploadLeaseMilliseconds) {
        case .unknown: throw Self.unknown(id)
        case .busy: throw DistributionError(.rangeInvalid, "upload session \(id) is being written by another request")
        case .acquired(let r): record = r
        }
        var hasher: DigestHasher
        if let restored = DigestHasher(restoring: record.hashState) {
            hasher = restored
        } else {
            hasher = try await rehashState(id, size: record.size)
        }
        var lease = HeldLease(id: id, token: token, renewedAt: now, store: store, duration: configuration.uploadLeaseMilliseconds)
        let outcome: LeaseOutcome<R>
        do {
            outcome = try await body(record, &hasher, &lease)
        } catch {
            _ = try? await store.releaseUpload(id: id.value, token: token, size: record.size, hashState: record.hashState, now: Clock.nowMilliseconds())
            throw error
        }
        switch outcome {
        case .finished(let result):
            return result
        case .keep(let size, let result):
            guard try await store.releaseUpload(id: id.value, token: token, size: size, hashState: hasher.savedState, now: Clock.nowMilliseconds()) else {
                throw DistributionError(.blobUploadInvalid, "upload session \(id) was taken over by another request")
            }
            return result
        }
    }

    /// Streams `body` into the session's data after its committed bytes; returns the new size.
    private func write<Body: AsyncSequence>(
        _ body: Body, to id: UploadID, record: UploadRecord, hasher: inout DigestHasher, lease: inout HeldLease,
        range: ChunkRange?, contentLength: Int64?
    ) async throws -> Int64 where Body.Element == ByteBuffer {
        if let range, range.start != record.size {
            throw DistributionError(.rangeInvalid, "chunk starts at \(range.start) but the upload has \(record.size) bytes; resume at \(record.size)")
        }
        var writer: (any StorageWriter)? = nil
        var received: Int64 = 0
        do {
            for try await chunk in body where chunk.readableBytes > 0 {
                if writer == nil {
                    writer = try await storage.writer(for: StorageLayout.upload(id), startingAt: record.size)
                }
                chunk.withUnsafeReadableBytes { hasher.update($0) }
                try await writer!.write(chunk)
                try await lease.renewIfDue()
                received += Int64(chunk.readableBytes)
            }
            if let contentLength, contentLength != received {
                throw DistributionError(.sizeInvalid, "received \(received) bytes but Content-Length said \(contentLength)")
            }
            if let range, range.length != received, received > 0 {
                throw DistributionError(.rangeInvalid, "Content-Range covers \(range.length) bytes but the chunk has \(received)")
            }
            if writer == nil && record.size == 0 {
                // An empty blob still needs a (zero-length) data object to commit.
                writer = try await storage.writer(for: StorageLayout.upload(id), startingAt: 0)
            }
            try await writer?.commit()
        } catch {
            await writer?.cancel()
            throw error
        }
        return record.size + received
    }

    /// Rebuilds the hash of the first `size` bytes from storage (when the saved state cannot be used).
    private func rehashState(_ id: UploadID, size: Int64) async throws -> DigestHasher {
        logger.notice("rehashing upload from storage", metadata: ["upload": "\(id)", "bytes": "\(size)"])
        var hasher = DigestHasher(.sha256)
        guard size > 0 else { return hasher }
        let reader = try await storage.reader(for: StorageLayout.upload(id), range: 0 ..< size)
        do {
            while let chunk = try await reader.next() { chunk.withUnsafeReadableBytes { hasher.update($0) } }
        } catch {
            await reader.close()
            throw error
        }
        await reader.close()
        return hasher
    }

    private func rehash(_ id: UploadID, size: Int64, algorithm: DigestAlgorithm) async throws -> Digest {
        var hasher = DigestHasher(algorithm)
        if size > 0 {
            let reader = try await storage.reader(for: StorageLayout.upload(id), range: 0 ..< size)
            while let chunk = try await reader.next() { chunk.withUnsafeReadableBytes { hasher.update($0) } }
            await reader.close()
        }
        return hasher.digest()
    }

    /// Moves verified bytes to their content address and links the blob.
    private func commit(_ id: UploadID, digest: Digest, size: Int64, repository: RepositoryName) async throws {
        // If the same content is already stored, the rename replaces it with identical bytes, atomically.
        try await storage.move(StorageLayout.upload(id), to: StorageLayout.blob(digest))
        try await store.completeUpload(id: id.value, digest: digest, size: size, repositoryName: repository.value, now: Clock.nowMilliseconds())
    }

    private func discard(_ id: UploadID) async {
        do {
            _ = try await store.deleteUpload(id: id.value)
            try await storage.delete(StorageLayout.upload(id))
        } catch {
            logger.warning("could not discard upload", metadata: ["upload": "\(id)", "error": "\(error)"])
        }
    }
}

/// A write lease on an upload session, renewed while a long request streams so that a dead holder's
/// lease runs out soon but a slow live one keeps it.
struct HeldLease {
    let id: UploadID
    let token: String
    var renewedAt: Int64
    let store: any RegistryStore
    let duration: Int64

    mutating func renewIfDue() async throws {
        let now = Clock.nowMilliseconds()
        guard now - renewedAt > duration / 3 else { return }
        guard try await store.renewUpload(id: id.value, token: token, now: now, leaseMilliseconds: duration) else {
            throw DistributionError(.blobUploadInvalid, "upload session \(id) was taken over by another request")
        }
        renewedAt = now
    }
}

/// Where an upload session stands.
public struct UploadStatus: Sendable, Equatable {
    /// The session id.
    public let id: UploadID
    /// Bytes received so far.
    public let size: Int64
}
