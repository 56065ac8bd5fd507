import Foundation
import OCI
import SQLKit

extension SQLRegistryStore: ArtifactStore {
    static let repositoryListing = SQLListing(columns: [
        "name": ("r.name", .text), "creation_time": ("r.created_at", .integer), "update_time": ("r.updated_at", .integer),
        "pull_count": ("r.pull_count", .integer), "project_id": ("(SELECT p.id FROM projects p WHERE p.name = r.project_name)", .integer),
    ], defaultOrder: "r.name")
    static let repositorySelect = """
        r.id, r.name, r.project_name, r.description, r.created_at, r.updated_at, r.pull_count,
        (SELECT p.id FROM projects p WHERE p.name = r.project_name) AS project_id,
        (SELECT count(*) FROM manifests m WHERE m.repository_id = r.id) AS artifact_count
        """
    static let artifactSelect = """
        m.id, m.repository_id, m.digest, m.media_type, m.size, m.artifact_type, m.subject_digest, m.annotations, m.created_at, m.pull_time,
        CAST(m.size + COALESCE((SELECT sum(b.size) FROM manifest_references r
                                JOIN repository_blobs b ON b.repository_id = m.repository_id AND b.digest = r.digest
                                WHERE r.manifest_id = m.id AND r.is_manifest = 0), 0) AS BIGINT) AS total_size
        """
    static let artifactListing = SQLListing(columns: [
        "digest": ("m.digest", .text), "media_type": ("m.media_type", .text), "push_time": ("m.created_at", .integer),
    ], defaultOrder: "m.created_at DESC, m.id DESC")

    public func repositories(project: String, _ query: ListQuery) async throws -> ListPage<RepositoryInfo> {
        try await provider.read { db in
            try await SQLAccessStore.page(db, select: Self.repositorySelect, from: "repositories r", where: "r.project_name = \(bind: project)",
                                          listing: Self.repositoryListing, query: query, map: Self.repositoryInfo)
        }
    }

    public func repositories(inProjects projects: [String]?, _ query: ListQuery) async throws -> ListPage<RepositoryInfo> {
        if let projects, projects.isEmpty { return ListPage(items: [], total: 0) }
        let base: SQLQueryString = projects.map { SQLQueryString("r.project_name IN (\(binds: $0))") } ?? "1 = 1"
        return try await provider.read { db in
            try await SQLAccessStore.page(db, select: Self.repositorySelect, from: "repositories r", where: base,
                                          listing: Self.repositoryListing, query: query, map: Self.repositoryInfo)
        }
    }

    public func artifactIDs(repositoryID: Int64, digests: [Digest]) async throws -> [Digest: Int64] {
        guard !digests.isEmpty else { return [:] }
        return try await provider.read { db in
            var ids: [Digest: Int64] = [:]
            for row in try await db.raw("""
                SELECT id, digest FROM manifests WHERE repository_id = \(bind: repositoryID) AND digest IN (\(binds: digests.map(\.description)))
                """).all() {
                ids[try Digest(parsing: try row.decode(column: "digest", as: String.self))] = try row.decode(column: "id", as: Int64.self)
            }
            return ids
        }
    }

