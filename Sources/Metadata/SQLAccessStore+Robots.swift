import Foundation
import SQLKit

extension SQLAccessStore: RobotStore {
    static let robotColumns = """
        id, name, description, level, project_id, secret_hash, disabled, duration_days, expires_at, permissions,
        creator_type, creator_ref, created_at, updated_at
        """
    static let robotListing = SQLListing(columns: [
        "name": ("name", .text), "level": ("level", .text), "project_id": ("project_id", .integer), "disable": ("disabled", .boolean),
        "creation_time": ("created_at", .integer), "expires_at": ("expires_at", .integer),
    ], defaultOrder: "id")

    public func createRobot(_ robot: RobotRecord) async throws -> RobotRecord {
        try await Self.unique("robot \(robot.name) already exists") {
            try await provider.write { db in
                guard let row = try await db.raw("""
                    INSERT INTO robots (name, description, level, project_id, secret_hash, disabled, duration_days, expires_at,
                                        permissions, creator_type, creator_ref, created_at, updated_at)
                    VALUES (\(bind: robot.name), \(bind: robot.description), \(bind: robot.level), \(bind: robot.projectID),
                            \(bind: robot.secretHash), \(bind: robot.disabled ? 1 : 0), \(bind: robot.durationDays), \(bind: robot.expiresAt),
                            \(bind: robot.permissionsJSON), \(bind: robot.creatorType), \(bind: robot.creatorRef),
                            \(bind: robot.createdAt), \(bind: robot.updatedAt))
                    RETURNING id
                    """).first() else { throw MetadataError.inconsistent("robot insert returned no id") }
                var created = robot
                created.id = try row.decode(column: "id", as: Int64.self)
                return created
            }
        }
    }

    public func robot(id: Int64) async throws -> RobotRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.robotColumns) FROM robots WHERE id = \(bind: id)").first().map(Self.robotRow)
        }
    }

    public func robot(named name: String) async throws -> RobotRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.robotColumns) FROM robots WHERE name = \(bind: name)").first().map(Self.robotRow)
        }
    }

    public func robots(_ query: ListQuery) async throws -> ListPage<RobotRecord> {
        try await provider.read { db in
            try await Self.page(db, select: Self.robotColumns, from: "robots", where: "1 = 1", listing: Self.robotListing, query: query, map: Self.robotRow)
        }
    }

    public func updateRobot(_ robot: RobotRecord) async throws {
        try await provider.write { db in
            try await db.raw("""
                UPDATE robots SET description = \(bind: robot.description), secret_hash = \(bind: robot.secretHash),
                disabled = \(bind: robot.disabled ? 1 : 0), duration_days = \(bind: robot.durationDays), expires_at = \(bind: robot.expiresAt),
                permissions = \(bind: robot.permissionsJSON), updated_at = \(bind: robot.updatedAt)
                WHERE id = \(bind: robot.id)
                """).run()
        }
    }

    public func deleteRobot(id: Int64) async throws -> Bool {
        try await provider.write { db in
            try await db.raw("DELETE FROM robots WHERE id = \(bind: id) RETURNING id").all().count > 0
        }
    }

    static func robotRow(_ row: any SQLRow) throws -> RobotRecord {
        RobotRecord(
            id: try row.decode(column: "id", as: Int64.self),
            name: try row.decode(column: "name", as: String.self),
            description: try row.decode(column: "description", as: String.self),
            level: try row.decode(column: "level", as: String.self),
            projectID: try row.decode(column: "project_id", as: Int64?.self),
            secretHash: try row.decode(column: "secret_hash", as: String.self),
            disabled: try row.decode(column: "disabled", as: Int.self) != 0,
            durationDays: try row.decode(column: "duration_days", as: Int64.self),
            expiresAt: try row.decode(column: "expires_at", as: Int64.self),
            permissionsJSON: try row.decode(column: "permissions", as: String.self),
            creatorType: try row.decode(column: "creator_type", as: String.self),
            creatorRef: try row.decode(column: "creator_ref", as: Int64.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self)
        )
    }
}

extension SQLAccessStore: AuditStore {
    static let auditColumns = "id, project_id, operation, resource_type, resource, username, client_ip, success, created_at"
    static let auditListing = SQLListing(columns: [
        "operation": ("operation", .text), "resource": ("resource", .text), "resource_type": ("resource_type", .text),
        "username": ("username", .text), "op_time": ("created_at", .integer), "project_id": ("project_id", .integer),
    ], defaultOrder: "id DESC")

    public func append(_ entries: [AuditRecord]) async throws {
        guard !entries.isEmpty else { return }
        try await provider.transaction { db in try await Self.appendAudit(entries, on: db) }
    }

