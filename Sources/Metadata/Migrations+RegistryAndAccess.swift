/// Migrations 1–9: the registry's tables (repositories, blobs, manifests, tags, uploads), users, groups, projects,
/// members, robots, the audit log, settings, jobs and schedules, sessions, and the event outbox, as they grew.
extension Migrations {
    static let registryAndAccess: [Migration] = [
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
    ]
}
