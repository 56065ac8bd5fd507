import Logging
import Metadata
import OCI
import Storage

/// Copies an artifact into another repository on the same registry (Harbor's "copy artifact"): its blobs are linked
/// (no bytes move), child manifests of an index are copied first, then the manifest itself with the tags it has.
public struct ArtifactCopier: Sendable, BackendService {
    let backend: RegistryBackend

    /// Creates the copier.
    public init(_ backend: RegistryBackend) { self.backend = backend }

    /// Copies what `reference` names in `source` into `target` (created when missing) for `change`; returns the copied digest.
    public func copy(_ reference: Reference, from source: RepositoryName, to target: RepositoryName, by change: ChangeContext) async throws -> Digest {
        let sourceRepository = try await store.existingRepository(source)
        guard let record = try await store.manifest(reference, repositoryName: source.value) else {
            throw DistributionError(.manifestUnknown, "manifest \(reference) is not in repository \(source)")
        }
        let now = Clock.nowMilliseconds()
        try await copyManifest(record.digest, from: sourceRepository.id, to: target, depth: 0, now: now, by: change)
        // The copy carries the source artifact's tags.
        let tags = try await store.tags(ofManifest: record.digest, repositoryID: sourceRepository.id)
        if !tags.isEmpty {
            let references = try await store.references(ofManifest: record.digest, repositoryID: sourceRepository.id) ?? ManifestReferences(blobs: [], manifests: [])
            // A tag the target's immutability rules protect is not moved by a copy either.
            let guarding = ImmutableTagMatcher(try await store.enabledImmutableRules(project: RepositoryRecord.projectName(of: target.value)))
                .guarding(target.value)
            for tag in tags {
                try await store.putManifest(record, references: references, tag: try Tag(tag), repositoryName: target.value, now: now,
                                            guarding: guarding, by: change)
            }
        }
        return record.digest
    }

    private func copyManifest(_ digest: Digest, from sourceID: Int64, to target: RepositoryName, depth: Int, now: Int64,
                              by change: ChangeContext) async throws {
        guard depth < 8 else { throw DistributionError(.manifestInvalid, "indexes nested deeper than 8 levels are not copied") }
        guard let record = try await store.manifest(digest, repositoryID: sourceID),
              let references = try await store.references(ofManifest: digest, repositoryID: sourceID) else {
            throw DistributionError(.manifestUnknown, "manifest \(digest) is not in the source repository")
        }
        for child in references.manifests {
            try await copyManifest(child, from: sourceID, to: target, depth: depth + 1, now: now, by: change)
        }
        for blob in references.blobs {
            guard try await store.mountBlob(blob, from: sourceID, into: target.value, now: now) != nil else {
                throw DistributionError(.blobUnknown, "blob \(blob) of manifest \(digest) is missing from the source repository")
            }
        }
        try await store.putManifest(record, references: references, tag: nil, repositoryName: target.value, now: now, by: change)
    }
}
