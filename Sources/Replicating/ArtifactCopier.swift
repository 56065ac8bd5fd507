import AsyncHTTPClient
import Foundation
import NIOCore
import OCI
import RegistryClient

/// Copies one artifact between two registries, content-preserving: an index with every platform's manifest, each
/// manifest's blobs, then the artifact's referrers (signatures, SBOMs) after it, and the tags last, so the
/// destination never shows a tag whose content is still missing. Blobs the destination has are not sent (HEAD, then a
/// mount from a repository this process copied them into); large blobs (or every blob, in chunked mode) go in
/// chunks whose upload session is recorded, so a later attempt continues from the bytes the destination holds.
struct ArtifactCopier {
    let source: RegistryClient
    let destination: RegistryClient
    let sourceRepository: String
    let destinationRepository: String
    let progress: TaskProgress
    let mounts: MountHints
    /// Send every blob in chunks (the policy's `copy_by_chunk`).
    let chunked: Bool
    /// Replace a destination tag that names other content.
    let override: Bool
    /// Bytes per chunk.
    static let chunkSize = 8 << 20
    /// Blobs from this size on are sent in chunks even when the policy does not ask, so they can be resumed.
    static let resumableFrom: Int64 = 32 << 20
    /// How deep referrers of referrers are followed.
    static let referrerDepth = 3

    /// Copies artifact `digest` and sets `tags` on it at the destination (those that already name other content stay
    /// unless `override`). Returns the tags set.
    func copy(_ digest: Digest, tags: [String]) async throws -> [String] {
        var settable: [String] = []
        for tag in tags {
            if !override, let existing = try await destination.manifestHead(destinationRepository, reference: tag), let found = existing.digest, found != digest {
                await progress.log("tag \(tag) names \(found) at the destination; not replaced (override is off)")
                continue
            }
            settable.append(tag)
        }
        if !tags.isEmpty && settable.isEmpty { return [] }
        let manifest = try await copyManifest(digest, depth: 0)
        for tag in settable {
            try await destination.putManifest(destinationRepository, reference: tag, bytes: manifest.bytes, mediaType: manifest.mediaType)
            await progress.log("tagged \(destinationRepository):\(tag)")
        }
        return settable
    }

    /// A manifest as copied: its bytes and media type.
    struct Copied {
        let bytes: [UInt8]
        let mediaType: String
    }

    /// Copies manifest `digest` with everything it references, then its referrers.
    func copyManifest(_ digest: Digest, depth: Int) async throws -> Copied {
        let manifest = try await source.manifest(sourceRepository, reference: digest.description)
        let parsed = try ManifestParser.parse(manifest.bytes, contentType: manifest.mediaType)
        let mediaType = manifest.mediaType.flatMap { $0.isEmpty ? nil : $0 } ?? parsed.mediaType
        if try await destination.manifestHead(destinationRepository, reference: digest.description) != nil {
            await progress.log("manifest \(digest) is at the destination already")
        } else {
            for child in parsed.manifests { _ = try await copyManifest(child, depth: Self.referrerDepth) }
            for blob in parsed.blobs { try await copyBlob(blob, size: parsed.blobSizes[blob]) }
            try await destination.putManifest(destinationRepository, reference: digest.description, bytes: manifest.bytes, mediaType: mediaType)
            await progress.log("manifest \(digest) (\(mediaType)) copied")
        }
        if depth < Self.referrerDepth { try await copyReferrers(of: digest, depth: depth + 1) }
        return Copied(bytes: manifest.bytes, mediaType: mediaType)
    }

    /// Copies the referrers of `subject`; a source without the referrers API has none to copy.
    func copyReferrers(of subject: Digest, depth: Int) async throws {
        let referrers: [[String: String]]
        do {
            referrers = try await source.referrers(sourceRepository, digest: subject)
        } catch RegistryClientError.status(let status, _, _, _) where status == 404 || status == 405 || status == 400 {
            return
        }
        for referrer in referrers {
            guard let text = referrer["digest"], let digest = try? Digest(parsing: text) else { continue }
            await progress.log("referrer \(digest) (\(referrer["artifactType"] ?? "no artifact type")) of \(subject)")
            _ = try await copyManifest(digest, depth: depth)
        }
    }

