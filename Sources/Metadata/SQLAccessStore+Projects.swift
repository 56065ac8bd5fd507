import Foundation
import SQLKit

extension SQLAccessStore: ProjectStore {
    static let projectColumns = "id, name, owner_id, metadata, created_at, updated_at, cve_allowlist, registry_id"
    static let projectListing = SQLListing(columns: [
        "name": ("name", .text), "public": ("public", .boolean), "owner_id": ("owner_id", .integer), "project_id": ("id", .integer),
        "creation_time": ("created_at", .integer), "update_time": ("updated_at", .integer),
    ], defaultOrder: "id")
    static let memberListing = SQLListing(columns: [
        "entityname": ("entity_name", .text), "entity_type": ("entity_type", .text), "role_id": ("role", .integer),
    ], defaultOrder: "id")
    /// Members joined with the user's or group's name.
    static let memberView = """
        (SELECT m.id, m.project_id, m.entity_type, m.entity_id, m.role,
                COALESCE(u.username, g.name, '') AS entity_name
         FROM project_members m
         LEFT JOIN users u ON m.entity_type = 'u' AND u.id = m.entity_id
         LEFT JOIN user_groups g ON m.entity_type = 'g' AND g.id = m.entity_id) AS members
        """

    public func createProject(_ project: ProjectRecord, ownerRole: Int?) async throws -> ProjectRecord {
        let metadata = String(decoding: try JSONEncoder.sorted.encode(project.metadata), as: UTF8.self)
        return try await Self.unique("project \(project.name) already exists") {
            try await provider.transaction { db in
                guard let row = try await db.raw("""
                    INSERT INTO projects (name, owner_id, public, metadata, created_at, updated_at, cve_allowlist, registry_id)
                    VALUES (\(bind: project.name), \(bind: project.ownerID), \(bind: project.isPublic ? 1 : 0), \(bind: metadata),
                            \(bind: project.createdAt), \(bind: project.updatedAt), \(bind: try Self.allowlistJSON(project.cveAllowlist)),
                            \(bind: project.registryID))
                    RETURNING id
                    """).first() else { throw MetadataError.inconsistent("project insert returned no id") }
                var created = project
                created.id = try row.decode(column: "id", as: Int64.self)
                try await QuotaAccounting.create(project: project.name, limit: project.storageLimit, now: project.createdAt, on: db)
                if let owner = project.ownerID, let ownerRole {
                    try await db.raw("""
                        INSERT INTO project_members (project_id, entity_type, entity_id, role, created_at, updated_at)
                        VALUES (\(bind: created.id), 'u', \(bind: owner), \(bind: ownerRole), \(bind: project.createdAt), \(bind: project.createdAt))
                        """).run()
                }
                return created
            }
        }
    }

    /// The names of the proxy-cache projects of remote registry `id`.
    public func proxyProjects(ofRegistry id: Int64) async throws -> [String] {
        try await provider.read { db in
            try await db.raw("SELECT name FROM projects WHERE registry_id = \(bind: id) ORDER BY name").all().map { try $0.decode(column: "name", as: String.self) }
        }
    }

