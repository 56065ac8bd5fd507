import APIInput
import Foundation
import SQLKit

/// The queue job kinds of replication.
public enum ReplicationJobKind {
    /// Lists what an execution copies and adds its tasks (payload `{"execution_id":N}`, or `{"policy_id":N}` from a schedule).
    public static let execution = "replication-execution"
    /// Copies or deletes one artifact (payload `{"task_id":N}`).
    public static let task = "replication-task"
    /// Attempts of a task job (each continues where the last one stopped).
    public static let taskAttempts = 5
}

/// Replication policies, executions and tasks in SQL. Changes that start work enqueue their jobs in the same
/// transaction, and a task's end decides its execution's status in the same transaction, so no run is left
/// "in progress" by a crash between the two.
public struct SQLReplicationStore: Sendable {
    let provider: any SQLDatabaseProvider

    /// Uses the given (migrated) database.
    public init(provider: any SQLDatabaseProvider) { self.provider = provider }

    // MARK: - Policies

    static let policyColumns = """
        id, name, description, src_registry_id, dest_registry_id, dest_namespace, dest_namespace_replace_count, trigger_type, cron, filters,
        replicate_deletion, override, enabled, speed_kbps, copy_by_chunk, single_active, created_at, updated_at
        """

    /// A page of policies by name, optionally of those whose name contains `nameContaining` (any case).
    public func policies(nameContaining: String?, offset: Int, limit: Int) async throws -> ListPage<ReplicationPolicyRecord> {
        try await provider.read { db in
            var filter = SQLQueryString("")
            if let nameContaining, !nameContaining.isEmpty {
                let escaped = nameContaining.lowercased().replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_")
                filter = SQLQueryString(" WHERE lower(name) LIKE \(bind: "%" + escaped + "%") ESCAPE '\\'")
            }
            let total = try await db.raw("SELECT COUNT(*) AS n FROM replication_policies" + filter).first()?.decode(column: "n", as: Int.self) ?? 0
            let rows = try await db.raw("SELECT \(unsafeRaw: Self.policyColumns) FROM replication_policies" + filter
                                        + SQLQueryString(" ORDER BY name, id LIMIT \(literal: limit) OFFSET \(literal: offset)")).all()
            return ListPage(items: try rows.map(Self.policy), total: total)
        }
    }

    /// A policy by id.
    public func policy(id: Int64) async throws -> ReplicationPolicyRecord? {
        try await provider.read { db in try await Self.policy(id: id, on: db) }
    }

    static func policy(id: Int64, on db: any SQLDatabase) async throws -> ReplicationPolicyRecord? {
        try await db.raw("SELECT \(unsafeRaw: policyColumns) FROM replication_policies WHERE id = \(bind: id)").first().map(policy)
    }

    /// The enabled event-based policies (read by the event subscriber on its transaction).
    public static func eventPolicies(on db: any SQLDatabase) async throws -> [ReplicationPolicyRecord] {
        try await db.raw("""
            SELECT \(unsafeRaw: policyColumns) FROM replication_policies WHERE enabled = 1 AND trigger_type = 'event_based'
            """).all().map(policy)
    }

