import Foundation
import SQLKit

/// Tag retention policies, their runs and tasks on SQL (SQLite and PostgreSQL alike).
public struct SQLRetentionStore: Sendable {
    let provider: any SQLDatabaseProvider

    /// Uses the given (migrated) database.
    public init(provider: any SQLDatabaseProvider) { self.provider = provider }

    static let policyColumns = "id, project_id, rules, cron, created_at, updated_at"
    static let executionColumns = "id, policy_id, trigger_type, dry_run, status, stop_requested, started_at, ended_at"
    static let taskColumns = "id, execution_id, repository, status, total, retained, log, started_at, ended_at"

    // MARK: Policies

    /// Stores a project's policy and records its id as the project's `retention_id`; `MetadataConflict` when the
    /// project has one.
    public func create(_ policy: RetentionPolicyRecord) async throws -> RetentionPolicyRecord {
        let rules = try Self.json(policy.rules)
        return try await SQLAccessStore.unique("the project has a retention policy already; change it with PUT /retentions/{id}") {
            try await provider.transaction { db in
                guard let row = try await db.raw("""
                    INSERT INTO retention_policies (project_id, rules, cron, created_at, updated_at)
                    VALUES (\(bind: policy.projectID), \(bind: rules), \(bind: policy.cron), \(bind: policy.createdAt), \(bind: policy.updatedAt))
                    RETURNING id
                    """).first() else { throw MetadataError.inconsistent("retention policy insert returned no id") }
                var created = policy
                created.id = try row.decode(column: "id", as: Int64.self)
                try await Self.setRetentionID(created.id, projectID: policy.projectID, on: db)
                return created
            }
        }
    }

