import OCI

/// The registry's metadata: the source of truth for repositories, blob links, manifests, tags,
/// referrers and upload sessions. Every backend (SQLite, PostgreSQL) implements it with the same behaviour.
/// Changes made `by` someone record their domain events (`PUSH_ARTIFACT`, `DELETE_ARTIFACT`, …) in the outbox in
/// the same transaction.
public protocol RegistryStore: Sendable {
    /// Creates the schema or brings it up to date.
    func migrate() async throws

    /// The repository with this name, if it exists.
    func repository(named name: String) async throws -> RepositoryRecord?
    /// The repository with this name, created when missing.
    func createRepository(named name: String, now: Int64) async throws -> RepositoryRecord
    /// Repository names after `last` in bytewise order, at most `limit`; only names in `projects` when that is given.
    func repositoryNames(after last: String?, limit: Int, inProjects projects: [String]?) async throws -> [String]

    /// Size of a blob if it is linked to the repository.
    func linkedBlobSize(_ digest: Digest, repositoryID: Int64) async throws -> Int64?
    /// Links a blob of `size` bytes to the repository (a no-op when already linked).
    func linkBlob(_ digest: Digest, size: Int64, repositoryID: Int64, now: Int64) async throws
    /// Links a blob that `sourceRepositoryID` holds into the repository called `repositoryName` (created then, not before);
    /// returns its size, or nil if the source lacks it.
    func mountBlob(_ digest: Digest, from sourceRepositoryID: Int64, into repositoryName: String, now: Int64) async throws -> Int64?
    /// The size of a linked blob a client is being told exists (`HEAD`), touching the link at most once per
    /// `refreshAfter` milliseconds so that garbage collection leaves it for its grace period; nil when not linked.
    func confirmBlob(_ digest: Digest, repositoryID: Int64, now: Int64, refreshAfter: Int64) async throws -> Int64?
    /// Removes a blob's link from the repository (and the repository once nothing is left in it); returns whether
    /// there was a link.
    func unlinkBlob(_ digest: Digest, repositoryID: Int64, by change: ChangeContext) async throws -> Bool
    /// Those of `digests` that are not linked to the repository.
    func missingBlobs(_ digests: [Digest], repositoryID: Int64) async throws -> [Digest]
    /// Those of `digests` that are not manifests in the repository.
    func missingManifests(_ digests: [Digest], repositoryID: Int64) async throws -> [Digest]

    /// Stores a manifest, its references and its bytes' blob link, and points `tag` at it, creating the repository
    /// called `repositoryName` if needed — all or nothing; refused (`TAG_IMMUTABLE`) when `guarding` protects the tag and
    /// it points to another manifest.
    func putManifest(_ manifest: ManifestRecord, references: ManifestReferences, tag: Tag?, repositoryName: String, now: Int64,
                     guarding: TagGuard, by change: ChangeContext) async throws
    /// The manifest with this digest in the repository.
    func manifest(_ digest: Digest, repositoryID: Int64) async throws -> ManifestRecord?
    /// The manifest a tag points to.
    func manifest(taggedAs tag: Tag, repositoryID: Int64) async throws -> ManifestRecord?
    /// The manifest a digest or tag names in the repository called `repository`, in one query (the pull path); nil
    /// when the repository or the manifest is missing.
    func manifest(_ reference: Reference, repositoryName repository: String) async throws -> ManifestRecord?
    /// What a manifest in the repository references (its blobs and child manifests); nil when it is not there.
    func references(ofManifest digest: Digest, repositoryID: Int64) async throws -> ManifestReferences?
    /// Deletes a manifest and every tag pointing to it (and the repository once nothing is left in it); returns whether
    /// it existed; refused (`TAG_IMMUTABLE`) when `guarding` protects one of those tags.
    func deleteManifest(_ digest: Digest, repositoryID: Int64, guarding: TagGuard, by change: ChangeContext) async throws -> Bool
    /// Changes a repository's description; false when it does not exist.
    func updateRepositoryDescription(named name: String, description: String, now: Int64) async throws -> Bool
    /// Points `tag` at an existing manifest (recorded as a push of it with that tag); false when the tag already exists.
    func createTag(_ tag: Tag, digest: Digest, repositoryID: Int64, now: Int64, by change: ChangeContext) async throws -> Bool
    /// Deletes a repository with its manifests, tags, blob links and upload sessions; false when it did not exist;
    /// refused (`TAG_IMMUTABLE`) when `guarding` protects one of its tags.
    func deleteRepository(named name: String, guarding: TagGuard, by change: ChangeContext) async throws -> Bool
    /// Deletes a tag; returns whether it existed; refused (`TAG_IMMUTABLE`) when `guarding` protects it.
    func deleteTag(_ tag: Tag, repositoryID: Int64, guarding: TagGuard, by change: ChangeContext) async throws -> Bool
    /// The enabled tag immutability rules of the project called `project`.
    func enabledImmutableRules(project: String) async throws -> [ImmutableRuleRecord]
    /// The tags that point to a manifest.
    func tags(ofManifest digest: Digest, repositoryID: Int64) async throws -> [String]
    /// Tags after `last` in lexical (case-insensitive, then bytewise) order, at most `limit`.
    func tags(repositoryID: Int64, after last: String?, limit: Int) async throws -> [String]
    /// Manifests in the repository whose subject is `subject`, optionally of one artifact type, ordered by digest; the
    /// first `limit` of them when one is given.
    func referrers(of subject: Digest, repositoryID: Int64, artifactType: String?, limit: Int?) async throws -> [ManifestRecord]

