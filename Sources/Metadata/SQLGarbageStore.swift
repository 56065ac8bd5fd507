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
            // One statement per repository of the page (pages come in repository order), each re-checking every row.
            for (repositoryID, group) in Dictionary(grouping: candidates, by: \.repositoryID).sorted(by: { $0.key < $1.key }) {
                let byDigest = Dictionary(group.map { ($0.digest, $0) }, uniquingKeysWith: { first, _ in first })
                let gone = try await db.raw("""
                    DELETE FROM repository_blobs WHERE repository_id = \(bind: repositoryID) AND digest IN (\(binds: Array(byDigest.keys)))
                    AND touched_at < \(bind: cutoff)
                    AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = repository_blobs.repository_id AND m.digest = repository_blobs.digest)
                    AND NOT EXISTS (SELECT 1 FROM manifest_references mr JOIN manifests m2 ON m2.id = mr.manifest_id
                                    WHERE m2.repository_id = repository_blobs.repository_id AND mr.digest = repository_blobs.digest)
                    RETURNING digest
                    """).all().compactMap { byDigest[try $0.decode(column: "digest", as: String.self)] }
                removed += gone
            }
            for (project, links) in Dictionary(grouping: removed, by: { RepositoryRecord.projectName(of: $0.repository) }) {
                let counts = links.reduce(into: [String: Int]()) { $0[$1.digest, default: 0] += 1 }
                try await QuotaAccounting.unlinked(counts, project: project, now: now, on: db)
            }
            for repositoryID in Set(removed.map(\.repositoryID)) { try await SQLRegistryStore.deleteRepositoryIfEmpty(repositoryID, on: db) }
            return removed.sorted { ($0.repositoryID, $0.digest) < ($1.repositoryID, $1.digest) }
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

    /// How many repositories link each of `digests` (absent: none). The sweep asks about the files of one storage
    /// directory at a time, so a run's memory does not grow with the registry; asked in batches of 500.
    public func linkCounts(of digests: [String]) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for start in stride(from: 0, to: digests.count, by: 500) {
            let batch = Array(digests[start ..< min(start + 500, digests.count)])
            let rows = try await provider.read { db in
                try await db.raw("SELECT digest, COUNT(*) AS n FROM repository_blobs WHERE digest IN (\(binds: batch)) GROUP BY digest").all().map {
                    (try $0.decode(column: "digest", as: String.self), try $0.decode(column: "n", as: Int.self))
                }
            }
            for (digest, count) in rows { counts[digest] = count }
        }
        return counts
    }

    /// Everything of one repository that decides what a run would remove there: its manifests (tagged or not, what
    /// they reference, their subject) and its links. A dry run with `delete_untagged` plays the run on it.
    public func repositoryGraph(_ repositoryID: Int64) async throws -> RepositoryGraph? {
        try await provider.read { db in
            guard let name = try await db.raw("SELECT name FROM repositories WHERE id = \(bind: repositoryID)").first()?
                .decode(column: "name", as: String.self) else { return nil }
            var references: [Int64: [String]] = [:]
            for row in try await db.raw("""
                SELECT mr.manifest_id, mr.digest FROM manifest_references mr JOIN manifests m ON m.id = mr.manifest_id
                WHERE m.repository_id = \(bind: repositoryID)
                """).all() {
                references[try row.decode(column: "manifest_id", as: Int64.self), default: []].append(try row.decode(column: "digest", as: String.self))
            }
            let manifests = try await db.raw("""
                SELECT m.id, m.digest, m.subject_digest, m.created_at,
                       CASE WHEN EXISTS (SELECT 1 FROM tags t WHERE t.repository_id = m.repository_id AND t.manifest_digest = m.digest)
                            THEN 1 ELSE 0 END AS tagged
                FROM manifests m WHERE m.repository_id = \(bind: repositoryID)
                """).all().map { row in
                RepositoryGraph.Manifest(digest: try row.decode(column: "digest", as: String.self),
                                         createdAt: try row.decode(column: "created_at", as: Int64.self),
                                         subject: try row.decode(column: "subject_digest", as: String?.self),
                                         tagged: try row.decode(column: "tagged", as: Int.self) != 0,
                                         references: references[try row.decode(column: "id", as: Int64.self)] ?? [])
            }
            let links = try await db.raw("SELECT digest, size, touched_at FROM repository_blobs WHERE repository_id = \(bind: repositoryID)").all().map { row in
                RepositoryGraph.Link(digest: try row.decode(column: "digest", as: String.self), size: try row.decode(column: "size", as: Int64.self),
                                     touchedAt: try row.decode(column: "touched_at", as: Int64.self))
            }
            return RepositoryGraph(repositoryID: repositoryID, repository: name, manifests: manifests, links: links)
        }
    }

    static func candidate(_ row: any SQLRow) throws -> GarbageCandidate {
        GarbageCandidate(repositoryID: try row.decode(column: "repository_id", as: Int64.self), repository: try row.decode(column: "name", as: String.self),
                         digest: try row.decode(column: "digest", as: String.self), size: try row.decode(column: "size", as: Int64.self))
    }
}

/// One repository's manifests and links, as `SQLGarbageStore.repositoryGraph` reads them.
public struct RepositoryGraph: Sendable, Equatable {
    /// A manifest of the repository.
    public struct Manifest: Sendable, Equatable {
        /// Its digest.
        public var digest: String
        /// When it was pushed, ms since 1970.
        public var createdAt: Int64
        /// The manifest it refers to (signatures, SBOMs), if any.
        public var subject: String?
        /// Whether a tag points at it.
        public var tagged: Bool
        /// The digests it uses (layers, config, an index's children).
        public var references: [String]

        /// A manifest.
        public init(digest: String, createdAt: Int64, subject: String?, tagged: Bool, references: [String]) {
            self.digest = digest
            self.createdAt = createdAt
            self.subject = subject
            self.tagged = tagged
            self.references = references
        }
    }

    /// A digest linked into the repository.
    public struct Link: Sendable, Equatable {
        /// The digest.
        public var digest: String
        /// Its size in bytes.
        public var size: Int64
        /// When it was last touched, ms since 1970.
        public var touchedAt: Int64

        /// A link.
        public init(digest: String, size: Int64, touchedAt: Int64) {
            self.digest = digest
            self.size = size
            self.touchedAt = touchedAt
        }
    }

    /// The repository's id.
    public var repositoryID: Int64
    /// The repository's name.
    public var repository: String
    /// Its manifests.
    public var manifests: [Manifest]
    /// Its links.
    public var links: [Link]

    /// A graph.
    public init(repositoryID: Int64, repository: String, manifests: [Manifest], links: [Link]) {
        self.repositoryID = repositoryID
        self.repository = repository
        self.manifests = manifests
        self.links = links
    }
}