    /// Writes audit entries on `db`, inside the caller's transaction (the audit subscriber's, for events).
    public static func appendAudit(_ entries: [AuditRecord], on db: any SQLDatabase) async throws {
        for batch in stride(from: 0, to: entries.count, by: 100).map({ entries[$0 ..< min($0 + 100, entries.count)] }) {
            let values = batch.map { e in
                SQLQueryString("""
                    (\(bind: e.projectID), \(bind: e.operation), \(bind: e.resourceType), \(bind: e.resource), \(bind: e.username),
                     \(bind: e.clientIP), \(bind: e.success ? 1 : 0), \(bind: e.createdAt))
                    """)
            }
            try await db.raw("""
                INSERT INTO audit_logs (project_id, operation, resource_type, resource, username, client_ip, success, created_at)
                VALUES \(values.joined(separator: ", "))
                """).run()
        }
    }

    public func auditLogs(_ query: ListQuery, projectIDs: [Int64]?) async throws -> ListPage<AuditRecord> {
        if let projectIDs, projectIDs.isEmpty { return ListPage(items: [], total: 0) }
        let base: SQLQueryString = projectIDs.map { SQLQueryString("project_id IN (\(binds: $0))") } ?? "1 = 1"
        return try await provider.read { db in
            try await Self.page(db, select: Self.auditColumns, from: "audit_logs", where: base, listing: Self.auditListing, query: query, map: Self.auditRow)
        }
    }

    static func auditRow(_ row: any SQLRow) throws -> AuditRecord {
        AuditRecord(
            id: try row.decode(column: "id", as: Int64.self),
            projectID: try row.decode(column: "project_id", as: Int64?.self),
            operation: try row.decode(column: "operation", as: String.self),
            resourceType: try row.decode(column: "resource_type", as: String.self),
            resource: try row.decode(column: "resource", as: String.self),
            username: try row.decode(column: "username", as: String.self),
            clientIP: try row.decode(column: "client_ip", as: String.self),
            success: try row.decode(column: "success", as: Int.self) != 0,
            createdAt: try row.decode(column: "created_at", as: Int64.self)
        )
    }
}

extension SQLAccessStore: SettingsStore {
    public func setting(_ name: String) async throws -> String? {
        try await provider.read { db in
            try await db.raw("SELECT value FROM settings WHERE name = \(bind: name)").first()?.decode(column: "value", as: String.self)
        }
    }

    /// Sets a setting (inserting or replacing it).
    public func putSetting(_ name: String, value: String, now: Int64) async throws {
        try await provider.write { db in
            try await db.raw("""
                INSERT INTO settings (name, value, updated_at) VALUES (\(bind: name), \(bind: value), \(bind: now))
                ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """).run()
        }
    }

    public func settingInsertingIfAbsent(_ name: String, value: String, now: Int64) async throws -> String {
        try await provider.transaction { db in
            try await db.raw("""
                INSERT INTO settings (name, value, updated_at) VALUES (\(bind: name), \(bind: value), \(bind: now))
                ON CONFLICT (name) DO NOTHING
                """).run()
            guard let stored = try await db.raw("SELECT value FROM settings WHERE name = \(bind: name)").first() else {
                throw MetadataError.inconsistent("setting \(name) vanished after its insert")
            }
            return try stored.decode(column: "value", as: String.self)
        }
    }
}

extension SQLAccessStore: LoginFailureStore {
    public func loginFailures(_ subject: String) async throws -> (failures: Int, lastFailureAt: Int64, lockedUntil: Int64)? {
        try await provider.read { db in
            guard let row = try await db.raw("""
                SELECT failures, last_failure_at, locked_until FROM login_failures WHERE subject = \(bind: subject)
                """).first() else { return nil }
            return (try row.decode(column: "failures", as: Int.self), try row.decode(column: "last_failure_at", as: Int64.self),
                    try row.decode(column: "locked_until", as: Int64.self))
        }
    }

    public func setLoginFailures(_ subject: String, failures: Int, lastFailureAt: Int64, lockedUntil: Int64) async throws {
        try await provider.write { db in
            try await db.raw("""
                INSERT INTO login_failures (subject, failures, last_failure_at, locked_until)
                VALUES (\(bind: subject), \(bind: failures), \(bind: lastFailureAt), \(bind: lockedUntil))
                ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at,
                locked_until = excluded.locked_until
                """).run()
        }
    }

    public func clearLoginFailures(_ subject: String) async throws {
        try await provider.write { db in
            try await db.raw("DELETE FROM login_failures WHERE subject = \(bind: subject)").run()
        }
    }

    public func forgetLoginFailures(before time: Int64) async throws {
        try await provider.write { db in
            try await db.raw("DELETE FROM login_failures WHERE last_failure_at < \(bind: time) AND locked_until < \(bind: time)").run()
        }
    }
}