    /// One policy.
    public func policy(id: Int64) async throws -> RetentionPolicyRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.policyColumns) FROM retention_policies WHERE id = \(bind: id)").first().map(Self.policy)
        }
    }

    /// The policy of a project.
    public func policy(projectID: Int64) async throws -> RetentionPolicyRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.policyColumns) FROM retention_policies WHERE project_id = \(bind: projectID)").first().map(Self.policy)
        }
    }

    /// Replaces a policy's rules and schedule; false when it does not exist.
    public func update(_ policy: RetentionPolicyRecord) async throws -> Bool {
        let rules = try Self.json(policy.rules)
        return try await provider.write { db in
            try await db.raw("""
                UPDATE retention_policies SET rules = \(bind: rules), cron = \(bind: policy.cron), updated_at = \(bind: policy.updatedAt)
                WHERE id = \(bind: policy.id) RETURNING id
                """).all().count > 0
        }
    }

    /// Deletes a policy with its runs, and the project's `retention_id`; false when it did not exist.
    public func delete(id: Int64) async throws -> Bool {
        try await provider.transaction { db in
            guard let row = try await db.raw("DELETE FROM retention_policies WHERE id = \(bind: id) RETURNING project_id").first() else { return false }
            try await Self.setRetentionID(nil, projectID: try row.decode(column: "project_id", as: Int64.self), on: db)
            return true
        }
    }

    /// Writes (or removes) `retention_id` in the project's metadata, inside the caller's transaction.
    static func setRetentionID(_ id: Int64?, projectID: Int64, on db: any SQLDatabase) async throws {
        guard let row = try await db.raw("SELECT metadata FROM projects WHERE id = \(bind: projectID)").first() else { return }
        var metadata = (try? JSONDecoder().decode([String: String].self, from: Data(try row.decode(column: "metadata", as: String.self).utf8))) ?? [:]
        metadata["retention_id"] = id.map(String.init)
        let text = String(decoding: try JSONEncoder.sorted.encode(metadata), as: UTF8.self)
        try await db.raw("UPDATE projects SET metadata = \(bind: text) WHERE id = \(bind: projectID)").run()
    }

    // MARK: Runs

    /// Records a run that starts now.
    public func startExecution(policyID: Int64, trigger: String, dryRun: Bool, now: Int64) async throws -> RetentionExecutionRecord {
        try await provider.write { db in
            guard let row = try await db.raw("""
                INSERT INTO retention_executions (policy_id, trigger_type, dry_run, status, started_at)
                VALUES (\(bind: policyID), \(bind: trigger), \(bind: dryRun ? 1 : 0), 'Running', \(bind: now))
                RETURNING \(unsafeRaw: Self.executionColumns)
                """).first() else { throw MetadataError.inconsistent("retention execution insert returned no row") }
            return try Self.execution(row)
        }
    }

    /// One run.
    public func execution(id: Int64) async throws -> RetentionExecutionRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.executionColumns) FROM retention_executions WHERE id = \(bind: id)").first().map(Self.execution)
        }
    }

    /// One run of a policy.
    public func execution(id: Int64, policyID: Int64) async throws -> RetentionExecutionRecord? {
        try await provider.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.executionColumns) FROM retention_executions WHERE id = \(bind: id) AND policy_id = \(bind: policyID)
                """).first().map(Self.execution)
        }
    }

    /// A policy's runs, newest first.
    public func executions(policyID: Int64, offset: Int, limit: Int) async throws -> ListPage<RetentionExecutionRecord> {
        try await provider.read { db in
            let total = try await db.raw("SELECT COUNT(*) AS n FROM retention_executions WHERE policy_id = \(bind: policyID)").first()?
                .decode(column: "n", as: Int.self) ?? 0
            let rows = try await db.raw("""
                SELECT \(unsafeRaw: Self.executionColumns) FROM retention_executions WHERE policy_id = \(bind: policyID)
                ORDER BY id DESC LIMIT \(bind: limit) OFFSET \(bind: offset)
                """).all()
            return ListPage(items: try rows.map(Self.execution), total: total)
        }
    }

    /// Asks a running run to stop; false when it is not running.
    public func requestStop(id: Int64, policyID: Int64) async throws -> Bool {
        try await provider.write { db in
            try await db.raw("""
                UPDATE retention_executions SET stop_requested = 1 WHERE id = \(bind: id) AND policy_id = \(bind: policyID) AND status = 'Running'
                RETURNING id
                """).all().count > 0
        }
    }

    /// Whether a stop was asked for.
    public func stopRequested(executionID: Int64) async throws -> Bool {
        try await provider.read { db in
            try await db.raw("SELECT stop_requested FROM retention_executions WHERE id = \(bind: executionID)").first()?
                .decode(column: "stop_requested", as: Int.self) != 0
        }
    }

    /// Ends a run with `status`.
    public func finishExecution(id: Int64, status: String, now: Int64) async throws {
        try await provider.write { db in
            try await db.raw("""
                UPDATE retention_executions SET status = \(bind: status), ended_at = \(bind: now) WHERE id = \(bind: id) AND status = 'Running'
                """).run()
        }
    }

    /// Records a repository's task as it starts.
    public func startTask(executionID: Int64, repository: String, now: Int64) async throws -> Int64 {
        try await provider.write { db in
            guard let row = try await db.raw("""
                INSERT INTO retention_tasks (execution_id, repository, status, started_at)
                VALUES (\(bind: executionID), \(bind: repository), 'Running', \(bind: now)) RETURNING id
                """).first() else { throw MetadataError.inconsistent("retention task insert returned no id") }
            return try row.decode(column: "id", as: Int64.self)
        }
    }

    /// Ends a task with what it did (the log is kept to its last 1 MiB).
    public func finishTask(id: Int64, status: String, total: Int, retained: Int, log: String, now: Int64) async throws {
        let kept = log.utf8.count > 1 << 20 ? "…\n" + String(decoding: Array(log.utf8.suffix(1 << 20)), as: UTF8.self) : log
        try await provider.write { db in
            try await db.raw("""
                UPDATE retention_tasks SET status = \(bind: status), total = \(bind: total), retained = \(bind: retained), log = \(bind: kept),
                    ended_at = \(bind: now) WHERE id = \(bind: id)
                """).run()
        }
    }

    /// A run's tasks, oldest first.
    public func tasks(executionID: Int64, offset: Int, limit: Int) async throws -> ListPage<RetentionTaskRecord> {
        try await provider.read { db in
            let total = try await db.raw("SELECT COUNT(*) AS n FROM retention_tasks WHERE execution_id = \(bind: executionID)").first()?
                .decode(column: "n", as: Int.self) ?? 0
            let rows = try await db.raw("""
                SELECT \(unsafeRaw: Self.taskColumns) FROM retention_tasks WHERE execution_id = \(bind: executionID)
                ORDER BY id LIMIT \(bind: limit) OFFSET \(bind: offset)
                """).all()
            return ListPage(items: try rows.map(Self.task), total: total)
        }
    }

    /// One task of a run.
    public func task(id: Int64, executionID: Int64) async throws -> RetentionTaskRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.taskColumns) FROM retention_tasks WHERE id = \(bind: id) AND execution_id = \(bind: executionID)")
                .first().map(Self.task)
        }
    }

    // MARK: What a run looks at

    /// The repositories of a project, by name.
    public func repositories(project: String) async throws -> [(id: Int64, name: String)] {
        try await provider.read { db in
            try await db.raw("SELECT id, name FROM repositories WHERE project_name = \(bind: project) ORDER BY name").all().map {
                (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "name", as: String.self))
            }
        }
    }

    /// The artifacts a run decides about in a repository: manifests no index of the repository references and that
    /// have no subject, with their tags, push and pull times.
    public func candidates(repositoryID: Int64) async throws -> [RetentionCandidate] {
        try await provider.read { db in
            let rows = try await db.raw("""
                SELECT m.digest, m.created_at, m.pull_time FROM manifests m
                WHERE m.repository_id = \(bind: repositoryID) AND m.subject_digest IS NULL
                AND NOT EXISTS (SELECT 1 FROM manifest_references r JOIN manifests p ON p.id = r.manifest_id
                                WHERE p.repository_id = m.repository_id AND r.digest = m.digest AND r.is_manifest = 1)
                ORDER BY m.id
                """).all()
            var tags: [String: [String]] = [:]
            for row in try await db.raw("SELECT name, manifest_digest FROM tags WHERE repository_id = \(bind: repositoryID) ORDER BY name").all() {
                tags[try row.decode(column: "manifest_digest", as: String.self), default: []].append(try row.decode(column: "name", as: String.self))
            }
            return try rows.map { row in
                let digest = try row.decode(column: "digest", as: String.self)
                return RetentionCandidate(digest: digest, pushedAt: try row.decode(column: "created_at", as: Int64.self),
                                          pulledAt: try row.decode(column: "pull_time", as: Int64?.self), tags: tags[digest] ?? [])
            }
        }
    }

    static func json(_ rules: [RetentionRule]) throws -> String {
        String(decoding: try JSONEncoder.sorted.encode(rules), as: UTF8.self)
    }

    static func policy(_ row: any SQLRow) throws -> RetentionPolicyRecord {
        RetentionPolicyRecord(
            id: try row.decode(column: "id", as: Int64.self), projectID: try row.decode(column: "project_id", as: Int64.self),
            rules: try JSONDecoder().decode([RetentionRule].self, from: Data(try row.decode(column: "rules", as: String.self).utf8)),
            cron: try row.decode(column: "cron", as: String.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }

    static func execution(_ row: any SQLRow) throws -> RetentionExecutionRecord {
        RetentionExecutionRecord(
            id: try row.decode(column: "id", as: Int64.self), policyID: try row.decode(column: "policy_id", as: Int64.self),
            trigger: try row.decode(column: "trigger_type", as: String.self), dryRun: try row.decode(column: "dry_run", as: Int.self) != 0,
            status: try row.decode(column: "status", as: String.self), stopRequested: try row.decode(column: "stop_requested", as: Int.self) != 0,
            startedAt: try row.decode(column: "started_at", as: Int64.self), endedAt: try row.decode(column: "ended_at", as: Int64?.self))
    }

    static func task(_ row: any SQLRow) throws -> RetentionTaskRecord {
        RetentionTaskRecord(
            id: try row.decode(column: "id", as: Int64.self), executionID: try row.decode(column: "execution_id", as: Int64.self),
            repository: try row.decode(column: "repository", as: String.self), status: try row.decode(column: "status", as: String.self),
            total: try row.decode(column: "total", as: Int.self), retained: try row.decode(column: "retained", as: Int.self),
            log: try row.decode(column: "log", as: String.self), startedAt: try row.decode(column: "started_at", as: Int64.self),
            endedAt: try row.decode(column: "ended_at", as: Int64?.self))
    }
}
