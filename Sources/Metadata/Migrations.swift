import Foundation
import SQLKit

/// The versioned schema. Each migration runs once, in order, inside a transaction; `{id}` becomes the
/// dialect's auto-increment primary key and `{blob}` its binary type.
enum Migrations {
    struct Migration {
        let version: Int
        let statements: [String]
    }

    /// Every migration, oldest first.
    static let all: [Migration] = registryAndAccess + featureTables

    static func render(_ statement: String, flavor: SQLFlavor) -> String {
        var text = statement.replacingOccurrences(of: "{now}", with: String(Clock.nowMilliseconds()))
        switch flavor {
        case .sqlite:
            text = text.replacingOccurrences(of: "{id}", with: "INTEGER PRIMARY KEY AUTOINCREMENT")
            text = text.replacingOccurrences(of: "{bytewise}", with: "")
            text = text.replacingOccurrences(
                of: "{project_of_name}", with: "CASE WHEN instr(name, '/') > 0 THEN substr(name, 1, instr(name, '/') - 1) ELSE '' END")
        case .postgres:
            text = text.replacingOccurrences(of: "{id}", with: "BIGSERIAL PRIMARY KEY")
            // Names sort bytewise (as distribution lists them), whatever the database's locale.
            text = text.replacingOccurrences(of: "{bytewise}", with: "COLLATE \"C\"")
            text = text.replacingOccurrences(
                of: "{project_of_name}", with: "CASE WHEN strpos(name, '/') > 0 THEN split_part(name, '/', 1) ELSE '' END")
        }
        return text
    }

    /// Applies every migration newer than the database's version. On PostgreSQL an advisory lock makes instances
    /// that start together take turns, so each migration runs once.
    static func run(on provider: any SQLDatabaseProvider, upTo lastVersion: Int = .max) async throws {
        let flavor = provider.flavor
        @Sendable func serialize(_ db: any SQLDatabase) async throws {
            if flavor == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(\(literal: 4_202_611))").run() }
        }
        try await provider.transaction { db in
            try await serialize(db)
            try await db.raw("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)").run()
        }
        for migration in all where migration.version <= lastVersion {
            try await provider.transaction { db in
                try await serialize(db)
                let done = try await db.raw("SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)").first()
                guard done == nil else { return }
                for statement in migration.statements {
                    try await db.raw(SQLQueryString(render(statement, flavor: flavor))).run()
                }
                try await db.raw("INSERT INTO schema_migrations (version, applied_at) VALUES (\(bind: migration.version), \(bind: Clock.nowMilliseconds()))").run()
            }
        }
    }
}