    public func repositoryInfo(named name: String) async throws -> RepositoryInfo? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.repositorySelect) FROM repositories r WHERE r.name = \(bind: name)").first().map(Self.repositoryInfo)
        }
    }

    public func enabledImmutableRules(project: String) async throws -> [ImmutableRuleRecord] {
        try await provider.read { db in try await SQLImmutableRuleStore.enabledRules(projectName: project, on: db) }
    }

    public func updateRepositoryDescription(named name: String, description: String, now: Int64) async throws -> Bool {
        try await provider.write { db in
            try await db.raw("""
                UPDATE repositories SET description = \(bind: description), updated_at = \(bind: now) WHERE name = \(bind: name) RETURNING id
                """).all().count > 0
        }
    }

    public func deleteRepository(named name: String, guarding: TagGuard, by change: ChangeContext) async throws -> Bool {
        try await changing { db in
            // Sessions name their repository; their bytes are swept by the upload purge once the rows are gone.
            try await db.raw("DELETE FROM upload_sessions WHERE repository_name = \(bind: name)").run()
            guard let repository = try await db.raw("SELECT id FROM repositories WHERE name = \(bind: name)").first() else { return (false, false) }
            let id = try repository.decode(column: "id", as: Int64.self)
            // Each artifact's deletion is an event, as if it had been deleted on its own, then the repository's.
            var tags: [String: [String]] = [:]
            for row in try await db.raw("SELECT name, manifest_digest FROM tags WHERE repository_id = \(bind: id) ORDER BY name").all() {
                tags[try row.decode(column: "manifest_digest", as: String.self), default: []].append(try row.decode(column: "name", as: String.self))
            }
            try guarding.check(tags.values.flatMap { $0 }.sorted(), "so its repository cannot be deleted")
            let now = Clock.nowMilliseconds()
            var events = try await db.raw("SELECT digest, media_type, size FROM manifests WHERE repository_id = \(bind: id) ORDER BY id").all().map { row in
                let digest = try row.decode(column: "digest", as: String.self)
                return NewEvent(.deleteArtifact, repository: name, digest: digest, tags: tags[digest] ?? [], by: change, at: now,
                                mediaType: try row.decode(column: "media_type", as: String.self), size: try row.decode(column: "size", as: Int64.self))
            }
            events.append(NewEvent(.deleteRepository, repository: name, digest: nil, tags: [], by: change, at: now))
            try await QuotaAccounting.unlinkedRepository(id, project: RepositoryRecord.projectName(of: name), now: now, on: db)
            try await db.raw("DELETE FROM repositories WHERE id = \(bind: id)").run()
            try await EventOutbox.append(events, on: db)
            return (true, true)
        }
    }

    public func artifacts(repositoryID: Int64, _ query: ListQuery) async throws -> ListPage<ArtifactInfo> {
        var columnFilters = query
        var base = SQLQueryString("m.repository_id = \(bind: repositoryID)")
        columnFilters.filters = []
        for filter in query.filters {
            guard filter.key == "tags" else { columnFilters.filters.append(filter); continue }
            switch filter.match {
            case .exact(let tag):
                base += SQLQueryString(" AND m.digest IN (SELECT manifest_digest FROM tags WHERE repository_id = \(bind: repositoryID) AND name = \(bind: tag))")
            case .fuzzy(let tag):
                base += SQLQueryString("""
                     AND m.digest IN (SELECT manifest_digest FROM tags WHERE repository_id = \(bind: repositoryID)
                     AND lower(name) LIKE \(bind: "%" + tag.lowercased() + "%"))
                    """)
            default:
                throw ListQueryError("tags can be matched exactly (tags=v) or fuzzily (tags=~v)")
            }
        }
        let filtered = columnFilters
        let condition = base
        return try await provider.read { db in
            let page = try await SQLAccessStore.page(
                db, select: Self.artifactSelect,
                from: "manifests m", where: condition, listing: Self.artifactListing, query: filtered, map: { $0 })
            return ListPage(items: try await Self.withTags(page.items, repositoryID: repositoryID, db: db), total: page.total)
        }
    }

    public func artifact(repositoryID: Int64, digest: Digest) async throws -> ArtifactInfo? {
        try await provider.read { db in
            let rows = try await db.raw("""
                SELECT \(unsafeRaw: Self.artifactSelect)
                FROM manifests m WHERE m.repository_id = \(bind: repositoryID) AND m.digest = \(bind: digest.description)
                """).all()
            return try await Self.withTags(rows, repositoryID: repositoryID, db: db).first
        }
    }

    public func createTag(_ tag: Tag, digest: Digest, repositoryID: Int64, now: Int64, by change: ChangeContext) async throws -> Bool {
        try await changing { db in
            guard let name = try await Self.repositoryName(repositoryID, on: db) else {
                throw MetadataError.inconsistent("repository \(repositoryID) is gone")
            }
            let created = try await db.raw("""
                INSERT INTO tags (repository_id, name, manifest_digest, updated_at)
                VALUES (\(bind: repositoryID), \(bind: tag.value), \(bind: digest.description), \(bind: now))
                ON CONFLICT (repository_id, name) DO NOTHING
                RETURNING name
                """).all().count > 0
            guard created else { return (false, false) }
            // The same event as pushing the manifest under the new tag on `/v2`: however a tag appears, subscribers
            // (webhooks, replication) see the artifact pushed with it.
            let manifest = try await db.raw("""
                SELECT media_type, size FROM manifests WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest.description)
                """).first()
            try await EventOutbox.append([NewEvent(.pushArtifact, repository: name, digest: digest.description, tags: [tag.value], by: change, at: now,
                                                   mediaType: try manifest?.decode(column: "media_type", as: String.self),
                                                   size: try manifest?.decode(column: "size", as: Int64.self))], on: db)
            return (true, true)
        }
    }

    private static func withTags(_ rows: [any SQLRow], repositoryID: Int64, db: any SQLDatabase) async throws -> [ArtifactInfo] {
        guard !rows.isEmpty else { return [] }
        let digests = try rows.map { try $0.decode(column: "digest", as: String.self) }
        let tagRows = try await db.raw("""
            SELECT id, name, manifest_digest, updated_at, pull_time FROM tags WHERE repository_id = \(bind: repositoryID)
            AND manifest_digest IN (\(binds: digests)) ORDER BY lower(name), name
            """).all()
        var tags: [String: [TagInfo]] = [:]
        for row in tagRows {
            tags[try row.decode(column: "manifest_digest", as: String.self), default: []].append(TagInfo(
                id: try row.decode(column: "id", as: Int64.self), name: try row.decode(column: "name", as: String.self),
                updatedAt: try row.decode(column: "updated_at", as: Int64.self), pullTime: try row.decode(column: "pull_time", as: Int64?.self)))
        }
        return try rows.map { row in
            let manifest = try Self.manifest(row)
            return ArtifactInfo(id: try row.decode(column: "id", as: Int64.self), repositoryID: repositoryID, manifest: manifest,
                                pushedAt: try row.decode(column: "created_at", as: Int64.self), pullTime: try row.decode(column: "pull_time", as: Int64?.self),
                                tags: tags[manifest.digest.description] ?? [], totalSize: try row.decode(column: "total_size", as: Int64.self))
        }
    }

    public func recordPulls(_ pulls: [PullCount]) async throws {
        guard !pulls.isEmpty else { return }
        try await provider.transaction { db in
            var perRepository: [String: Int64] = [:]
            for pull in pulls {
                perRepository[pull.repositoryName, default: 0] += pull.count
                try await db.raw("""
                    UPDATE manifests SET pull_time = \(bind: pull.lastAt)
                    WHERE digest = \(bind: pull.digest.description)
                    AND repository_id = (SELECT id FROM repositories WHERE name = \(bind: pull.repositoryName))
                    """).run()
                if let tag = pull.tag {
                    try await db.raw("""
                        UPDATE tags SET pull_time = \(bind: pull.lastAt) WHERE name = \(bind: tag)
                        AND repository_id = (SELECT id FROM repositories WHERE name = \(bind: pull.repositoryName))
                        """).run()
                }
            }
            for (name, count) in perRepository {
                try await db.raw("UPDATE repositories SET pull_count = pull_count + \(bind: count) WHERE name = \(bind: name)").run()
            }
        }
    }

    public func projectActivity(project: String, since: Int64) async throws -> ProjectActivity {
        try await provider.read { db in
            let artifacts = try await db.raw("""
                SELECT count(*) AS n FROM manifests m JOIN repositories r ON r.id = m.repository_id WHERE r.project_name = \(bind: project)
                """).first()
            // Manifests are linked into their repository like blobs, so this counts them too.
            let blobBytes = try await db.raw("""
                SELECT CAST(COALESCE(sum(size), 0) AS BIGINT) AS bytes FROM (
                    SELECT b.digest, max(b.size) AS size FROM repository_blobs b JOIN repositories r ON r.id = b.repository_id
                    WHERE r.project_name = \(bind: project) GROUP BY b.digest) AS distinct_blobs
                """).first()?.decode(column: "bytes", as: Int64.self) ?? 0
            var perDay: [Int64: Int] = [:]
            for row in try await db.raw("""
                SELECT m.created_at / 86400000 AS day, count(*) AS n FROM manifests m JOIN repositories r ON r.id = m.repository_id
                WHERE r.project_name = \(bind: project) AND m.created_at >= \(bind: since) GROUP BY m.created_at / 86400000
                """).all() {
                perDay[try row.decode(column: "day", as: Int64.self)] = try row.decode(column: "n", as: Int.self)
            }
            return ProjectActivity(artifactCount: try artifacts?.decode(column: "n", as: Int.self) ?? 0, storedBytes: blobBytes, pushesPerDay: perDay)
        }
    }

    public func storageByProject(limit: Int) async throws -> (projects: [ProjectStorage], storingProjects: Int) {
        try await provider.read { db in
            let rows = try await db.raw("""
                SELECT project_name, CAST(sum(size) AS BIGINT) AS bytes FROM (
                    SELECT r.project_name, b.digest, max(b.size) AS size FROM repository_blobs b JOIN repositories r ON r.id = b.repository_id
                    GROUP BY r.project_name, b.digest) AS per_project
                GROUP BY project_name ORDER BY bytes DESC, project_name
                """).all()
            let projects = try rows.prefix(max(0, limit)).map {
                ProjectStorage(project: try $0.decode(column: "project_name", as: String.self), bytes: try $0.decode(column: "bytes", as: Int64.self))
            }
            return (projects, rows.count)
        }
    }

    static func repositoryInfo(_ row: any SQLRow) throws -> RepositoryInfo {
        RepositoryInfo(
            id: try row.decode(column: "id", as: Int64.self),
            name: try row.decode(column: "name", as: String.self),
            projectName: try row.decode(column: "project_name", as: String.self),
            description: try row.decode(column: "description", as: String.self),
            artifactCount: try row.decode(column: "artifact_count", as: Int64.self),
            pullCount: try row.decode(column: "pull_count", as: Int64.self),
            projectID: try row.decode(column: "project_id", as: Int64?.self) ?? 0,
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self)
        )
    }
}