    /// How many policies use remote registry `id`.
    public func policies(usingRegistry id: Int64) async throws -> Int {
        try await provider.read { db in
            try await db.raw("""
                SELECT COUNT(*) AS n FROM replication_policies WHERE src_registry_id = \(bind: id) OR dest_registry_id = \(bind: id)
                """).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// Adds a policy (and its schedule when `nextRunAt` is given); nil when the name is taken.
    public func create(_ record: ReplicationPolicyRecord, nextRunAt: Int64?) async throws -> ReplicationPolicyRecord? {
        try await provider.transaction { db in
            if try await db.raw("SELECT id FROM replication_policies WHERE name = \(bind: record.name)").first() != nil { return nil }
            guard let row = try await db.raw("""
                INSERT INTO replication_policies (name, description, src_registry_id, dest_registry_id, dest_namespace, dest_namespace_replace_count,
                    trigger_type, cron, filters, replicate_deletion, override, enabled, speed_kbps, copy_by_chunk, single_active, created_at, updated_at)
                VALUES (\(bind: record.name), \(bind: record.description), \(bind: record.sourceRegistryID), \(bind: record.destinationRegistryID),
                    \(bind: record.destinationNamespace), \(bind: record.replaceCount), \(bind: record.triggerType), \(bind: record.cron),
                    \(bind: record.filters), \(bind: record.replicateDeletion ? 1 : 0), \(bind: record.override ? 1 : 0), \(bind: record.enabled ? 1 : 0),
                    \(bind: record.speedKBps), \(bind: record.copyByChunk ? 1 : 0), \(bind: record.singleActive ? 1 : 0), \(bind: record.createdAt),
                    \(bind: record.updatedAt))
                RETURNING id
                """).first() else { throw MetadataError.inconsistent("policy insert returned no id") }
            var created = record
            created.id = try row.decode(column: "id", as: Int64.self)
            try await Self.setSchedule(of: created, nextRunAt: nextRunAt, now: record.updatedAt, on: db)
            return created
        }
    }

    /// Replaces a policy's settings (and its schedule); false when the new name is another policy's.
    public func update(_ record: ReplicationPolicyRecord, nextRunAt: Int64?) async throws -> Bool {
        try await provider.transaction { db in
            if try await db.raw("SELECT id FROM replication_policies WHERE name = \(bind: record.name) AND id <> \(bind: record.id)").first() != nil {
                return false
            }
            try await db.raw("""
                UPDATE replication_policies SET name = \(bind: record.name), description = \(bind: record.description),
                    src_registry_id = \(bind: record.sourceRegistryID), dest_registry_id = \(bind: record.destinationRegistryID),
                    dest_namespace = \(bind: record.destinationNamespace), dest_namespace_replace_count = \(bind: record.replaceCount),
                    trigger_type = \(bind: record.triggerType), cron = \(bind: record.cron), filters = \(bind: record.filters),
                    replicate_deletion = \(bind: record.replicateDeletion ? 1 : 0), override = \(bind: record.override ? 1 : 0),
                    enabled = \(bind: record.enabled ? 1 : 0), speed_kbps = \(bind: record.speedKBps), copy_by_chunk = \(bind: record.copyByChunk ? 1 : 0),
                    single_active = \(bind: record.singleActive ? 1 : 0), updated_at = \(bind: record.updatedAt)
                WHERE id = \(bind: record.id)
                """).run()
            try await Self.setSchedule(of: record, nextRunAt: nextRunAt, now: record.updatedAt, on: db)
            return true
        }
    }

    /// Removes a policy with its executions and schedule; false while one of its executions is in progress.
    public func delete(id: Int64) async throws -> Bool {
        try await provider.transaction { db in
            if try await db.raw("""
                SELECT id FROM replication_executions WHERE policy_id = \(bind: id) AND status = 'InProgress'
                """).first() != nil { return false }
            try await db.raw("DELETE FROM schedules WHERE name = \(bind: ReplicationPolicyRecord.scheduleName(id))").run()
            try await db.raw("DELETE FROM replication_tasks WHERE execution_id IN (SELECT id FROM replication_executions WHERE policy_id = \(bind: id))").run()
            try await db.raw("DELETE FROM replication_executions WHERE policy_id = \(bind: id)").run()
            try await db.raw("DELETE FROM replication_policies WHERE id = \(bind: id)").run()
            return true
        }
    }

    /// Keeps the job schedule in step with the policy: present (due at `nextRunAt`) for an enabled scheduled policy,
    /// absent otherwise. An unchanged cron keeps its due time.
    static func setSchedule(of policy: ReplicationPolicyRecord, nextRunAt: Int64?, now: Int64, on db: any SQLDatabase) async throws {
        let name = policy.scheduleName
        guard let nextRunAt, policy.enabled, policy.triggerType == "scheduled" else {
            try await db.raw("DELETE FROM schedules WHERE name = \(bind: name)").run()
            return
        }
        let payload = #"{"policy_id":\#(policy.id)}"#
        if let row = try await db.raw("SELECT cron FROM schedules WHERE name = \(bind: name)").first(),
           try row.decode(column: "cron", as: String.self) == policy.cron {
            return
        }
        try await db.raw("""
            INSERT INTO schedules (name, kind, cron, payload, paused, next_run_at, updated_at)
            VALUES (\(bind: name), \(bind: ReplicationJobKind.execution), \(bind: policy.cron), \(bind: payload), 0, \(bind: nextRunAt), \(bind: now))
            ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, cron = excluded.cron, payload = excluded.payload, paused = 0,
                next_run_at = excluded.next_run_at, updated_at = excluded.updated_at
            """).run()
    }

    static func policy(_ row: any SQLRow) throws -> ReplicationPolicyRecord {
        ReplicationPolicyRecord(
            id: try row.decode(column: "id", as: Int64.self), name: try row.decode(column: "name", as: String.self),
            description: try row.decode(column: "description", as: String.self),
            sourceRegistryID: try row.decode(column: "src_registry_id", as: Int64?.self),
            destinationRegistryID: try row.decode(column: "dest_registry_id", as: Int64?.self),
            destinationNamespace: try row.decode(column: "dest_namespace", as: String.self),
            replaceCount: try row.decode(column: "dest_namespace_replace_count", as: Int.self),
            triggerType: try row.decode(column: "trigger_type", as: String.self), cron: try row.decode(column: "cron", as: String.self),
            filters: try row.decode(column: "filters", as: String.self),
            replicateDeletion: try row.decode(column: "replicate_deletion", as: Int.self) != 0,
            override: try row.decode(column: "override", as: Int.self) != 0, enabled: try row.decode(column: "enabled", as: Int.self) != 0,
            speedKBps: try row.decode(column: "speed_kbps", as: Int.self), copyByChunk: try row.decode(column: "copy_by_chunk", as: Int.self) != 0,
            singleActive: try row.decode(column: "single_active", as: Int.self) != 0,
            createdAt: try row.decode(column: "created_at", as: Int64.self), updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }
}

/// An artifact of this registry as replication lists it.
public struct LocalArtifact: Sendable, Equatable {
    /// Its repository.
    public var repository: String
    /// Its digest.
    public var digest: String
    /// Its manifest's media type.
    public var mediaType: String
    /// Its artifact type, when it declares one.
    public var artifactType: String?
    /// Its tags.
    public var tags: [String]
}

extension SQLReplicationStore {
    /// The artifacts of this registry that replication copies: every manifest except an index's children and
    /// referrers (both travel with the artifact they belong to), with their tags; optionally of one repository.
    public func localArtifacts(repository: String? = nil) async throws -> [LocalArtifact] {
        try await provider.read { db in
            let condition = repository.map { SQLQueryString(" AND r.name = \(bind: $0)") } ?? SQLQueryString("")
            var tags: [String: [String]] = [:]
            for row in try await db.raw("""
                SELECT r.name AS repository, t.name AS tag, t.manifest_digest AS digest FROM tags t JOIN repositories r ON r.id = t.repository_id
                WHERE 1 = 1\(condition) ORDER BY t.name
                """).all() {
                let key = try row.decode(column: "repository", as: String.self) + "@" + (try row.decode(column: "digest", as: String.self))
                tags[key, default: []].append(try row.decode(column: "tag", as: String.self))
            }
            return try await db.raw("""
                SELECT r.name AS repository, m.digest, m.media_type, m.artifact_type FROM manifests m JOIN repositories r ON r.id = m.repository_id
                WHERE m.subject_digest IS NULL\(condition)
                  AND NOT EXISTS (SELECT 1 FROM manifest_references mr JOIN manifests parent ON parent.id = mr.manifest_id
                                  WHERE parent.repository_id = m.repository_id AND mr.digest = m.digest AND mr.is_manifest = 1)
                ORDER BY r.name, m.id
                """).all().map { row in
                let repository = try row.decode(column: "repository", as: String.self)
                let digest = try row.decode(column: "digest", as: String.self)
                return LocalArtifact(repository: repository, digest: digest, mediaType: try row.decode(column: "media_type", as: String.self),
                                     artifactType: try row.decode(column: "artifact_type", as: String?.self), tags: tags[repository + "@" + digest] ?? [])
            }
        }
    }
}
