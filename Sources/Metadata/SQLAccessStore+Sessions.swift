import SQLKit

extension SQLAccessStore: SessionStore {
    public func createSession(_ record: SessionRecord) async throws {
        try await provider.transaction { db in
            try await db.raw("DELETE FROM sessions WHERE expires_at < \(bind: record.createdAt)").run()
            try await db.raw("""
                INSERT INTO sessions (token_hash, kind, user_id, robot_id, csrf, directory_admin, created_at, expires_at)
                VALUES (\(bind: record.tokenHash), \(bind: record.kind), \(bind: record.userID), \(bind: record.robotID), \(bind: record.csrf),
                        \(bind: record.directoryAdmin ? 1 : 0), \(bind: record.createdAt), \(bind: record.expiresAt))
                """).run()
        }
    }

    public func session(tokenHash: String, kind: String, now: Int64) async throws -> SessionRecord? {
        try await provider.read { db in
            try await db.raw("""
                SELECT token_hash, kind, user_id, robot_id, csrf, directory_admin, created_at, expires_at FROM sessions
                WHERE token_hash = \(bind: tokenHash) AND kind = \(bind: kind) AND expires_at > \(bind: now)
                """).first().map { row in
                SessionRecord(
                    tokenHash: try row.decode(column: "token_hash", as: String.self), kind: try row.decode(column: "kind", as: String.self),
                    userID: try row.decode(column: "user_id", as: Int64?.self), robotID: try row.decode(column: "robot_id", as: Int64?.self),
                    csrf: try row.decode(column: "csrf", as: String.self), directoryAdmin: try row.decode(column: "directory_admin", as: Int.self) != 0,
                    createdAt: try row.decode(column: "created_at", as: Int64.self), expiresAt: try row.decode(column: "expires_at", as: Int64.self))
            }
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await provider.write { db in try await db.raw("DELETE FROM sessions WHERE token_hash = \(bind: tokenHash)").run() }
    }

    public func deleteSessions(userID: Int64) async throws {
        try await provider.write { db in try await db.raw("DELETE FROM sessions WHERE user_id = \(bind: userID)").run() }
    }

    public func deleteSessions(robotID: Int64) async throws {
        try await provider.write { db in try await db.raw("DELETE FROM sessions WHERE robot_id = \(bind: robotID)").run() }
    }
}
