import Foundation
import SQLKit

/// Projects' tag immutability rules on SQL (SQLite and PostgreSQL alike).
public struct SQLImmutableRuleStore: Sendable {
    let provider: any SQLDatabaseProvider

    /// Uses the given (migrated) database.
    public init(provider: any SQLDatabaseProvider) { self.provider = provider }

    /// The most rules a project may have (Harbor's limit).
    public static let maximumPerProject = 15

    static let columns = """
        id, project_id, priority, disabled, repository_decoration, repository_pattern, tag_decoration, tag_pattern, created_at, updated_at
        """
    static let listing = SQLListing(columns: [
        "priority": ("priority", .integer), "disabled": ("disabled", .boolean),
        "creation_time": ("created_at", .integer), "update_time": ("updated_at", .integer),
    ], defaultOrder: "id")
    static let duplicate = "an immutability rule with the same repositories and tags already exists in this project"

    /// Stores a new rule; throws `MetadataConflict` for a rule the project already has, and `MetadataLimit` when the
    /// project has `maximumPerProject` rules.
    public func create(_ rule: ImmutableRuleRecord) async throws -> ImmutableRuleRecord {
        try await SQLAccessStore.unique(Self.duplicate) {
            try await provider.transaction { db in
                let count = try await db.raw("SELECT COUNT(*) AS n FROM immutable_rules WHERE project_id = \(bind: rule.projectID)")
                    .first()?.decode(column: "n", as: Int.self) ?? 0
                guard count < Self.maximumPerProject else {
                    throw MetadataLimit("a project has at most \(Self.maximumPerProject) immutability rules")
                }
                guard let row = try await db.raw("""
                    INSERT INTO immutable_rules (project_id, priority, disabled, repository_decoration, repository_pattern, tag_decoration,
                                                 tag_pattern, created_at, updated_at)
                    VALUES (\(bind: rule.projectID), \(bind: rule.priority), \(bind: rule.disabled ? 1 : 0), \(bind: rule.repositoryDecoration),
                            \(bind: rule.repositoryPattern), \(bind: rule.tagDecoration), \(bind: rule.tagPattern), \(bind: rule.createdAt),
                            \(bind: rule.updatedAt))
                    RETURNING id
                    """).first() else { throw MetadataError.inconsistent("immutable rule insert returned no id") }
                var created = rule
                created.id = try row.decode(column: "id", as: Int64.self)
                return created
            }
        }
    }

    /// A project's rules, one page.
    public func rules(projectID: Int64, _ query: ListQuery) async throws -> ListPage<ImmutableRuleRecord> {
        try await provider.read { db in
            try await SQLAccessStore.page(db, select: Self.columns, from: "immutable_rules", where: "project_id = \(bind: projectID)",
                                          listing: Self.listing, query: query, map: Self.rule)
        }
    }

    /// One rule of the project.
    public func rule(id: Int64, projectID: Int64) async throws -> ImmutableRuleRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM immutable_rules WHERE id = \(bind: id) AND project_id = \(bind: projectID)")
                .first().map(Self.rule)
        }
    }

    /// Replaces a rule's settings; false when it does not exist; `MetadataConflict` when it would equal another rule.
    public func update(_ rule: ImmutableRuleRecord) async throws -> Bool {
        try await SQLAccessStore.unique(Self.duplicate) {
            try await provider.write { db in
                try await db.raw("""
                    UPDATE immutable_rules SET priority = \(bind: rule.priority), disabled = \(bind: rule.disabled ? 1 : 0),
                        repository_decoration = \(bind: rule.repositoryDecoration), repository_pattern = \(bind: rule.repositoryPattern),
                        tag_decoration = \(bind: rule.tagDecoration), tag_pattern = \(bind: rule.tagPattern), updated_at = \(bind: rule.updatedAt)
                    WHERE id = \(bind: rule.id) AND project_id = \(bind: rule.projectID) RETURNING id
                    """).all().count > 0
            }
        }
    }

    /// Deletes a rule; false when it did not exist.
    public func delete(id: Int64, projectID: Int64) async throws -> Bool {
        try await provider.write { db in
            try await db.raw("DELETE FROM immutable_rules WHERE id = \(bind: id) AND project_id = \(bind: projectID) RETURNING id").all().count > 0
        }
    }

    /// The enabled rules of the project called `projectName`, oldest first.
    static func enabledRules(projectName: String, on db: any SQLDatabase) async throws -> [ImmutableRuleRecord] {
        try await db.raw("""
            SELECT \(unsafeRaw: columns) FROM immutable_rules
            WHERE project_id = (SELECT id FROM projects WHERE name = \(bind: projectName)) AND disabled = 0 ORDER BY id
            """).all().map(rule)
    }

    static func rule(_ row: any SQLRow) throws -> ImmutableRuleRecord {
        ImmutableRuleRecord(
            id: try row.decode(column: "id", as: Int64.self), projectID: try row.decode(column: "project_id", as: Int64.self),
            priority: try row.decode(column: "priority", as: Int.self), disabled: try row.decode(column: "disabled", as: Int.self) != 0,
            repositoryDecoration: try row.decode(column: "repository_decoration", as: String.self),
            repositoryPattern: try row.decode(column: "repository_pattern", as: String.self),
            tagDecoration: try row.decode(column: "tag_decoration", as: String.self), tagPattern: try row.decode(column: "tag_pattern", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self), updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }
}

/// A limit the change would pass (a project's number of rules).
public struct MetadataLimit: Error, Sendable, CustomStringConvertible {
    /// The limit, in words.
    public let description: String
    /// Creates the error.
    public init(_ description: String) { self.description = description }
}
