import Foundation
import OCI
import SQLKit

/// `RegistryStore` on SQL, for SQLite and PostgreSQL alike.
public struct SQLRegistryStore: RegistryStore {
    let provider: any SQLDatabaseProvider
    /// Told after every change that recorded events.
    public let notifier: EventNotifier
    /// The share of a project's limit (percent) whose crossing records a `QUOTA_WARNING` event.
    public let quotaWarningPercent: Int

    /// Uses the given database; changes' events are announced on `notifier`.
    public init(provider: any SQLDatabaseProvider, notifier: EventNotifier = EventNotifier(), quotaWarningPercent: Int = 85) {
        self.provider = provider
        self.notifier = notifier
        self.quotaWarningPercent = quotaWarningPercent
    }

    /// Runs `body` in a transaction and tells the dispatcher afterwards when it recorded events (`body` returns
    /// its result and whether it did).
    func changing<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> (T, recordedEvents: Bool)) async throws -> T {
        let (result, recorded) = try await provider.transaction { db in try await body(db) }
        if recorded { notifier.notify() }
        return result
    }

    /// The full name of the repository with this id, nil when it is gone (inside the caller's transaction).
    static func repositoryName(_ repositoryID: Int64, on db: any SQLDatabase) async throws -> String? {
        try await db.raw("SELECT name FROM repositories WHERE id = \(bind: repositoryID)").first()?.decode(column: "name", as: String.self)
    }

    public func migrate() async throws { try await Migrations.run(on: provider) }

    // MARK: Repositories

    public func repository(named name: String) async throws -> RepositoryRecord? {
        try await provider.read { db in
            try await db.raw("SELECT id, name FROM repositories WHERE name = \(bind: name)").first().map(Self.repository)
        }
    }

    public func createRepository(named name: String, now: Int64) async throws -> RepositoryRecord {
        if let existing = try await repository(named: name) { return existing }
        return try await provider.write { db in try await Self.upsertRepository(name, now: now, on: db) }
    }

    /// The repository's row, inserted if missing (inside the caller's transaction).
    static func upsertRepository(_ name: String, now: Int64, on db: any SQLDatabase) async throws -> RepositoryRecord {
        // The no-op update makes RETURNING yield the row whether this call or a concurrent one created it.
        guard let row = try await db.raw("""
            INSERT INTO repositories (name, project_name, created_at, updated_at)
            VALUES (\(bind: name), \(bind: RepositoryRecord.projectName(of: name)), \(bind: now), \(bind: now))
            ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id, name
            """).first() else {
            throw MetadataError.inconsistent("repository \(name) was not returned by its upsert")
        }
        return try repository(row)
    }

    /// Deletes the repository if nothing is left in it: no manifest and no linked blob (inside the caller's transaction).
    static func deleteRepositoryIfEmpty(_ repositoryID: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("""
            DELETE FROM repositories WHERE id = \(bind: repositoryID)
            AND NOT EXISTS (SELECT 1 FROM manifests WHERE repository_id = \(bind: repositoryID))
            AND NOT EXISTS (SELECT 1 FROM repository_blobs WHERE repository_id = \(bind: repositoryID))
            """).run()
    }

    public func repositoryNames(after last: String?, limit: Int, inProjects projects: [String]?) async throws -> [String] {
        if let projects, projects.isEmpty { return [] }
        return try await provider.read { db in
            var query = SQLQueryString("SELECT name FROM repositories WHERE name > \(bind: last ?? "")")
            if let projects {
                query = query + SQLQueryString(" AND project_name IN (\(binds: projects))")
            }
            query = query + SQLQueryString(" ORDER BY name LIMIT \(literal: limit)")
            return try await db.raw(query).all().map { try $0.decode(column: "name", as: String.self) }
        }
    }

    // MARK: Blobs

    public func linkedBlobSize(_ digest: Digest, repositoryID: Int64) async throws -> Int64? {
        try await provider.read { db in
            try await db.raw("""
                SELECT size FROM repository_blobs WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest.description)
                """).first().map { try $0.decode(column: "size", as: Int64.self) }
        }
    }

    public func linkBlob(_ digest: Digest, size: Int64, repositoryID: Int64, now: Int64) async throws {
        try await quotaChecked {
            try await changing { db in
                ((), try await Self.link(digest, size: size, repositoryID: repositoryID, warningPercent: quotaWarningPercent, now: now, on: db))
            }
        }
    }

    /// Links a digest into a repository and counts it against the project's quota (inside the caller's transaction;
    /// `QuotaExceeded` rolls it back). True when that recorded an event (a quota warning).
    static func link(_ digest: Digest, size: Int64, repositoryID: Int64, warningPercent: Int, now: Int64, on db: any SQLDatabase) async throws -> Bool {
        let inserted = try await db.raw("""
            INSERT INTO repository_blobs (repository_id, digest, size, created_at, touched_at)
            VALUES (\(bind: repositoryID), \(bind: digest.description), \(bind: size), \(bind: now), \(bind: now))
            ON CONFLICT (repository_id, digest) DO NOTHING
            RETURNING repository_id
            """).first() != nil
        if !inserted {
            // Linked again (a second upload, a mount): the link is fresh for garbage collection's grace period.
            try await db.raw("""
                UPDATE repository_blobs SET touched_at = \(bind: now)
                WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest.description) AND touched_at < \(bind: now)
                """).run()
        }
        guard inserted, let row = try await db.raw("SELECT name, project_name FROM repositories WHERE id = \(bind: repositoryID)").first() else {
            return false
        }
        return try await QuotaAccounting.linked(digest.description, size: size, repository: try row.decode(column: "name", as: String.self),
                                                project: try row.decode(column: "project_name", as: String.self), warningPercent: warningPercent,
                                                now: now, on: db)
    }

    /// Runs a change that links; a quota refusal is recorded as a `QUOTA_EXCEED` event (its own transaction, since the
    /// change's was rolled back) and thrown on.
    func quotaChecked<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let refusal as QuotaExceeded {
            let event = QuotaAccounting.exceeded(refusal, at: Clock.nowMilliseconds())
            _ = try? await changing { db in
                try await EventOutbox.append([event], on: db)
                return ((), true)
            }
            throw refusal
        }
    }

    public func mountBlob(_ digest: Digest, from sourceRepositoryID: Int64, into repositoryName: String, now: Int64) async throws -> Int64? {
        try await quotaChecked {
            try await changing { db in
                // The source link is confirmed (and touched) inside the transaction, so a blob is never mounted from a
                // link garbage collection is removing (docs/garbage-collection.md).
                guard let size = try await Self.touch([digest], repositoryID: sourceRepositoryID, now: now, on: db)[digest.description] else {
                    return (nil, false)
                }
                let target = try await Self.upsertRepository(repositoryName, now: now, on: db)
                let warned = try await Self.link(digest, size: size, repositoryID: target.id, warningPercent: quotaWarningPercent, now: now, on: db)
                return (size, warned)
            }
        }
    }

    /// Marks links as just used and returns the sizes of those that exist, by digest (inside the caller's transaction).
    /// Garbage collection removes only links untouched for its grace period, with a conditional delete that re-checks
    /// `touched_at` after waiting for this update's row lock, so a link touched here is never removed under it.
    static func touch(_ digests: [Digest], repositoryID: Int64, now: Int64, on db: any SQLDatabase) async throws -> [String: Int64] {
        let unique = Array(Set(digests.map(\.description))).sorted()
        var found: [String: Int64] = [:]
        for batch in stride(from: 0, to: unique.count, by: 500).map({ Array(unique[$0 ..< min($0 + 500, unique.count)]) }) {
            for row in try await db.raw("""
                UPDATE repository_blobs SET touched_at = \(bind: now)
                WHERE repository_id = \(bind: repositoryID) AND digest IN (\(binds: batch)) RETURNING digest, size
                """).all() {
                found[try row.decode(column: "digest", as: String.self)] = try row.decode(column: "size", as: Int64.self)
            }
        }
        return found
    }

    public func confirmBlob(_ digest: Digest, repositoryID: Int64, now: Int64, refreshAfter: Int64) async throws -> Int64? {
        // Most confirmations only read; the link is touched at most once per `refreshAfter` milliseconds.
        guard let row = try await provider.read({ db in
            try await db.raw("""
                SELECT size, touched_at FROM repository_blobs WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest.description)
                """).first()
        }) else { return nil }
        let size = try row.decode(column: "size", as: Int64.self)
        if try row.decode(column: "touched_at", as: Int64.self) < now - refreshAfter {
            _ = try await provider.write { db in try await Self.touch([digest], repositoryID: repositoryID, now: now, on: db) }
        }
        return size
    }

    public func unlinkBlob(_ digest: Digest, repositoryID: Int64, by change: ChangeContext) async throws -> Bool {
        try await changing { db in
            guard let name = try await Self.repositoryName(repositoryID, on: db) else { return (false, false) }
            let unlinked = try await db.raw("""
                DELETE FROM repository_blobs WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest.description) RETURNING digest
                """).all().count > 0
            guard unlinked else { return (false, false) }
            try await QuotaAccounting.unlinked(digest.description, project: RepositoryRecord.projectName(of: name), now: Clock.nowMilliseconds(), on: db)
            try await Self.deleteRepositoryIfEmpty(repositoryID, on: db)
            try await EventOutbox.append([NewEvent(.deleteBlob, repository: name, digest: digest.description, tags: [], by: change,
                                                   at: Clock.nowMilliseconds())], on: db)
            return (true, true)
        }
    }

    public func missingBlobs(_ digests: [Digest], repositoryID: Int64) async throws -> [Digest] {
        try await missing(digests, table: "repository_blobs", repositoryID: repositoryID)
    }

    public func missingManifests(_ digests: [Digest], repositoryID: Int64) async throws -> [Digest] {
        try await missing(digests, table: "manifests", repositoryID: repositoryID)
    }

    private func missing(_ digests: [Digest], table: String, repositoryID: Int64) async throws -> [Digest] {
        let unique = Array(Set(digests))
        guard !unique.isEmpty else { return [] }
        let present: Set<String> = try await provider.read { db in
            var found = Set<String>()
            for batch in stride(from: 0, to: unique.count, by: 500).map({ Array(unique[$0 ..< min($0 + 500, unique.count)]) }) {
                let rows = try await db.raw("""
                    SELECT digest FROM \(ident: table) WHERE repository_id = \(bind: repositoryID)
                    AND digest IN (\(binds: batch.map(\.description)))
                    """).all()
                for row in rows { found.insert(try row.decode(column: "digest", as: String.self)) }
            }
            return found
        }
        var seen = Set<Digest>()
        return digests.filter { !present.contains($0.description) && seen.insert($0).inserted }
    }

    // MARK: Manifests and tags

    public func putManifest(_ manifest: ManifestRecord, references: ManifestReferences, tag: Tag?, repositoryName: String, now: Int64,
                            guarding: TagGuard, by change: ChangeContext) async throws {
        let annotations = try manifest.annotations.map { String(decoding: try JSONEncoder.sorted.encode($0), as: UTF8.self) }
        try await quotaChecked { try await changing { db in
            let repositoryID = try await Self.upsertRepository(repositoryName, now: now, on: db).id
            // An immutable tag stays where it points (pushing the same manifest again changes nothing and is allowed).
            if let tag, guarding.isImmutable(tag.value), let current = try await db.raw("""
                SELECT manifest_digest FROM tags WHERE repository_id = \(bind: repositoryID) AND name = \(bind: tag.value)
                """).first()?.decode(column: "manifest_digest", as: String.self), current != manifest.digest.description {
                throw TagGuard.refusal(repository: repositoryName, tag: tag.value, "so it cannot be pushed again as another manifest")
            }
            // What the manifest uses must still be linked here, checked (and touched) in this transaction: a blob
            // garbage collection removed since the client checked it refuses the push instead of leaving a manifest
            // whose blob is gone (docs/garbage-collection.md).
            let present = try await Self.touch(references.blobs + references.manifests, repositoryID: repositoryID, now: now, on: db)
            if let missing = (references.blobs + references.manifests).first(where: { present[$0.description] == nil }) {
                let what = references.blobs.contains(missing) ? "blob" : "manifest"
                throw DistributionError(.manifestBlobUnknown, "manifest references \(what) \(missing), which is not in repository \(repositoryName)",
                                        detail: missing.description)
            }
            _ = try await Self.link(manifest.digest, size: manifest.size, repositoryID: repositoryID, warningPercent: quotaWarningPercent, now: now, on: db)
            let inserted = try await db.raw("""
                INSERT INTO manifests (repository_id, digest, media_type, size, artifact_type, subject_digest, annotations, created_at)
                VALUES (\(bind: repositoryID), \(bind: manifest.digest.description), \(bind: manifest.mediaType), \(bind: manifest.size),
                        \(bind: manifest.artifactType), \(bind: manifest.subject?.description), \(bind: annotations), \(bind: now))
                ON CONFLICT (repository_id, digest) DO NOTHING
                RETURNING id
                """).first()
            if let inserted {
                let manifestID = try inserted.decode(column: "id", as: Int64.self)
                var seen = Set<String>()
                let refs = references.blobs.map { ($0.description, 0) } + references.manifests.map { ($0.description, 1) }
                let rows = refs.filter { seen.insert($0.0).inserted }
                for batch in stride(from: 0, to: rows.count, by: 200).map({ rows[$0 ..< min($0 + 200, rows.count)] }) {
                    let values = batch.map { SQLQueryString("(\(bind: manifestID), \(bind: $0.0), \(bind: $0.1))") }
                    try await db.raw("""
                        INSERT INTO manifest_references (manifest_id, digest, is_manifest) VALUES \(values.joined(separator: ", "))
                        ON CONFLICT (manifest_id, digest) DO NOTHING
                        """).run()
                }
            }
            try await db.raw("UPDATE repositories SET updated_at = \(bind: now) WHERE id = \(bind: repositoryID)").run()
            if let tag {
                try await db.raw("""
                    INSERT INTO tags (repository_id, name, manifest_digest, updated_at)
                    VALUES (\(bind: repositoryID), \(bind: tag.value), \(bind: manifest.digest.description), \(bind: now))
                    ON CONFLICT (repository_id, name) DO UPDATE SET manifest_digest = excluded.manifest_digest, updated_at = excluded.updated_at
                    """).run()
            }
            try await EventOutbox.append([NewEvent(.pushArtifact, repository: repositoryName, digest: manifest.digest.description,
                                                   tags: tag.map { [$0.value] } ?? [], by: change, at: now,
                                                   mediaType: manifest.mediaType, size: manifest.size)], on: db)
            return ((), true)
        } }
    }

    public func manifest(_ digest: Digest, repositoryID: Int64) async throws -> ManifestRecord? {
        try await provider.read { db in
            try await db.raw("""
                SELECT digest, media_type, size, artifact_type, subject_digest, annotations FROM manifests
                WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest.description)
                """).first().map(Self.manifest)
        }
    }

    public func manifest(taggedAs tag: Tag, repositoryID: Int64) async throws -> ManifestRecord? {
        try await provider.read { db in
            try await db.raw("""
                SELECT m.digest, m.media_type, m.size, m.artifact_type, m.subject_digest, m.annotations
                FROM tags t JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.manifest_digest
                WHERE t.repository_id = \(bind: repositoryID) AND t.name = \(bind: tag.value)
                """).first().map(Self.manifest)
        }
    }

    public func manifest(_ reference: Reference, repositoryName repository: String) async throws -> ManifestRecord? {
        try await provider.read { db in
            switch reference {
            case .digest(let digest):
                return try await db.raw("""
                    SELECT m.digest, m.media_type, m.size, m.artifact_type, m.subject_digest, m.annotations
                    FROM repositories r JOIN manifests m ON m.repository_id = r.id
                    WHERE r.name = \(bind: repository) AND m.digest = \(bind: digest.description)
                    """).first().map(Self.manifest)
            case .tag(let tag):
                return try await db.raw("""
                    SELECT m.digest, m.media_type, m.size, m.artifact_type, m.subject_digest, m.annotations
                    FROM repositories r JOIN tags t ON t.repository_id = r.id
                    JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.manifest_digest
                    WHERE r.name = \(bind: repository) AND t.name = \(bind: tag.value)
                    """).first().map(Self.manifest)
            }
        }
    }

    public func references(ofManifest digest: Digest, repositoryID: Int64) async throws -> ManifestReferences? {
        try await provider.read { db in
            guard let row = try await db.raw("""
                SELECT id FROM manifests WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest.description)
                """).first() else { return nil }
            let id = try row.decode(column: "id", as: Int64.self)
            var blobs: [Digest] = [], manifests: [Digest] = []
            for reference in try await db.raw("SELECT digest, is_manifest FROM manifest_references WHERE manifest_id = \(bind: id) ORDER BY digest").all() {
                let child = try Digest(parsing: try reference.decode(column: "digest", as: String.self))
                if try reference.decode(column: "is_manifest", as: Int.self) != 0 { manifests.append(child) } else { blobs.append(child) }
            }
            return ManifestReferences(blobs: blobs, manifests: manifests)
        }
    }

    public func deleteManifest(_ digest: Digest, repositoryID: Int64, guarding: TagGuard, by change: ChangeContext) async throws -> Bool {
        try await changing { db in
            guard let name = try await Self.repositoryName(repositoryID, on: db) else { return (false, false) }
            let tags = try await db.raw("""
                SELECT name FROM tags WHERE repository_id = \(bind: repositoryID) AND manifest_digest = \(bind: digest.description) ORDER BY name
                """).all().map { try $0.decode(column: "name", as: String.self) }
            try guarding.check(tags, "so the artifact it tags cannot be deleted")
            guard let deleted = try await db.raw("""
                DELETE FROM manifests WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest.description) RETURNING media_type, size
                """).first() else { return (false, false) }
            if try await db.raw("""
                DELETE FROM repository_blobs WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest.description) RETURNING digest
                """).first() != nil {
                try await QuotaAccounting.unlinked(digest.description, project: RepositoryRecord.projectName(of: name), now: Clock.nowMilliseconds(), on: db)
            }
            try await Self.deleteRepositoryIfEmpty(repositoryID, on: db)
            try await EventOutbox.append([NewEvent(.deleteArtifact, repository: name, digest: digest.description, tags: tags, by: change,
                                                   at: Clock.nowMilliseconds(), mediaType: try deleted.decode(column: "media_type", as: String.self),
                                                   size: try deleted.decode(column: "size", as: Int64.self))], on: db)
            return (true, true)
        }
    }

    public func deleteTag(_ tag: Tag, repositoryID: Int64, guarding: TagGuard, by change: ChangeContext) async throws -> Bool {
        try await changing { db in
            guard let name = try await Self.repositoryName(repositoryID, on: db) else { return (false, false) }
            guard let row = try await db.raw("""
                DELETE FROM tags WHERE repository_id = \(bind: repositoryID) AND name = \(bind: tag.value) RETURNING manifest_digest
                """).first() else { return (false, false) }
            // Refused only for a tag that exists (a missing one stays a 404); throwing undoes the deletion.
            try guarding.check([tag.value], "so it cannot be deleted")
            try await EventOutbox.append([NewEvent(.deleteTag, repository: name, digest: try row.decode(column: "manifest_digest", as: String.self),
                                                   tags: [tag.value], by: change, at: Clock.nowMilliseconds())], on: db)
            return (true, true)
        }
    }

    public func tags(ofManifest digest: Digest, repositoryID: Int64) async throws -> [String] {
        try await provider.read { db in
            try await db.raw("""
                SELECT name FROM tags WHERE repository_id = \(bind: repositoryID) AND manifest_digest = \(bind: digest.description) ORDER BY name
                """).all().map { try $0.decode(column: "name", as: String.self) }
        }
    }

    public func tags(repositoryID: Int64, after last: String?, limit: Int) async throws -> [String] {
        try await provider.read { db in
            let rows: [any SQLRow]
            if let last {
                rows = try await db.raw("""
                    SELECT name FROM tags WHERE repository_id = \(bind: repositoryID)
                    AND (lower(name) > lower(\(bind: last)) OR (lower(name) = lower(\(bind: last)) AND name > \(bind: last)))
                    ORDER BY lower(name), name LIMIT \(literal: limit)
                    """).all()
            } else {
                rows = try await db.raw("""
                    SELECT name FROM tags WHERE repository_id = \(bind: repositoryID) ORDER BY lower(name), name LIMIT \(literal: limit)
                    """).all()
            }
            return try rows.map { try $0.decode(column: "name", as: String.self) }
        }
    }

    public func referrers(of subject: Digest, repositoryID: Int64, artifactType: String?, limit: Int?) async throws -> [ManifestRecord] {
        try await provider.read { db in
            var query = SQLQueryString("""
                SELECT digest, media_type, size, artifact_type, subject_digest, annotations FROM manifests
                WHERE repository_id = \(bind: repositoryID) AND subject_digest = \(bind: subject.description)
                """)
            if let artifactType { query = query + SQLQueryString(" AND artifact_type = \(bind: artifactType)") }
            query = query + SQLQueryString(" ORDER BY digest")
            if let limit { query = query + SQLQueryString(" LIMIT \(bind: max(0, limit))") }
            return try await db.raw(query).all().map(Self.manifest)
        }
    }

    // MARK: Uploads

    static let uploadColumns = "id, repository_name, size, hash_state, created_at, updated_at"

    public func createUpload(_ upload: NewUpload, now: Int64) async throws -> UploadCreation {
        let state = Data(upload.hashState).base64EncodedString()
        let project = RepositoryRecord.projectName(of: upload.repositoryName)
        // One statement, so concurrent starts cannot both slip under a limit (SQLite serialises writers; on PostgreSQL
        // two racing starts may overshoot by one each, which the limits tolerate).
        var insert = SQLQueryString("""
            INSERT INTO upload_sessions (id, repository_name, project_name, owner, size, hash_state, created_at, updated_at)
            SELECT \(bind: upload.id), \(bind: upload.repositoryName), \(bind: project), \(bind: upload.owner), 0, \(bind: state), \(bind: now), \(bind: now)
            WHERE 1 = 1
            """)
        if let limit = upload.ownerLimit {
            insert += SQLQueryString(" AND (SELECT count(*) FROM upload_sessions WHERE owner = \(bind: upload.owner)) < \(bind: limit)")
        }
        if let limit = upload.projectLimit {
            insert += SQLQueryString(" AND (SELECT count(*) FROM upload_sessions WHERE project_name = \(bind: project)) < \(bind: limit)")
        }
        insert += SQLQueryString(" RETURNING id")
        let statement = insert
        let created = try await provider.write { db in try await db.raw(statement).first() != nil }
        if created { return .created }
        if let limit = upload.ownerLimit, try await countUploads(column: "owner", value: upload.owner) >= limit { return .ownerLimitReached(limit: limit) }
        if let limit = upload.projectLimit { return .projectLimitReached(limit: limit) }
        throw MetadataError.inconsistent("upload session \(upload.id) was not recorded")
    }

    private func countUploads(column: String, value: String) async throws -> Int {
        try await provider.read { db in
            try await db.raw("SELECT count(*) AS n FROM upload_sessions WHERE \(ident: column) = \(bind: value)").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    public func upload(id: String, repositoryName: String) async throws -> UploadRecord? {
        try await provider.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.uploadColumns) FROM upload_sessions WHERE id = \(bind: id) AND repository_name = \(bind: repositoryName)
                """).first().map(Self.upload)
        }
    }

    public func acquireUpload(id: String, repositoryName: String, token: String, now: Int64, leaseMilliseconds: Int64) async throws -> UploadLease {
        let taken = try await provider.write { db in
            try await db.raw("""
                UPDATE upload_sessions SET lease_token = \(bind: token), lease_expires_at = \(bind: now + leaseMilliseconds), updated_at = \(bind: now)
                WHERE id = \(bind: id) AND repository_name = \(bind: repositoryName) AND (lease_token IS NULL OR lease_expires_at < \(bind: now))
                RETURNING \(unsafeRaw: Self.uploadColumns)
                """).first().map(Self.upload)
        }
        if let taken { return .acquired(taken) }
        return try await upload(id: id, repositoryName: repositoryName) == nil ? .unknown : .busy
    }

    public func renewUpload(id: String, token: String, now: Int64, leaseMilliseconds: Int64) async throws -> Bool {
        try await provider.write { db in
            try await db.raw("""
                UPDATE upload_sessions SET lease_expires_at = \(bind: now + leaseMilliseconds), updated_at = \(bind: now)
                WHERE id = \(bind: id) AND lease_token = \(bind: token) RETURNING id
                """).first() != nil
        }
    }

    public func releaseUpload(id: String, token: String, size: Int64, hashState: [UInt8], now: Int64) async throws -> Bool {
        let state = Data(hashState).base64EncodedString()
        return try await provider.write { db in
            try await db.raw("""
                UPDATE upload_sessions SET size = \(bind: size), hash_state = \(bind: state), lease_token = NULL, lease_expires_at = NULL,
                updated_at = \(bind: now)
                WHERE id = \(bind: id) AND lease_token = \(bind: token) RETURNING id
                """).first() != nil
        }
    }

    public func completeUpload(id: String, digest: Digest, size: Int64, repositoryName: String, now: Int64) async throws {
        try await quotaChecked {
            try await changing { db in
                let repository = try await Self.upsertRepository(repositoryName, now: now, on: db)
                let warned = try await Self.link(digest, size: size, repositoryID: repository.id, warningPercent: quotaWarningPercent, now: now, on: db)
                try await db.raw("DELETE FROM upload_sessions WHERE id = \(bind: id)").run()
                return ((), warned)
            }
        }
    }

    public func uploadExists(id: String) async throws -> Bool {
        try await provider.read { db in
            try await db.raw("SELECT id FROM upload_sessions WHERE id = \(bind: id)").first() != nil
        }
    }

    public func deleteUpload(id: String) async throws -> Bool {
        try await provider.write { db in
            try await db.raw("DELETE FROM upload_sessions WHERE id = \(bind: id) RETURNING id").first() != nil
        }
    }

    public func staleUploads(before: Int64, limit: Int) async throws -> [String] {
        try await provider.read { db in
            try await db.raw("SELECT id FROM upload_sessions WHERE updated_at < \(bind: before) ORDER BY updated_at LIMIT \(literal: limit)").all()
                .map { try $0.decode(column: "id", as: String.self) }
        }
    }

    // MARK: Row mapping

    static func repository(_ row: any SQLRow) throws -> RepositoryRecord {
        RepositoryRecord(id: try row.decode(column: "id", as: Int64.self), name: try row.decode(column: "name", as: String.self))
    }

    static func manifest(_ row: any SQLRow) throws -> ManifestRecord {
        let annotations = try row.decode(column: "annotations", as: String?.self)
            .map { try JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }
        return ManifestRecord(
            digest: try Digest(parsing: try row.decode(column: "digest", as: String.self)),
            mediaType: try row.decode(column: "media_type", as: String.self),
            size: try row.decode(column: "size", as: Int64.self),
            artifactType: try row.decode(column: "artifact_type", as: String?.self),
            subject: try row.decode(column: "subject_digest", as: String?.self).map { try Digest(parsing: $0) },
            annotations: annotations
        )
    }

    static func upload(_ row: any SQLRow) throws -> UploadRecord {
        let state = try row.decode(column: "hash_state", as: String.self)
        return UploadRecord(
            id: try row.decode(column: "id", as: String.self),
            repositoryName: try row.decode(column: "repository_name", as: String.self),
            size: try row.decode(column: "size", as: Int64.self),
            hashState: Data(base64Encoded: state).map { Array($0) } ?? [],
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self)
        )
    }
}

/// Metadata that breaks an invariant the store relies on.
public enum MetadataError: Error, CustomStringConvertible {
    /// The database holds something it should not.
    case inconsistent(String)

    /// A readable description.
    public var description: String {
        switch self {
        case .inconsistent(let m): return "metadata inconsistency: \(m)"
        }
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