    public func project(named name: String) async throws -> ProjectRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.projectColumns) FROM projects WHERE name = \(bind: name)").first().map(Self.projectRow)
        }
    }

    public func project(id: Int64) async throws -> ProjectRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.projectColumns) FROM projects WHERE id = \(bind: id)").first().map(Self.projectRow)
        }
    }

    public func projects(_ query: ListQuery, visibility: ProjectVisibility) async throws -> ListPage<ProjectRecord> {
        let base = Self.visibleCondition(visibility)
        return try await provider.read { db in
            try await Self.page(db, select: Self.projectColumns, from: "projects", where: base, listing: Self.projectListing, query: query, map: Self.projectRow)
        }
    }

    public func projectNames(visibility: ProjectVisibility) async throws -> [String] {
        let base = Self.visibleCondition(visibility)
        return try await provider.read { db in
            try await db.raw(SQLQueryString("SELECT name FROM projects WHERE ") + base + SQLQueryString(" ORDER BY name")).all()
                .map { try $0.decode(column: "name", as: String.self) }
        }
    }

    static func visibleCondition(_ visibility: ProjectVisibility) -> SQLQueryString {
        let base: SQLQueryString
        switch visibility {
        case .all:
            base = "1 = 1"
        case .publicAnd(let userID, let groupIDs, let projectIDs):
            var visible = SQLQueryString("(public = 1")
            if let userID {
                visible += SQLQueryString(" OR id IN (SELECT project_id FROM project_members WHERE entity_type = 'u' AND entity_id = \(bind: userID))")
            }
            if !groupIDs.isEmpty {
                visible += SQLQueryString(" OR id IN (SELECT project_id FROM project_members WHERE entity_type = 'g' AND entity_id IN (\(binds: groupIDs)))")
            }
            if !projectIDs.isEmpty { visible += SQLQueryString(" OR id IN (\(binds: projectIDs))") }
            base = visible + SQLQueryString(")")
        }
        return base
    }

    public func updateProject(_ project: ProjectRecord) async throws {
        let metadata = String(decoding: try JSONEncoder.sorted.encode(project.metadata), as: UTF8.self)
        let allowlist = try Self.allowlistJSON(project.cveAllowlist)
        try await provider.write { db in
            try await db.raw("""
                UPDATE projects SET public = \(bind: project.isPublic ? 1 : 0), metadata = \(bind: metadata), updated_at = \(bind: project.updatedAt),
                cve_allowlist = \(bind: allowlist), owner_id = \(bind: project.ownerID)
                WHERE id = \(bind: project.id)
                """).run()
        }
    }

    public func deleteProjectIfEmpty(id: Int64, name: String) async throws -> Bool {
        try await provider.transaction { db in
            let deleted = try await db.raw("""
                DELETE FROM projects WHERE id = \(bind: id)
                AND NOT EXISTS (SELECT 1 FROM repositories WHERE project_name = \(bind: name))
                RETURNING id
                """).all().count > 0
            if deleted {
                try await db.raw("DELETE FROM robots WHERE project_id = \(bind: id)").run()
                try await db.raw("DELETE FROM upload_sessions WHERE project_name = \(bind: name)").run()
                try await QuotaAccounting.remove(project: name, on: db)
            }
            return deleted
        }
    }

    public func repositoryCount(project name: String) async throws -> Int {
        try await provider.read { db in
            try await db.raw("SELECT count(*) AS n FROM repositories WHERE project_name = \(bind: name)").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    public func addMember(_ member: MemberRecord, now: Int64) async throws -> MemberRecord {
        try await Self.unique("\(member.entityName.isEmpty ? "that entity" : member.entityName) is already a member of the project") {
            try await provider.write { db in
                guard let row = try await db.raw("""
                    INSERT INTO project_members (project_id, entity_type, entity_id, role, created_at, updated_at)
                    VALUES (\(bind: member.projectID), \(bind: member.entityType.rawValue), \(bind: member.entityID), \(bind: member.role), \(bind: now), \(bind: now))
                    RETURNING id
                    """).first() else { throw MetadataError.inconsistent("member insert returned no id") }
                var created = member
                created.id = try row.decode(column: "id", as: Int64.self)
                return created
            }
        }
    }

    public func member(id: Int64, projectID: Int64) async throws -> MemberRecord? {
        try await provider.read { db in
            try await db.raw("SELECT * FROM \(unsafeRaw: Self.memberView) WHERE id = \(bind: id) AND project_id = \(bind: projectID)")
                .first().map(Self.memberRow)
        }
    }

    public func members(projectID: Int64, _ query: ListQuery) async throws -> ListPage<MemberRecord> {
        try await provider.read { db in
            try await Self.page(db, select: "*", from: Self.memberView, where: "project_id = \(bind: projectID)",
                                listing: Self.memberListing, query: query, map: Self.memberRow)
        }
    }

    public func memberCounts(projectID: Int64) async throws -> [Int: Int] {
        try await provider.read { db in
            var counts: [Int: Int] = [:]
            for row in try await db.raw("SELECT role, count(*) AS n FROM project_members WHERE project_id = \(bind: projectID) GROUP BY role").all() {
                counts[try row.decode(column: "role", as: Int.self)] = try row.decode(column: "n", as: Int.self)
            }
            return counts
        }
    }

    public func updateMemberRole(id: Int64, projectID: Int64, role: Int, now: Int64) async throws -> Bool {
        try await provider.write { db in
            try await db.raw("""
                UPDATE project_members SET role = \(bind: role), updated_at = \(bind: now)
                WHERE id = \(bind: id) AND project_id = \(bind: projectID) RETURNING id
                """).all().count > 0
        }
    }

    public func deleteMember(id: Int64, projectID: Int64) async throws -> Bool {
        try await provider.write { db in
            try await db.raw("DELETE FROM project_members WHERE id = \(bind: id) AND project_id = \(bind: projectID) RETURNING id").all().count > 0
        }
    }

    public func roles(projectID: Int64, userID: Int64?, groupIDs: [Int64]) async throws -> [Int] {
        guard userID != nil || !groupIDs.isEmpty else { return [] }
        return try await provider.read { db in
            let query = SQLQueryString("SELECT role FROM project_members WHERE project_id = \(bind: projectID) AND ")
                + Self.membership(userID: userID, groupIDs: groupIDs)
            return try await db.raw(query).all().map { try $0.decode(column: "role", as: Int.self) }
        }
    }

    /// The condition on `project_members` rows of the user or one of the groups (false when neither is given).
    static func membership(userID: Int64?, groupIDs: [Int64]) -> SQLQueryString {
        var condition = SQLQueryString("(1 = 0")
        if let userID { condition += SQLQueryString(" OR (entity_type = 'u' AND entity_id = \(bind: userID))") }
        if !groupIDs.isEmpty { condition += SQLQueryString(" OR (entity_type = 'g' AND entity_id IN (\(binds: groupIDs)))") }
        return condition + SQLQueryString(")")
    }

    public func listFacts(of projects: [ProjectRecord], userID: Int64?, groupIDs: [Int64]) async throws -> ProjectListFacts {
        guard !projects.isEmpty else { return ProjectListFacts(roles: [:], repositoryCounts: [:], ownerNames: [:]) }
        return try await provider.read { db in
            var roles: [Int64: [Int]] = [:]
            if userID != nil || !groupIDs.isEmpty {
                let query = SQLQueryString("SELECT project_id, role FROM project_members WHERE project_id IN (\(binds: projects.map(\.id))) AND ")
                    + Self.membership(userID: userID, groupIDs: groupIDs)
                for row in try await db.raw(query).all() {
                    roles[try row.decode(column: "project_id", as: Int64.self), default: []].append(try row.decode(column: "role", as: Int.self))
                }
            }
            var counts: [String: Int] = [:]
            for row in try await db.raw("""
                SELECT project_name, count(*) AS n FROM repositories WHERE project_name IN (\(binds: projects.map(\.name))) GROUP BY project_name
                """).all() {
                counts[try row.decode(column: "project_name", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
            var owners: [Int64: String] = [:]
            let ownerIDs = Array(Set(projects.compactMap(\.ownerID)))
            if !ownerIDs.isEmpty {
                for row in try await db.raw("SELECT id, username FROM users WHERE id IN (\(binds: ownerIDs))").all() {
                    owners[try row.decode(column: "id", as: Int64.self)] = try row.decode(column: "username", as: String.self)
                }
            }
            return ProjectListFacts(roles: roles, repositoryCounts: counts, ownerNames: owners)
        }
    }

    public func projectIDs(userID: Int64, groupIDs: [Int64], roles: [Int]) async throws -> [Int64] {
        guard !roles.isEmpty else { return [] }
        return try await provider.read { db in
            var query = SQLQueryString("""
                SELECT DISTINCT project_id FROM project_members WHERE role IN (\(binds: roles))
                AND ((entity_type = 'u' AND entity_id = \(bind: userID))
                """)
            if !groupIDs.isEmpty { query += SQLQueryString(" OR (entity_type = 'g' AND entity_id IN (\(binds: groupIDs)))") }
            query += SQLQueryString(") ORDER BY project_id")
            return try await db.raw(query).all().map { try $0.decode(column: "project_id", as: Int64.self) }
        }
    }

    public func statistics(userID: Int64?, groupIDs: [Int64]) async throws -> RegistryStatistics {
        try await provider.read { db in
            func count(_ query: SQLQueryString) async throws -> Int64 {
                try await db.raw(query).first()?.decode(column: "n", as: Int64?.self) ?? 0
            }
            var member = SQLQueryString("SELECT project_id FROM project_members WHERE (entity_type = 'u' AND entity_id = \(bind: userID ?? -1))")
            if !groupIDs.isEmpty { member += SQLQueryString(" OR (entity_type = 'g' AND entity_id IN (\(binds: groupIDs)))") }
            let memberPrivate = SQLQueryString("SELECT name FROM projects WHERE public = 0 AND id IN (") + member + SQLQueryString(")")
            return RegistryStatistics(
                publicProjects: try await count("SELECT count(*) AS n FROM projects WHERE public = 1"),
                totalProjects: try await count("SELECT count(*) AS n FROM projects"),
                publicRepositories: try await count("SELECT count(*) AS n FROM repositories WHERE project_name IN (SELECT name FROM projects WHERE public = 1)"),
                totalRepositories: try await count("SELECT count(*) AS n FROM repositories"),
                storageBytes: try await count("""
                    SELECT CAST(COALESCE(sum(size), 0) AS BIGINT) AS n FROM (SELECT digest, max(size) AS size FROM repository_blobs GROUP BY digest) d
                    """),
                memberPrivateProjects: try await count(SQLQueryString("SELECT count(*) AS n FROM (") + memberPrivate + SQLQueryString(") m")),
                memberPrivateRepositories: try await count(SQLQueryString("SELECT count(*) AS n FROM repositories WHERE project_name IN (")
                                                           + memberPrivate + SQLQueryString(")")))
        }
    }

    static func projectRow(_ row: any SQLRow) throws -> ProjectRecord {
        let metadata = try JSONDecoder().decode([String: String].self, from: Data(try row.decode(column: "metadata", as: String.self).utf8))
        return ProjectRecord(
            id: try row.decode(column: "id", as: Int64.self),
            name: try row.decode(column: "name", as: String.self),
            ownerID: try row.decode(column: "owner_id", as: Int64?.self),
            metadata: metadata,
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self),
            cveAllowlist: try row.decode(column: "cve_allowlist", as: String?.self).map { try JSONDecoder().decode(CVEAllowlist.self, from: Data($0.utf8)) },
            registryID: try row.decode(column: "registry_id", as: Int64?.self)
        )
    }

    static func allowlistJSON(_ allowlist: CVEAllowlist?) throws -> String? {
        try allowlist.map { String(decoding: try JSONEncoder.sorted.encode($0), as: UTF8.self) }
    }

    static func memberRow(_ row: any SQLRow) throws -> MemberRecord {
        MemberRecord(
            id: try row.decode(column: "id", as: Int64.self),
            projectID: try row.decode(column: "project_id", as: Int64.self),
            entityType: MemberEntityType(rawValue: try row.decode(column: "entity_type", as: String.self)) ?? .user,
            entityID: try row.decode(column: "entity_id", as: Int64.self),
            entityName: try row.decode(column: "entity_name", as: String.self),
            role: try row.decode(column: "role", as: Int.self)
        )
    }
}
