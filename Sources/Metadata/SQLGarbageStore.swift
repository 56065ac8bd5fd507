import OCI
import SQLKit

/// A link or a manifest garbage collection may remove.
public struct GarbageCandidate: Sendable, Equatable {
    /// The repository's id.
    public let repositoryID: Int64
    /// The repository's name.
    public let repository: String
    /// The digest.
    public let digest: String
    /// Its size in bytes.
    public let size: Int64

    /// A candidate.
    public init(repositoryID: Int64, repository: String, digest: String, size: Int64) {
        self.repositoryID = repositoryID
        self.repository = repository
        self.digest = digest
        self.size = size
    }
}

/// What garbage collection reads and removes in the metadata database (docs/garbage-collection.md). Candidates are
/// read in pages; every removal re-checks its conditions in its own statement, so work done meanwhile — a tag, a
/// manifest that uses a blob, a client told a blob exists — keeps what it needs.
public struct SQLGarbageStore: Sendable {
    let provider: any SQLDatabaseProvider

    /// Uses the given (migrated) database.
    public init(provider: any SQLDatabaseProvider) { self.provider = provider }

    /// The condition under which the link `b` is used by nothing in its repository.
    static let unused = """
        NOT EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = b.repository_id AND m.digest = b.digest)
        AND NOT EXISTS (SELECT 1 FROM manifest_references mr JOIN manifests m2 ON m2.id = mr.manifest_id
                        WHERE m2.repository_id = b.repository_id AND mr.digest = b.digest)
        """

    /// Links that no manifest of their repository is or uses, untouched since `cutoff`, after `after` in
    /// (repository, digest) order.
    public func unusedLinks(before cutoff: Int64, after: (repositoryID: Int64, digest: String)?, limit: Int) async throws -> [GarbageCandidate] {
        try await provider.read { db in
            let start = after ?? (0, "")
            return try await db.raw("""
                SELECT b.repository_id, r.name, b.digest, b.size FROM repository_blobs b JOIN repositories r ON r.id = b.repository_id
                WHERE b.touched_at < \(bind: cutoff)
                AND (b.repository_id > \(bind: start.repositoryID) OR (b.repository_id = \(bind: start.repositoryID) AND b.digest > \(bind: start.digest)))
                AND \(unsafeRaw: Self.unused)
                ORDER BY b.repository_id, b.digest LIMIT \(literal: limit)
                """).all().map(Self.candidate)
        }
    }

    /// Removes the candidates' links that are still unused and still untouched since `cutoff` (re-checked by the
    /// delete itself, after any concurrent touch committed), releasing each project's quota and deleting
    /// repositories left empty, in one transaction. Returns what was removed.
    public func removeLinks(_ candidates: [GarbageCandidate], before cutoff: Int64, now: Int64) async throws -> [GarbageCandidate] {
        guard !candidates.isEmpty else { return [] }
        return try await provider.transaction { db in
            var removed: [GarbageCandidate] = []
            for candidate in candidates {
                let gone = try await db.raw("""
                    DELETE FROM repository_blobs WHERE repository_id = \(bind: candidate.repositoryID) AND digest = \(bind: candidate.digest)
                    AND touched_at < \(bind: cutoff)
                    AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = \(bind: candidate.repositoryID) AND m.digest = \(bind: candidate.digest))
                    AND NOT EXISTS (SELECT 1 FROM manifest_references mr JOIN manifests m2 ON m2.id = mr.manifest_id
                                    WHERE m2.repository_id = \(bind: candidate.repositoryID) AND mr.digest = \(bind: candidate.digest))
                    RETURNING digest
                    """).first() != nil
                guard gone else { continue }
                try await QuotaAccounting.unlinked(candidate.digest, project: RepositoryRecord.projectName(of: candidate.repository), now: now, on: db)
                removed.append(candidate)
            }
            for repositoryID in Set(removed.map(\.repositoryID)) { try await SQLRegistryStore.deleteRepositoryIfEmpty(repositoryID, on: db) }
            return removed
        }
    }

    /// Untagged manifests a run with `delete_untagged` removes, after `after`: no tag in their repository, not the
    /// child of a manifest there (an index keeps its platforms), not a referrer of a manifest there (signatures and
    /// SBOMs stay with their subject), pushed before `cutoff`.
    public func untaggedManifests(before cutoff: Int64, after: (repositoryID: Int64, digest: String)?, limit: Int) async throws -> [GarbageCandidate] {
        try await provider.read { db in
            let start = after ?? (0, "")
            return try await db.raw("""
                SELECT m.repository_id, r.name, m.digest, m.size FROM manifests m JOIN repositories r ON r.id = m.repository_id
                WHERE m.created_at < \(bind: cutoff)
                AND (m.repository_id > \(bind: start.repositoryID) OR (m.repository_id = \(bind: start.repositoryID) AND m.digest > \(bind: start.digest)))
                AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository_id = m.repository_id AND t.manifest_digest = m.digest)
                AND NOT EXISTS (SELECT 1 FROM manifest_references mr JOIN manifests parent ON parent.id = mr.manifest_id
                                WHERE parent.repository_id = m.repository_id AND mr.digest = m.digest)
                AND NOT (m.subject_digest IS NOT NULL
                         AND EXISTS (SELECT 1 FROM manifests s WHERE s.repository_id = m.repository_id AND s.digest = m.subject_digest))
                ORDER BY m.repository_id, m.digest LIMIT \(literal: limit)
                """).all().map(Self.candidate)
        }
    }

    /// Every digest some repository links (the blob files garbage collection must keep).
    public func linkedDigests() async throws -> Set<String> {
        Set(try await linkCounts().keys)
    }

    /// How many repositories link each digest (a dry run subtracts the links it would remove).
    public func linkCounts() async throws -> [String: Int] {
        try await provider.read { db in
            try await db.raw("SELECT digest, COUNT(*) AS n FROM repository_blobs GROUP BY digest").all().reduce(into: [String: Int]()) { counts, row in
                counts[try row.decode(column: "digest", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
        }
    }

    static func candidate(_ row: any SQLRow) throws -> GarbageCandidate {
        GarbageCandidate(repositoryID: try row.decode(column: "repository_id", as: Int64.self), repository: try row.decode(column: "name", as: String.self),
                         digest: try row.decode(column: "digest", as: String.self), size: try row.decode(column: "size", as: Int64.self))
    }
}
