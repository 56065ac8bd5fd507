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
                name TEXT {bytewise} NOT NULL UNIQUE,
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
                name TEXT {bytewise} NOT NULL,
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
        Migration(version: 2, statements: [
            "ALTER TABLE repositories ADD COLUMN project_name TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE repositories ADD COLUMN description TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE repositories ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0",
            "UPDATE repositories SET project_name = {project_of_name}, updated_at = created_at",
            "CREATE INDEX repositories_project ON repositories (project_name, name)",
            """
            CREATE TABLE users (
                id {id},
                username TEXT NOT NULL,
                email TEXT,
                realname TEXT NOT NULL DEFAULT '',
                comment TEXT NOT NULL DEFAULT '',
                password_hash TEXT,
                source TEXT NOT NULL,
                ldap_dn TEXT,
                sysadmin INTEGER NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX users_username ON users ((lower(username)))",
            "CREATE UNIQUE INDEX users_email ON users ((lower(email)))",
            """
            CREATE TABLE user_groups (
                id {id},
                name TEXT NOT NULL,
                group_type INTEGER NOT NULL,
                ldap_dn TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX user_groups_dn ON user_groups ((lower(ldap_dn)))",
            """
            CREATE TABLE projects (
                id {id},
                name TEXT NOT NULL UNIQUE,
                owner_id BIGINT,
                public INTEGER NOT NULL,
                metadata TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE project_members (
                id {id},
                project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                entity_type TEXT NOT NULL,
                entity_id BIGINT NOT NULL,
                role INTEGER NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (project_id, entity_type, entity_id)
            )
            """,
            "CREATE INDEX project_members_entity ON project_members (entity_type, entity_id)",
            """
            CREATE TABLE robots (
                id {id},
                name TEXT NOT NULL UNIQUE,
                description TEXT NOT NULL DEFAULT '',
                level TEXT NOT NULL,
                project_id BIGINT REFERENCES projects(id) ON DELETE CASCADE,
                secret_hash TEXT NOT NULL,
                disabled INTEGER NOT NULL DEFAULT 0,
                duration_days BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                permissions TEXT NOT NULL,
                creator_type TEXT NOT NULL,
                creator_ref BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE audit_logs (
                id {id},
                project_id BIGINT,
                operation TEXT NOT NULL,
                resource_type TEXT NOT NULL,
                resource TEXT NOT NULL,
                username TEXT NOT NULL,
                client_ip TEXT NOT NULL DEFAULT '',
                success INTEGER NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX audit_logs_time ON audit_logs (created_at)",
            "CREATE INDEX audit_logs_project ON audit_logs (project_id, created_at)",
            """
            CREATE TABLE login_failures (
                subject TEXT PRIMARY KEY,
                failures INTEGER NOT NULL,
                last_failure_at BIGINT NOT NULL,
                locked_until BIGINT NOT NULL
            )
            """,
            "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at BIGINT NOT NULL)",
            """
            INSERT INTO projects (name, owner_id, public, metadata, created_at, updated_at)
            VALUES ('library', NULL, 1, '{"public":"true"}', {now}, {now})
            """,
        ]),
        Migration(version: 3, statements: [
            """
            CREATE TABLE user_directory_groups (
                user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                group_dn TEXT NOT NULL,
                PRIMARY KEY (user_id, group_dn)
            )
            """,
        ]),
        Migration(version: 4, statements: [
            """
            CREATE TABLE jobs (
                id {id},
                kind TEXT NOT NULL,
                payload TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                max_attempts INTEGER NOT NULL,
                run_at BIGINT NOT NULL,
                lease_owner TEXT,
                lease_expires_at BIGINT,
                last_error TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                finished_at BIGINT
            )
            """,
            "CREATE INDEX jobs_due ON jobs (status, run_at)",
            "CREATE INDEX jobs_kind ON jobs (kind, created_at)",
            """
            CREATE TABLE schedules (
                name TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                cron TEXT NOT NULL,
                payload TEXT NOT NULL,
                paused INTEGER NOT NULL DEFAULT 0,
                next_run_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
        ]),
        Migration(version: 5, statements: [
            // The look-alike-proof form of each user name (APIInput.AccountName.comparisonKey); rows from before are
            // filled in at start by SQLAccessStore.fillNameKeys.
            "ALTER TABLE users ADD COLUMN name_key TEXT",
            "CREATE UNIQUE INDEX users_name_key ON users (name_key)",
        ]),
        Migration(version: 6, statements: [
            // Portal sessions and OAuth2 refresh tokens, by the SHA-256 of their secret value: signing out, a password
            // change, disabling or deleting the account ends them on every instance.
            """
            CREATE TABLE sessions (
                token_hash TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
                robot_id BIGINT REFERENCES robots(id) ON DELETE CASCADE,
                csrf TEXT NOT NULL DEFAULT '',
                directory_admin INTEGER NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX sessions_user ON sessions (user_id)",
            "CREATE INDEX sessions_robot ON sessions (robot_id)",
            "CREATE INDEX sessions_expiry ON sessions (expires_at)",
        ]),
        Migration(version: 7, statements: [
            // Upload sessions name their repository instead of pointing at a row, so starting an upload no longer
            // creates a repository: one exists once content is committed to it. Sessions carry their owner and project,
            // so open sessions can be counted against limits.
            """
            CREATE TABLE upload_sessions (
                id TEXT PRIMARY KEY,
                repository_name TEXT {bytewise} NOT NULL,
                project_name TEXT NOT NULL,
                owner TEXT NOT NULL,
                size BIGINT NOT NULL,
                hash_state TEXT NOT NULL,
                lease_token TEXT,
                lease_expires_at BIGINT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            """
            INSERT INTO upload_sessions (id, repository_name, project_name, owner, size, hash_state, lease_token, lease_expires_at, created_at, updated_at)
            SELECT u.id, r.name, r.project_name, '', u.size, u.hash_state, u.lease_token, u.lease_expires_at, u.created_at, u.updated_at
            FROM uploads u JOIN repositories r ON r.id = u.repository_id
            """,
            "DROP TABLE uploads",
            "CREATE INDEX upload_sessions_updated ON upload_sessions (updated_at)",
            "CREATE INDEX upload_sessions_owner ON upload_sessions (owner)",
            "CREATE INDEX upload_sessions_project ON upload_sessions (project_name)",
            // Repositories that only ever had an upload started in them.
            """
            DELETE FROM repositories WHERE NOT EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = repositories.id)
            AND NOT EXISTS (SELECT 1 FROM repository_blobs b WHERE b.repository_id = repositories.id)
            """,
        ]),
        Migration(version: 8, statements: [
            // Tags get ids and pull times (Harbor's Tag has both), artifacts pull times, repositories pull counts;
            // projects keep their CVE allowlist.
            """
            CREATE TABLE tags_v8 (
                id {id},
                repository_id BIGINT NOT NULL,
                name TEXT {bytewise} NOT NULL,
                manifest_digest TEXT NOT NULL,
                updated_at BIGINT NOT NULL,
                pull_time BIGINT,
                UNIQUE (repository_id, name),
                FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests (repository_id, digest) ON DELETE CASCADE
            )
            """,
            """
            INSERT INTO tags_v8 (repository_id, name, manifest_digest, updated_at)
            SELECT repository_id, name, manifest_digest, updated_at FROM tags ORDER BY updated_at, repository_id, name
            """,
            "DROP TABLE tags",
            "ALTER TABLE tags_v8 RENAME TO tags",
            "CREATE INDEX tags_order ON tags (repository_id, (lower(name)), name)",
            "CREATE INDEX tags_manifest ON tags (repository_id, manifest_digest)",
            "ALTER TABLE manifests ADD COLUMN pull_time BIGINT",
            "ALTER TABLE repositories ADD COLUMN pull_count BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE projects ADD COLUMN cve_allowlist TEXT",
        ]),
        Migration(version: 9, statements: [
            // The outbox of domain events: written in the transaction of the change they describe, handed to the
            // subscribers by the dispatcher, kept for a while after dispatch.
            """
            CREATE TABLE outbox (
                id {id},
                event_id TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                project_id BIGINT,
                repository TEXT NOT NULL,
                digest TEXT,
                tags TEXT NOT NULL,
                operator TEXT NOT NULL,
                occurred_at BIGINT NOT NULL,
                payload TEXT NOT NULL,
                dispatched_at BIGINT
            )
            """,
            "CREATE INDEX outbox_waiting ON outbox (id) WHERE dispatched_at IS NULL",
            "CREATE INDEX outbox_dispatched ON outbox (dispatched_at) WHERE dispatched_at IS NOT NULL",
        ]),
        Migration(version: 10, statements: [
            // Webhook policies of projects (targets and event types as JSON arrays), and their deliveries: one
            // execution per policy and event (unique, so an event handed over twice is delivered once), one task per
            // target, each with the request body it sends and a log of its attempts.
            """
            CREATE TABLE webhook_policies (
                id {id},
                project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                description TEXT NOT NULL,
                enabled INTEGER NOT NULL,
                event_types TEXT NOT NULL,
                targets TEXT NOT NULL,
                creator TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (project_id, name)
            )
            """,
            """
            CREATE TABLE webhook_executions (
                id {id},
                policy_id BIGINT NOT NULL REFERENCES webhook_policies (id) ON DELETE CASCADE,
                event_id TEXT NOT NULL,
                event_type TEXT NOT NULL,
                status TEXT NOT NULL,
                started_at BIGINT NOT NULL,
                ended_at BIGINT,
                UNIQUE (policy_id, event_id)
            )
            """,
            """
            CREATE TABLE webhook_tasks (
                id {id},
                execution_id BIGINT NOT NULL REFERENCES webhook_executions (id) ON DELETE CASCADE,
                target_type TEXT NOT NULL,
                address TEXT NOT NULL,
                payload_format TEXT NOT NULL,
                auth_header TEXT NOT NULL,
                skip_cert_verify INTEGER NOT NULL,
                body TEXT NOT NULL,
                status TEXT NOT NULL,
                status_code INTEGER,
                run_count INTEGER NOT NULL,
                log TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                started_at BIGINT,
                ended_at BIGINT
            )
            """,
            "CREATE INDEX webhook_tasks_execution ON webhook_tasks (execution_id)",
        ]),
        Migration(version: 11, statements: [
            // A policy's executions newest first: the executions list and the sweep that keeps the newest of each policy.
            "CREATE INDEX webhook_executions_policy ON webhook_executions (policy_id, id)",
        ]),
        Migration(version: 12, statements: [
            // A repository's artifacts newest push first (the artifacts list and the portal's repository page): read in
            // index order, a page stops after its rows instead of sorting every artifact of the repository (and working
            // out each one's size) first.
            "CREATE INDEX manifests_pushed ON manifests (repository_id, created_at, id)",
        ]),
        Migration(version: 13, statements: [
            // What each image holds, indexed once per manifest digest (the same image in another repository is not read
            // again); matched against advisories again whenever they change.
            """
            CREATE TABLE scan_inventories (
                manifest_digest TEXT PRIMARY KEY,
                indexer_version INTEGER NOT NULL,
                inventory TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            // Advisory sources (one import replaces a source's advisories whole), their advisories, and the packages
            // each names, looked up by name when an inventory is matched.
            """
            CREATE TABLE advisory_sources (
                name TEXT PRIMARY KEY,
                format TEXT NOT NULL,
                origin TEXT NOT NULL,
                advisories BIGINT NOT NULL,
                imported_at BIGINT NOT NULL,
                newest_modified TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE advisories (
                source TEXT NOT NULL REFERENCES advisory_sources (name) ON DELETE CASCADE,
                id TEXT NOT NULL,
                data TEXT NOT NULL,
                PRIMARY KEY (source, id)
            )
            """,
            """
            CREATE TABLE advisory_packages (
                source TEXT NOT NULL,
                advisory_id TEXT NOT NULL,
                ecosystem TEXT NOT NULL,
                namespace TEXT NOT NULL,
                name TEXT NOT NULL,
                FOREIGN KEY (source, advisory_id) REFERENCES advisories (source, id) ON DELETE CASCADE
            )
            """,
            "CREATE INDEX advisory_packages_name ON advisory_packages (name, ecosystem, namespace)",
            "CREATE INDEX advisory_packages_advisory ON advisory_packages (source, advisory_id)",
        ]),
        Migration(version: 14, statements: [
            // The newest scan of each artifact digest per report type (Harbor keeps reports per digest, so an image in two
            // repositories shares its report); a new scan request replaces the row with a new report id.
            """
            CREATE TABLE scan_reports (
                uuid TEXT PRIMARY KEY,
                manifest_digest TEXT NOT NULL,
                mime_type TEXT NOT NULL,
                repository TEXT NOT NULL,
                status TEXT NOT NULL,
                severity TEXT NOT NULL,
                summary TEXT NOT NULL,
                report TEXT NOT NULL,
                log TEXT NOT NULL,
                requested_by TEXT NOT NULL,
                requested_at BIGINT NOT NULL,
                started_at BIGINT,
                ended_at BIGINT,
                UNIQUE (manifest_digest, mime_type)
            )
            """,
        ]),
        Migration(version: 15, statements: [
            // CVE exports (Harbor's /export/cve): who asked, for which project and filters, and the CSV once made.
            """
            CREATE TABLE cve_exports (
                id {id},
                job_name TEXT NOT NULL,
                user_name TEXT NOT NULL,
                project_id BIGINT NOT NULL,
                criteria TEXT NOT NULL,
                status TEXT NOT NULL,
                status_text TEXT NOT NULL,
                csv TEXT,
                created_at BIGINT NOT NULL,
                ended_at BIGINT
            )
            """,
        ]),
        Migration(version: 16, statements: [
            // Scan requests received through the scanner-adapter API (/api/v1/scan): the request (with the pull
            // credential, removed once the scan ends), its state and the report. Kept a day after they end.
            """
            CREATE TABLE adapter_scans (
                id TEXT PRIMARY KEY,
                request TEXT NOT NULL,
                status TEXT NOT NULL,
                report TEXT,
                error TEXT,
                created_at BIGINT NOT NULL,
                ended_at BIGINT
            )
            """,
        ]),
        Migration(version: 17, statements: [
            // External scanners registered through Harbor's /scanners API (their access credential sealed with the
            // server's secret key), which one is the default, and which one each project uses.
            """
            CREATE TABLE scanner_registrations (
                uuid TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                description TEXT NOT NULL,
                url TEXT NOT NULL,
                auth TEXT NOT NULL,
                access_credential TEXT NOT NULL,
                skip_cert_verify INTEGER NOT NULL DEFAULT 0,
                use_internal_addr INTEGER NOT NULL DEFAULT 0,
                disabled INTEGER NOT NULL DEFAULT 0,
                is_default INTEGER NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE project_scanners (
                project_id BIGINT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
                scanner_uuid TEXT NOT NULL
            )
            """,
            // Which scanner made a report: empty for the built-in one, else the scanner's name, vendor and version as JSON.
            "ALTER TABLE scan_reports ADD COLUMN scanner TEXT NOT NULL DEFAULT ''",
        ]),
        Migration(version: 18, statements: [
            // Remote registries (Harbor's replication endpoints): where they are, how to reach them (their credential
            // sealed with the server's secret key) and which kind of registry they are.
            """
            CREATE TABLE remote_registries (
                id {id},
                name TEXT NOT NULL UNIQUE,
                url TEXT NOT NULL,
                type TEXT NOT NULL,
                credential_type TEXT NOT NULL,
                access_key TEXT NOT NULL,
                access_secret TEXT NOT NULL,
                insecure INTEGER NOT NULL DEFAULT 0,
                ca_certificate TEXT NOT NULL,
                description TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
        ]),
        Migration(version: 19, statements: [
            // Replication (Harbor's policies, executions and tasks). A policy copies from this registry to a remote one
            // (push-based, `src_registry_id` NULL) or from a remote one here (pull-based, `dest_registry_id` NULL);
            // its filters are kept as Harbor's JSON. An execution is one run; `listed` says its tasks are all known
            // (counts and status come from the tasks). A task copies (or deletes) one artifact; `resume` keeps the
            // destination's upload session of the blob in flight, so a task that was cut off continues from there.
            """
            CREATE TABLE replication_policies (
                id {id},
                name TEXT NOT NULL UNIQUE,
                description TEXT NOT NULL,
                src_registry_id BIGINT REFERENCES remote_registries(id),
                dest_registry_id BIGINT REFERENCES remote_registries(id),
                dest_namespace TEXT NOT NULL,
                dest_namespace_replace_count INTEGER NOT NULL,
                trigger_type TEXT NOT NULL,
                cron TEXT NOT NULL,
                filters TEXT NOT NULL,
                replicate_deletion INTEGER NOT NULL,
                override INTEGER NOT NULL,
                enabled INTEGER NOT NULL,
                speed_kbps INTEGER NOT NULL,
                copy_by_chunk INTEGER NOT NULL,
                single_active INTEGER NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE replication_executions (
                id {id},
                policy_id BIGINT NOT NULL REFERENCES replication_policies(id) ON DELETE CASCADE,
                trigger_type TEXT NOT NULL,
                status TEXT NOT NULL,
                status_text TEXT NOT NULL,
                listed INTEGER NOT NULL,
                stop_requested INTEGER NOT NULL,
                origin TEXT,
                start_time BIGINT NOT NULL,
                end_time BIGINT,
                UNIQUE (policy_id, origin)
            )
            """,
            "CREATE INDEX replication_executions_policy ON replication_executions (policy_id, id)",
            """
            CREATE TABLE replication_tasks (
                id {id},
                execution_id BIGINT NOT NULL REFERENCES replication_executions(id) ON DELETE CASCADE,
                status TEXT NOT NULL,
                job_id BIGINT,
                operation TEXT NOT NULL,
                resource_type TEXT NOT NULL,
                src_resource TEXT NOT NULL,
                dst_resource TEXT NOT NULL,
                spec TEXT NOT NULL,
                bytes_total BIGINT NOT NULL,
                bytes_done BIGINT NOT NULL,
                resume TEXT NOT NULL,
                log TEXT NOT NULL,
                start_time BIGINT,
                end_time BIGINT
            )
            """,
            "CREATE INDEX replication_tasks_execution ON replication_tasks (execution_id, status)",
        ]),
        Migration(version: 20, statements: [
            // A proxy-cache project names the remote registry it caches (Harbor's `registry_id`).
            "ALTER TABLE projects ADD COLUMN registry_id BIGINT",
        ]),
    ]

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

/// Wall-clock time in milliseconds since 1970.
public enum Clock {
    /// Now.
    public static func nowMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
