import Foundation
import SQLKit

/// The versioned schema. Each migration runs once, in order, inside a transaction; `{id}` becomes the
/// dialect's auto-increment primary key and `{blob}` its binary type.
enum Migrations {
    struct Migration {
        let version: Int
        let statements: [String]
    }

    static let all: [Migration] = [
        Migration(version: 1, statements: [
            """
            CREATE TABLE repositories (
                id {id},
                name TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE repository_blobs (
                repository_id BIGINT NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
                digest TEXT NOT NULL,
                size BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (repository_id, digest)
            )
            """,
            "CREATE INDEX repository_blobs_digest ON repository_blobs (digest)",
            """
            CREATE TABLE manifests (
                id {id},
                repository_id BIGINT NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
                digest TEXT NOT NULL,
                media_type TEXT NOT NULL,
                size BIGINT NOT NULL,
                artifact_type TEXT,
                subject_digest TEXT,
                annotations TEXT,
                created_at BIGINT NOT NULL,
                UNIQUE (repository_id, digest)
            )
            """,
            "CREATE INDEX manifests_subject ON manifests (repository_id, subject_digest)",
            """
            CREATE TABLE manifest_references (
                manifest_id BIGINT NOT NULL REFERENCES manifests(id) ON DELETE CASCADE,
                digest TEXT NOT NULL,
                is_manifest INTEGER NOT NULL,
                PRIMARY KEY (manifest_id, digest)
            )
            """,
            "CREATE INDEX manifest_references_digest ON manifest_references (digest)",
            """
            CREATE TABLE tags (
                repository_id BIGINT NOT NULL,
                name TEXT NOT NULL,
                manifest_digest TEXT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (repository_id, name),
                FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests (repository_id, digest) ON DELETE CASCADE
            )
            """,
            "CREATE INDEX tags_order ON tags (repository_id, (lower(name)), name)",
            "CREATE INDEX tags_manifest ON tags (repository_id, manifest_digest)",
            """
            CREATE TABLE uploads (
                id TEXT PRIMARY KEY,
                repository_id BIGINT NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
                size BIGINT NOT NULL,
                hash_state TEXT NOT NULL,
                lease_token TEXT,
                lease_expires_at BIGINT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX uploads_updated ON uploads (updated_at)",
        ]),
    ]

    static func render(_ statement: String, flavor: SQLFlavor) -> String {
        switch flavor {
        case .sqlite:
            return statement.replacingOccurrences(of: "{id}", with: "INTEGER PRIMARY KEY AUTOINCREMENT")
        case .postgres:
            return statement.replacingOccurrences(of: "{id}", with: "BIGSERIAL PRIMARY KEY")
        }
    }

    /// Applies every migration newer than the database's version.
    static func run(on provider: any SQLDatabaseProvider) async throws {
        let flavor = provider.flavor
        try await provider.transaction { db in
            try await db.raw("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)").run()
        }
        for migration in all {
            try await provider.transaction { db in
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

/// Wall-clock time in milliseconds since 1970.
public enum Clock {
    /// Now.
    public static func nowMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
