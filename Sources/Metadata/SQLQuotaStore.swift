import APIInput
import SQLKit

/// A project's storage quota: its limit and the bytes its repositories use (each digest once per project).
public struct QuotaRecord: Sendable, Equatable {
    /// The quota's id.
    public var id: Int64
    /// The project's name.
    public var projectName: String
    /// The project's id (0 when the project row is gone).
    public var projectID: Int64
    /// The name of the project's owner ("" when it has none).
    public var ownerName: String = ""
    /// The limit in bytes; -1 for none.
    public var hardLimit: Int64
    /// Bytes in use.
    public var used: Int64
    /// When it was made and last changed (milliseconds).
    public var createdAt: Int64
    /// When its limit or usage last changed (milliseconds).
    public var updatedAt: Int64
}

/// A project whose recorded usage differs from what its links add up to (`berth quota verify`).
public struct QuotaDiscrepancy: Sendable, Equatable, CustomStringConvertible {
    /// The project.
    public let project: String
    /// The usage recorded in its quota.
    public let recorded: Int64
    /// The usage its repositories' links add up to.
    public let recomputed: Int64

    /// The difference in words.
    public var description: String { "project \(project): recorded \(recorded) bytes, its links add up to \(recomputed)" }
}

/// Project quotas in SQL: reading and listing them, changing limits, and checking usage against the links from
/// scratch. Usage itself changes only through `QuotaAccounting`, in the transactions that link and unlink.
public struct SQLQuotaStore: Sendable {
    let provider: any SQLDatabaseProvider

    /// Uses the given (migrated) database.
    public init(provider: any SQLDatabaseProvider) { self.provider = provider }

    static let columns = """
        q.id, q.project_name, COALESCE(p.id, 0) AS project_id, COALESCE(u.username, '') AS owner_name, q.hard_limit, q.used, q.created_at,
        q.updated_at
        FROM project_quotas q LEFT JOIN projects p ON p.name = q.project_name LEFT JOIN users u ON u.id = p.owner_id
        """

    /// A page of quotas in project-id order, optionally of one project (by id) only.
    public func quotas(projectID: Int64?, offset: Int, limit: Int) async throws -> ListPage<QuotaRecord> {
        try await provider.read { db in
            let filter = projectID.map { SQLQueryString(" WHERE p.id = \(bind: $0)") } ?? SQLQueryString("")
            let total = try await db.raw("SELECT COUNT(*) AS n FROM project_quotas q LEFT JOIN projects p ON p.name = q.project_name" + filter)
                .first()?.decode(column: "n", as: Int.self) ?? 0
            let rows = try await db.raw("SELECT \(unsafeRaw: Self.columns)" + filter
                                        + SQLQueryString(" ORDER BY COALESCE(p.id, 0), q.id LIMIT \(literal: limit) OFFSET \(literal: offset)")).all()
            return ListPage(items: try rows.map(Self.quota), total: total)
        }
    }

    /// One quota by id.
    public func quota(id: Int64) async throws -> QuotaRecord? {
        try await provider.read { db in try await db.raw("SELECT \(unsafeRaw: Self.columns) WHERE q.id = \(bind: id)").first().map(Self.quota) }
    }

    /// A project's quota.
    public func quota(project name: String) async throws -> QuotaRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) WHERE q.project_name = \(bind: name)").first().map(Self.quota)
        }
    }

    /// Sets a quota's limit (bytes, -1 for none); false when there is no such quota. A limit below the usage is
    /// allowed (Harbor's behaviour): pushes that add bytes are refused until usage falls below it.
    public func setLimit(id: Int64, to limit: Int64, now: Int64) async throws -> Bool {
        try await provider.write { db in
            try await db.raw("""
                UPDATE project_quotas SET hard_limit = \(bind: limit), updated_at = \(bind: now) WHERE id = \(bind: id) RETURNING id
                """).first() != nil
        }
    }

    /// Every project whose recorded usage (or per-digest count) differs from its repositories' links, recomputed from
    /// scratch; empty when all agree.
    public func verify() async throws -> [QuotaDiscrepancy] {
        try await provider.read { db in
            let recomputed = try await db.raw("""
                SELECT project_name, CAST(SUM(size) AS BIGINT) AS used FROM (
                    SELECT r.project_name AS project_name, b.digest AS digest, MAX(b.size) AS size
                    FROM repository_blobs b JOIN repositories r ON r.id = b.repository_id GROUP BY r.project_name, b.digest
                ) linked GROUP BY project_name
                """).all().reduce(into: [String: Int64]()) { result, row in
                result[try row.decode(column: "project_name", as: String.self)] = try row.decode(column: "used", as: Int64.self)
            }
            let counted = try await db.raw("""
                SELECT project_name, CAST(SUM(size) AS BIGINT) AS used FROM project_blobs GROUP BY project_name
                """).all().reduce(into: [String: Int64]()) { result, row in
                result[try row.decode(column: "project_name", as: String.self)] = try row.decode(column: "used", as: Int64.self)
            }
            var found: [QuotaDiscrepancy] = []
            for row in try await db.raw("SELECT project_name, used FROM project_quotas ORDER BY project_name").all() {
                let project = try row.decode(column: "project_name", as: String.self)
                let recorded = try row.decode(column: "used", as: Int64.self)
                let truth = recomputed[project] ?? 0
                if recorded != truth || (counted[project] ?? 0) != truth {
                    found.append(QuotaDiscrepancy(project: project, recorded: recorded, recomputed: truth))
                }
            }
            // Reference counts: each (project, digest) counts the repositories linking it.
            let refs = try await db.raw("""
                SELECT pb.project_name AS project_name FROM project_blobs pb
                LEFT JOIN (SELECT r.project_name AS project_name, b.digest AS digest, COUNT(*) AS n
                           FROM repository_blobs b JOIN repositories r ON r.id = b.repository_id GROUP BY r.project_name, b.digest) l
                ON l.project_name = pb.project_name AND l.digest = pb.digest
                WHERE COALESCE(l.n, 0) <> pb.refs
                GROUP BY pb.project_name
                """).all().map { try $0.decode(column: "project_name", as: String.self) }
            for project in refs where !found.contains(where: { $0.project == project }) {
                found.append(QuotaDiscrepancy(project: project, recorded: counted[project] ?? 0, recomputed: recomputed[project] ?? 0))
            }
            return found
        }
    }

    static func quota(_ row: any SQLRow) throws -> QuotaRecord {
        QuotaRecord(id: try row.decode(column: "id", as: Int64.self), projectName: try row.decode(column: "project_name", as: String.self),
                    projectID: try row.decode(column: "project_id", as: Int64.self), ownerName: try row.decode(column: "owner_name", as: String.self),
                    hardLimit: try row.decode(column: "hard_limit", as: Int64.self),
                    used: try row.decode(column: "used", as: Int64.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
                    updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }
}
