import Foundation
import SQLKit

/// A label (Harbor's `Label`): global (`projectID` nil) or of one project.
public struct LabelRecord: Sendable, Equatable {
    /// Database id.
    public var id: Int64
    /// Nil for a global label.
    public var projectID: Int64?
    /// Unique among the global labels, or among the project's.
    public var name: String
    /// Free text.
    public var description: String
    /// A CSS colour (`#RRGGBB`), or empty.
    public var color: String
    /// Milliseconds since 1970.
    public var createdAt: Int64
    /// Milliseconds since 1970.
    public var updatedAt: Int64

    /// Creates a record.
    public init(id: Int64 = 0, projectID: Int64?, name: String, description: String, color: String, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.projectID = projectID
        self.name = name
        self.description = description
        self.color = color
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Labels and the artifacts that carry them, on SQL (SQLite and PostgreSQL alike).
public struct SQLLabelStore: Sendable {
    let provider: any SQLDatabaseProvider

    /// Uses the given (migrated) database.
    public init(provider: any SQLDatabaseProvider) { self.provider = provider }

    static let columns = "id, project_id, name, description, color, created_at, updated_at"
    static let listing = SQLListing(columns: [
        "name": ("name", .text), "creation_time": ("created_at", .integer), "update_time": ("updated_at", .integer),
    ], defaultOrder: "id")

    static func owner(_ projectID: Int64?) -> String { projectID.map { "p:\($0)" } ?? "g" }

    /// Stores a label; `MetadataConflict` when its scope has one of that name.
    public func create(_ label: LabelRecord) async throws -> LabelRecord {
        try await SQLAccessStore.unique("label \(label.name) already exists") {
            try await provider.write { db in
                guard let row = try await db.raw("""
                    INSERT INTO labels (owner, project_id, name, description, color, created_at, updated_at)
                    VALUES (\(bind: Self.owner(label.projectID)), \(bind: label.projectID), \(bind: label.name), \(bind: label.description),
                            \(bind: label.color), \(bind: label.createdAt), \(bind: label.updatedAt))
                    RETURNING id
                    """).first() else { throw MetadataError.inconsistent("label insert returned no id") }
                var created = label
                created.id = try row.decode(column: "id", as: Int64.self)
                return created
            }
        }
    }

    /// One label.
    public func label(id: Int64) async throws -> LabelRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM labels WHERE id = \(bind: id)").first().map(Self.label)
        }
    }

    /// The global labels (`projectID` nil) or a project's, one page.
    public func labels(projectID: Int64?, _ query: ListQuery) async throws -> ListPage<LabelRecord> {
        try await provider.read { db in
            try await SQLAccessStore.page(db, select: Self.columns, from: "labels", where: "owner = \(bind: Self.owner(projectID))",
                                          listing: Self.listing, query: query, map: Self.label)
        }
    }

    /// Changes a label's name, description and colour; false when it does not exist.
    public func update(_ label: LabelRecord) async throws -> Bool {
        try await SQLAccessStore.unique("label \(label.name) already exists") {
            try await provider.write { db in
                try await db.raw("""
                    UPDATE labels SET name = \(bind: label.name), description = \(bind: label.description), color = \(bind: label.color),
                        updated_at = \(bind: label.updatedAt) WHERE id = \(bind: label.id) RETURNING id
                    """).all().count > 0
            }
        }
    }

    /// Deletes a label (and takes it off every artifact); false when it did not exist.
    public func delete(id: Int64) async throws -> Bool {
        try await provider.transaction { db in
            try await db.raw("DELETE FROM labels WHERE id = \(bind: id) RETURNING id").all().count > 0
        }
    }

    /// Puts a label on an artifact; false when it is there already.
    public func attach(labelID: Int64, repositoryID: Int64, digest: String, now: Int64) async throws -> Bool {
        try await provider.write { db in
            try await db.raw("""
                INSERT INTO artifact_labels (label_id, repository_id, manifest_digest, created_at)
                VALUES (\(bind: labelID), \(bind: repositoryID), \(bind: digest), \(bind: now))
                ON CONFLICT (repository_id, manifest_digest, label_id) DO NOTHING RETURNING label_id
                """).all().count > 0
        }
    }

    /// Takes a label off an artifact; false when it was not there.
    public func detach(labelID: Int64, repositoryID: Int64, digest: String) async throws -> Bool {
        try await provider.write { db in
            try await db.raw("""
                DELETE FROM artifact_labels WHERE label_id = \(bind: labelID) AND repository_id = \(bind: repositoryID)
                AND manifest_digest = \(bind: digest) RETURNING label_id
                """).all().count > 0
        }
    }

    /// The labels of these artifacts of a repository, by digest, oldest attachment first.
    public func labels(repositoryID: Int64, digests: [String]) async throws -> [String: [LabelRecord]] {
        guard !digests.isEmpty else { return [:] }
        return try await provider.read { db in
            var found: [String: [LabelRecord]] = [:]
            for row in try await db.raw("""
                SELECT a.manifest_digest, l.id, l.project_id, l.name, l.description, l.color, l.created_at, l.updated_at
                FROM artifact_labels a JOIN labels l ON l.id = a.label_id
                WHERE a.repository_id = \(bind: repositoryID) AND a.manifest_digest IN (\(binds: digests)) ORDER BY a.created_at, l.id
                """).all() {
                found[try row.decode(column: "manifest_digest", as: String.self), default: []].append(try Self.label(row))
            }
            return found
        }
    }

    static func label(_ row: any SQLRow) throws -> LabelRecord {
        LabelRecord(id: try row.decode(column: "id", as: Int64.self), projectID: try row.decode(column: "project_id", as: Int64?.self),
                    name: try row.decode(column: "name", as: String.self), description: try row.decode(column: "description", as: String.self),
                    color: try row.decode(column: "color", as: String.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
                    updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }
}
