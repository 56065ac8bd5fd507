/// Migrations 10 onwards: the tables of later features (events and webhooks, scanning, remote registries,
/// replication, proxy-cache projects).
extension Migrations {
    static let featureTables: [Migration] = [
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
        Migration(version: 21, statements: [
            // Quotas: each digest a project's repositories link, counted once per project with how many of its
            // repositories link it, and each project's usage (the sum of those sizes) against its limit. Both change
            // in the transactions that link and unlink, so usage never drifts from the links.
            """
            CREATE TABLE project_blobs (
                project_name TEXT NOT NULL,
                digest TEXT NOT NULL,
                size BIGINT NOT NULL,
                refs INTEGER NOT NULL,
                PRIMARY KEY (project_name, digest)
            )
            """,
            """
            INSERT INTO project_blobs (project_name, digest, size, refs)
            SELECT r.project_name, b.digest, MAX(b.size), COUNT(*) FROM repository_blobs b JOIN repositories r ON r.id = b.repository_id
            GROUP BY r.project_name, b.digest
            """,
            """
            CREATE TABLE project_quotas (
                id {id},
                project_name TEXT NOT NULL UNIQUE,
                hard_limit BIGINT NOT NULL,
                used BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            """
            INSERT INTO project_quotas (project_name, hard_limit, used, created_at, updated_at)
            SELECT p.name, -1, COALESCE((SELECT SUM(pb.size) FROM project_blobs pb WHERE pb.project_name = p.name), 0), {now}, {now}
            FROM projects p ORDER BY p.id
            """,
        ]),
        Migration(version: 22, statements: [
            // Garbage collection: when a link was last made, confirmed to a client (HEAD) or used by a manifest push.
            // Links untouched for the grace period are the only ones GC may remove (docs/garbage-collection.md).
            "ALTER TABLE repository_blobs ADD COLUMN touched_at BIGINT NOT NULL DEFAULT 0",
            "UPDATE repository_blobs SET touched_at = created_at",
            "CREATE INDEX repository_blobs_touched ON repository_blobs (touched_at)",
        ]),
        Migration(version: 23, statements: [
            // Garbage-collection runs (Harbor's GC history): parameters, status, counts and bytes freed, and the job
            // that carries a run (none for `berth gc`).
            """
            CREATE TABLE gc_runs (
                id {id},
                trigger_type TEXT NOT NULL,
                requester TEXT NOT NULL,
                delete_untagged INTEGER NOT NULL,
                dry_run INTEGER NOT NULL,
                workers INTEGER NOT NULL,
                status TEXT NOT NULL,
                stop_requested INTEGER NOT NULL DEFAULT 0,
                job_id BIGINT,
                phase TEXT NOT NULL DEFAULT '',
                manifests_deleted BIGINT NOT NULL DEFAULT 0,
                links_removed BIGINT NOT NULL DEFAULT 0,
                blobs_deleted BIGINT NOT NULL DEFAULT 0,
                bytes_freed BIGINT NOT NULL DEFAULT 0,
                uploads_purged BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                started_at BIGINT,
                finished_at BIGINT
            )
            """,
            "CREATE INDEX gc_runs_job ON gc_runs (job_id)",
            "CREATE INDEX gc_runs_status ON gc_runs (status)",
            // A run's log as it is written: each row holds the lines of one write (`line` is a chunk of lines).
            """
            CREATE TABLE gc_run_log (
                run_id BIGINT NOT NULL REFERENCES gc_runs(id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                line TEXT NOT NULL,
                PRIMARY KEY (run_id, seq)
            )
            """,
            // One collection at a time across instances: the run holding this row's lease.
            "CREATE TABLE gc_lock (id INTEGER PRIMARY KEY, run_id BIGINT, expires_at BIGINT NOT NULL)",
            "INSERT INTO gc_lock (id, run_id, expires_at) VALUES (1, NULL, 0)",
        ]),
        Migration(version: 24, statements: [
            // Tag immutability rules (Harbor's immutabletagrules): one repository selector and one tag selector each.
            """
            CREATE TABLE immutable_rules (
                id {id},
                project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
                priority INTEGER NOT NULL,
                disabled INTEGER NOT NULL,
                repository_decoration TEXT NOT NULL,
                repository_pattern TEXT NOT NULL,
                tag_decoration TEXT NOT NULL,
                tag_pattern TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (project_id, repository_decoration, repository_pattern, tag_decoration, tag_pattern)
            )
            """,
        ]),
        Migration(version: 25, statements: [
            // Tag retention (Harbor's /retentions): one policy per project with its rules as JSON, its runs and what
            // each run did per repository.
            """
            CREATE TABLE retention_policies (
                id {id},
                project_id BIGINT NOT NULL UNIQUE REFERENCES projects (id) ON DELETE CASCADE,
                rules TEXT NOT NULL,
                cron TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE retention_executions (
                id {id},
                policy_id BIGINT NOT NULL REFERENCES retention_policies (id) ON DELETE CASCADE,
                trigger_type TEXT NOT NULL,
                dry_run INTEGER NOT NULL,
                status TEXT NOT NULL,
                stop_requested INTEGER NOT NULL DEFAULT 0,
                started_at BIGINT NOT NULL,
                ended_at BIGINT
            )
            """,
            "CREATE INDEX retention_executions_policy ON retention_executions (policy_id, id)",
            """
            CREATE TABLE retention_tasks (
                id {id},
                execution_id BIGINT NOT NULL REFERENCES retention_executions (id) ON DELETE CASCADE,
                repository TEXT NOT NULL,
                status TEXT NOT NULL,
                total INTEGER NOT NULL DEFAULT 0,
                retained INTEGER NOT NULL DEFAULT 0,
                log TEXT NOT NULL DEFAULT '',
                started_at BIGINT NOT NULL,
                ended_at BIGINT
            )
            """,
            "CREATE INDEX retention_tasks_execution ON retention_tasks (execution_id, id)",
        ]),
        Migration(version: 26, statements: [
            // Labels (Harbor's /labels): global ones (owner 'g') and project ones (owner 'p:<project id>', removed with the
            // project), and which artifacts carry them (removed with the artifact or the label).
            """
            CREATE TABLE labels (
                id {id},
                owner TEXT NOT NULL,
                project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                description TEXT NOT NULL,
                color TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (owner, name)
            )
            """,
            """
            CREATE TABLE artifact_labels (
                label_id BIGINT NOT NULL REFERENCES labels (id) ON DELETE CASCADE,
                repository_id BIGINT NOT NULL,
                manifest_digest TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (repository_id, manifest_digest, label_id),
                FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests (repository_id, digest) ON DELETE CASCADE
            )
            """,
            "CREATE INDEX artifact_labels_label ON artifact_labels (label_id)",
        ]),
    ]
}