    /// Records a new upload session unless its owner or project has reached its limit of open sessions.
    func createUpload(_ upload: NewUpload, now: Int64) async throws -> UploadCreation
    /// The upload session, if it exists for the repository.
    func upload(id: String, repositoryName: String) async throws -> UploadRecord?
    /// Takes the session for writing until `now + leaseMilliseconds` unless another writer holds it.
    func acquireUpload(id: String, repositoryName: String, token: String, now: Int64, leaseMilliseconds: Int64) async throws -> UploadLease
    /// Extends a held lease to `now + leaseMilliseconds`; returns false if it was lost.
    func renewUpload(id: String, token: String, now: Int64, leaseMilliseconds: Int64) async throws -> Bool
    /// Records new progress and releases the session; returns false if the lease was lost.
    func releaseUpload(id: String, token: String, size: Int64, hashState: [UInt8], now: Int64) async throws -> Bool
    /// Creates the repository if needed, links the finished blob and deletes the session, in one transaction.
    func completeUpload(id: String, digest: Digest, size: Int64, repositoryName: String, now: Int64) async throws
    /// Whether a session with this id exists, in any repository.
    func uploadExists(id: String) async throws -> Bool
    /// Deletes a session; returns whether it existed.
    func deleteUpload(id: String) async throws -> Bool
    /// Ids of sessions not touched since `before` (milliseconds since 1970).
    func staleUploads(before: Int64, limit: Int) async throws -> [String]
}

extension RegistryStore {
    /// `putManifest` for changes no immutability rule applies to (tests, and copies that carry no tag).
    public func putManifest(_ manifest: ManifestRecord, references: ManifestReferences, tag: Tag?, repositoryName: String, now: Int64,
                            by change: ChangeContext) async throws {
        try await putManifest(manifest, references: references, tag: tag, repositoryName: repositoryName, now: now, guarding: .none, by: change)
    }

    /// `deleteManifest` of a manifest no immutability rule applies to (garbage collection deletes only untagged ones).
    public func deleteManifest(_ digest: Digest, repositoryID: Int64, by change: ChangeContext) async throws -> Bool {
        try await deleteManifest(digest, repositoryID: repositoryID, guarding: .none, by: change)
    }

    /// `deleteTag` without immutability rules.
    public func deleteTag(_ tag: Tag, repositoryID: Int64, by change: ChangeContext) async throws -> Bool {
        try await deleteTag(tag, repositoryID: repositoryID, guarding: .none, by: change)
    }

    /// `deleteRepository` without immutability rules.
    public func deleteRepository(named name: String, by change: ChangeContext) async throws -> Bool {
        try await deleteRepository(named: name, guarding: .none, by: change)
    }
}