    /// Copies one blob unless the destination has it.
    func copyBlob(_ digest: Digest, size: Int64?) async throws {
        if let existing = try await destination.blobSize(destinationRepository, digest: digest) {
            await progress.expect(existing)
            try await progress.moved(existing)
            await progress.log("blob \(digest) is at the destination already")
            return
        }
        if let from = await mounts.repository(holding: digest, at: destination.baseURL), from != destinationRepository,
           (try? await destination.mount(destinationRepository, digest: digest, from: from)) == true {
            let mounted = try await destination.blobSize(destinationRepository, digest: digest) ?? 0
            await progress.expect(mounted)
            try await progress.moved(mounted)
            await progress.log("blob \(digest) mounted from \(from)")
            return
        }
        let size = try await resolvedSize(digest, size)
        await progress.expect(size)
        if chunked || size >= Self.resumableFrom {
            try await sendInChunks(digest, size: size)
        } else {
            let blob = try await source.blob(sourceRepository, digest: digest, size: size)
            let body = HTTPClientRequest.Body.stream(CountedChunks(blob: blob, progress: progress), length: .known(size))
            try await destination.uploadBlob(destinationRepository, digest: digest, size: size, body: body)
        }
        await mounts.remember(digest, in: destinationRepository, at: destination.baseURL)
        await progress.log("blob \(digest) sent (\(size) bytes)")
    }

    /// The blob's size from its descriptor, or from the source.
    func resolvedSize(_ digest: Digest, _ size: Int64?) async throws -> Int64 {
        if let size, size >= 0 { return size }
        guard let found = try await source.blobSize(sourceRepository, digest: digest) else {
            throw RegistryClientError.invalidResponse("the source does not have blob \(digest)")
        }
        return found
    }

    /// Sends a blob as chunks of an upload session that is recorded after each chunk; continues a recorded session
    /// of the same blob from the bytes the destination reports. (CNCF distribution cancels an upload whose `PATCH`
    /// was cut off part-way — its session state no longer matches the bytes it kept — so into distribution the blob
    /// starts again; Berth and Harbor-style registries report the bytes they hold and the copy continues.)
    func sendInChunks(_ digest: Digest, size: Int64) async throws {
        var offset: Int64 = 0
        var upload: RemoteUpload? = nil
        let savedText = await progress.resume
        if let saved = try? JSONDecoder().decode(ReplicationResume.self, from: Data(savedText.utf8)),
           saved.digest == digest.description, saved.repository == destinationRepository {
            let session = RemoteUpload(repository: saved.repository, location: saved.location)
            if let held = try await destination.uploadedBytes(session), held <= size {
                upload = session
                offset = held
                await progress.log("continuing blob \(digest) from byte \(held) of \(size) (the destination kept the upload)")
                try await progress.moved(held)
            }
        }
        if upload == nil { upload = try await destination.beginUpload(destinationRepository) }
        guard var session = upload else { return }
        try await record(session, digest)
        if offset < size {
            let blob = try await source.blob(sourceRepository, digest: digest, from: offset, size: size)
            var pending = ByteBuffer()
            pending.reserveCapacity(min(Self.chunkSize, Int(size - offset)))
            func flush() async throws {
                guard pending.readableBytes > 0 else { return }
                let length = Int64(pending.readableBytes)
                session = try await destination.uploadChunk(session, offset: offset, chunk: pending)
                offset += length
                pending.clear()
                try await record(session, digest)
                try await progress.moved(length)
            }
            while let chunk = try await blob.next() {
                var chunk = chunk
                pending.writeBuffer(&chunk)
                if pending.readableBytes >= Self.chunkSize { try await flush() }
            }
            try await flush()
        }
        try await destination.finishUpload(session, digest: digest)
        try await progress.setResume("")
    }

    func record(_ session: RemoteUpload, _ digest: Digest) async throws {
        let state = ReplicationResume(digest: digest.description, repository: session.repository, location: session.location)
        try await progress.setResume(String(decoding: try JSONEncoder().encode(state), as: UTF8.self))
    }
}

/// A blob download as the body of an upload, counting the bytes that pass when given a task's progress.
struct CountedChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let blob: RemoteBlob
    var progress: TaskProgress? = nil

    struct AsyncIterator: AsyncIteratorProtocol {
        let blob: RemoteBlob
        let progress: TaskProgress?
        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await blob.next() else { return nil }
            try await progress?.moved(Int64(chunk.readableBytes))
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(blob: blob, progress: progress) }
}

/// Which destination repository this process last copied a blob into, so the next repository that needs it mounts
/// it instead of receiving it again. Bounded; forgetting only costs a transfer.
actor MountHints {
    private var holders: [String: String] = [:]
    static let capacity = 100_000

    /// A repository at `registry` that has `digest`, as far as this process knows.
    func repository(holding digest: Digest, at registry: String) -> String? { holders[registry + " " + digest.description] }

    /// Notes that `repository` at `registry` has `digest`.
    func remember(_ digest: Digest, in repository: String, at registry: String) {
        if holders.count >= Self.capacity { holders.removeAll(keepingCapacity: true) }
        holders[registry + " " + digest.description] = repository
    }
}
