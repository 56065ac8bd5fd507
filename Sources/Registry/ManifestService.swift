import Logging
import Metadata
import NIOCore
import OCI
import Storage

/// Stores and serves manifests, and changes tags and repositories: the one path every such change takes, from `/v2`
/// and the management API alike. Bytes are kept exactly as pushed, under their digest, in storage; the database
/// records the manifest, what it references, the tags that point to it, and each change's event.
public struct ManifestService: Sendable, BackendService {
    let backend: RegistryBackend
    let cache: ManifestCache

    /// Creates the service; `cache` holds recently used manifest bytes.
    public init(_ backend: RegistryBackend, cache: ManifestCache = ManifestCache()) {
        self.backend = backend
        self.cache = cache
    }

    /// Validates and stores a manifest pushed to `reference` by `change`; returns its digest and subject.
    public func put(_ bytes: ByteBuffer, contentType: String?, to repository: RepositoryName, reference: Reference,
                    by change: ChangeContext) async throws -> PushedManifest {
        guard bytes.readableBytes <= ManifestParser.maximumSize else {
            throw DistributionError(.tooLarge, "manifest is larger than \(ManifestParser.maximumSize) bytes")
        }
        let raw = Array(bytes.readableBytesView)
        let parsed = try ManifestParser.parse(raw, contentType: contentType)
        let digest: Digest
        var tag: Tag? = nil
        switch reference {
        case .digest(let expected):
            digest = Digest.compute(expected.algorithm, of: raw)
            guard digest == expected else {
                throw DistributionError(.digestInvalid, "manifest has digest \(digest), not \(expected) as the URL says")
            }
        case .tag(let t):
            digest = Digest.compute(.sha256, of: raw)
            tag = t
        }
        let now = Clock.nowMilliseconds()
        // A repository that does not exist yet holds nothing a manifest could reference; it is created with the manifest.
        let repo = try await store.repository(named: repository.value)
        var missingBlobs = Self.unique(parsed.blobs)
        var missingManifests = Self.unique(parsed.manifests)
        if let repo {
            missingBlobs = try await store.missingBlobs(parsed.blobs, repositoryID: repo.id)
            missingManifests = try await store.missingManifests(parsed.manifests, repositoryID: repo.id)
        }
        if let first = (missingBlobs + missingManifests).first {
            let what = missingBlobs.contains(first) ? "blob" : "manifest"
            throw DistributionError(.manifestBlobUnknown, "manifest references \(what) \(first), which is not in repository \(repository)",
                                    detail: first.description)
        }
        // Written every time, even when the same bytes are there: a fresh file is what keeps garbage collection from
        // deleting bytes this push is about to link (docs/garbage-collection.md). Manifests are small.
        try await storage.put(bytes, at: StorageLayout.blob(digest))
        let record = ManifestRecord(digest: digest, mediaType: parsed.mediaType, size: Int64(raw.count),
                                    artifactType: parsed.artifactType, subject: parsed.subject, annotations: parsed.annotations)
        let guarding = tag == nil ? TagGuard.none : try await immutableTags(in: repository).guarding(repository.value)
        try await store.putManifest(record, references: ManifestReferences(blobs: parsed.blobs, manifests: parsed.manifests),
                                    tag: tag, repositoryName: repository.value, now: now, guarding: guarding, by: change)
        cache.insert(digest, bytes)
        return PushedManifest(digest: digest, subject: parsed.subject)
    }

    /// Looks up a manifest; `accept` is the client's `Accept` header (nil or empty accepts anything).
    public func describe(_ reference: Reference, in repository: RepositoryName, accept: [String]) async throws -> ManifestRecord {
        // One query on the hot path; a miss then tells a missing repository from a missing manifest.
        guard let record = try await store.manifest(reference, repositoryName: repository.value) else {
            _ = try await store.existingRepository(repository)
            throw DistributionError(.manifestUnknown, "manifest \(reference) is not in repository \(repository)")
        }
        guard Self.accepts(accept, record.mediaType) else {
            throw DistributionError(.manifestUnknown, "manifest \(reference) is a \(record.mediaType), which the Accept header does not allow")
        }
        return record
    }

    /// The manifest and its bytes.
    public func fetch(_ reference: Reference, in repository: RepositoryName, accept: [String]) async throws -> (ManifestRecord, ByteBuffer) {
        let record = try await describe(reference, in: repository, accept: accept)
        if let cached = cache.get(record.digest) { return (record, cached) }
        do {
            let bytes = try await storage.get(StorageLayout.blob(record.digest))
            cache.insert(record.digest, bytes)
            return (record, bytes)
        } catch StorageError.notFound {
            logger.error("manifest is recorded but missing from storage", metadata: ["digest": "\(record.digest)"])
            throw DistributionError(.manifestUnknown, "manifest \(reference) is not in repository \(repository)")
        }
    }

    /// The stored bytes of a manifest by digest (the caller has checked that it belongs where it is asked about).
    public func bytes(of digest: Digest) async throws -> ByteBuffer {
        if let cached = cache.get(digest) { return cached }
        let bytes = try await storage.get(StorageLayout.blob(digest))
        cache.insert(digest, bytes)
        return bytes
    }

    /// Deletes a tag, or a manifest with every tag pointing to it.
    public func delete(_ reference: Reference, in repository: RepositoryName, by change: ChangeContext) async throws {
        guard configuration.deleteEnabled else { throw DistributionError(.unsupported, "deleting manifests is disabled on this registry") }
        let repo = try await store.existingRepository(repository)
        let guarding = try await immutableTags(in: repository).guarding(repository.value)
        let deleted: Bool
        switch reference {
        case .tag(let t): deleted = try await store.deleteTag(t, repositoryID: repo.id, guarding: guarding, by: change)
        case .digest(let d): deleted = try await store.deleteManifest(d, repositoryID: repo.id, guarding: guarding, by: change)
        }
        guard deleted else { throw DistributionError(.manifestUnknown, "manifest \(reference) is not in repository \(repository)") }
    }

    /// Points a new tag at a manifest of the repository; false when the tag already exists there.
    public func addTag(_ tag: Tag, to digest: Digest, in repository: RepositoryName, by change: ChangeContext) async throws -> Bool {
        let repo = try await store.existingRepository(repository)
        guard try await store.manifest(digest, repositoryID: repo.id) != nil else {
            throw DistributionError(.manifestUnknown, "manifest \(digest) is not in repository \(repository)")
        }
        return try await store.createTag(tag, digest: digest, repositoryID: repo.id, now: Clock.nowMilliseconds(), by: change)
    }

    /// Changes a repository's description (at most 64 KiB).
    public func updateDescription(of repository: RepositoryName, to description: String) async throws {
        guard description.utf8.count <= 65_536 else { throw DistributionError(.sizeInvalid, "a repository description is at most 64 KiB") }
        guard try await store.updateRepositoryDescription(named: repository.value, description: description, now: Clock.nowMilliseconds()) else {
            throw DistributionError(.nameUnknown, "repository \(repository) is not known to this registry")
        }
    }

    /// Deletes a repository with every artifact, tag and blob link in it.
    public func deleteRepository(_ repository: RepositoryName, by change: ChangeContext) async throws {
        guard configuration.deleteEnabled else { throw DistributionError(.unsupported, "deleting is disabled on this registry") }
        let guarding = try await immutableTags(in: repository).guarding(repository.value)
        guard try await store.deleteRepository(named: repository.value, guarding: guarding, by: change) else {
            throw DistributionError(.nameUnknown, "repository \(repository) is not known to this registry")
        }
    }

    /// The enabled tag immutability rules of the repository's project.
    public func immutableTags(in repository: RepositoryName) async throws -> ImmutableTagMatcher {
        ImmutableTagMatcher(try await store.enabledImmutableRules(project: RepositoryRecord.projectName(of: repository.value)))
    }

    /// The digests in order, each once.
    static func unique(_ digests: [Digest]) -> [Digest] {
        var seen = Set<Digest>()
        return digests.filter { seen.insert($0).inserted }
    }

    /// Throws `NAME_UNKNOWN` unless the repository exists.
    public func requireRepository(_ repository: RepositoryName) async throws {
        _ = try await store.existingRepository(repository)
    }

    /// Whether an `Accept` list allows `mediaType` (no list, `*/*` or `application/*` allow everything).
    static func accepts(_ accept: [String], _ mediaType: String) -> Bool {
        let types = accept.flatMap { $0.split(separator: ",") }.compactMap { MediaType.essence(of: $0) }
        if types.isEmpty { return true }
        return types.contains { $0 == mediaType || $0 == "*/*" || $0 == "application/*" || $0 == "application/json" }
    }
}

/// The result of a manifest push.
public struct PushedManifest: Sendable, Equatable {
    /// Digest of the stored bytes.
    public let digest: Digest
    /// The manifest's subject, for the `OCI-Subject` header.
    public let subject: Digest?
}
