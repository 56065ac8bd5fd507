import Foundation
import SQLKit

/// Webhook policies, executions and tasks on SQL (SQLite and PostgreSQL alike).
public struct SQLWebhookStore: Sendable {
    let provider: any SQLDatabaseProvider

    /// Uses the given (migrated) database.
    public init(provider: any SQLDatabaseProvider) { self.provider = provider }

    static let policyColumns = "id, project_id, name, description, enabled, event_types, targets, creator, created_at, updated_at"
    static let policyListing = SQLListing(columns: [
        "name": ("name", .text), "enabled": ("enabled", .boolean), "creator": ("creator", .text),
        "creation_time": ("created_at", .integer), "update_time": ("updated_at", .integer),
    ], defaultOrder: "id")

    // MARK: Policies

    /// Stores a new policy; throws `MetadataConflict` when the project has one of that name.
    public func createPolicy(_ policy: WebhookPolicyRecord) async throws -> WebhookPolicyRecord {
        try await SQLAccessStore.unique("webhook policy \(policy.name) already exists in this project") {
            try await provider.write { db in
                guard let row = try await db.raw("""
                    INSERT INTO webhook_policies (project_id, name, description, enabled, event_types, targets, creator, created_at, updated_at)
                    VALUES (\(bind: policy.projectID), \(bind: policy.name), \(bind: policy.description), \(bind: policy.enabled ? 1 : 0),
                            \(bind: try Self.json(policy.eventTypes)), \(bind: try Self.json(policy.targets)), \(bind: policy.creator),
                            \(bind: policy.createdAt), \(bind: policy.updatedAt))
                    RETURNING id
                    """).first() else { throw MetadataError.inconsistent("webhook policy insert returned no id") }
                var created = policy
                created.id = try row.decode(column: "id", as: Int64.self)
                return created
            }
        }
    }

    /// A project's policies.
    public func policies(projectID: Int64, _ query: ListQuery) async throws -> ListPage<WebhookPolicyRecord> {
        try await provider.read { db in
            try await SQLAccessStore.page(db, select: Self.policyColumns, from: "webhook_policies", where: "project_id = \(bind: projectID)",
                                          listing: Self.policyListing, query: query, map: Self.policy)
        }
    }

    /// One policy of the project.
    public func policy(id: Int64, projectID: Int64) async throws -> WebhookPolicyRecord? {
        try await provider.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.policyColumns) FROM webhook_policies WHERE id = \(bind: id) AND project_id = \(bind: projectID)
                """).first().map(Self.policy)
        }
    }

    /// Replaces a policy's settings (not its project, creator or creation time); false when it does not exist.
    public func updatePolicy(_ policy: WebhookPolicyRecord) async throws -> Bool {
        try await SQLAccessStore.unique("webhook policy \(policy.name) already exists in this project") {
            try await provider.write { db in
                try await db.raw("""
                    UPDATE webhook_policies SET name = \(bind: policy.name), description = \(bind: policy.description),
                        enabled = \(bind: policy.enabled ? 1 : 0), event_types = \(bind: try Self.json(policy.eventTypes)),
                        targets = \(bind: try Self.json(policy.targets)), updated_at = \(bind: policy.updatedAt)
                    WHERE id = \(bind: policy.id) AND project_id = \(bind: policy.projectID) RETURNING id
                    """).all().count > 0
            }
        }
    }

    /// Deletes a policy with its executions and tasks; false when it did not exist.
    public func deletePolicy(id: Int64, projectID: Int64) async throws -> Bool {
        // A transaction, so PostgreSQL's deadlock abort (the cascade over executions and tasks against a delivery job
        // recording its attempts) is retried instead of failing the request.
        try await provider.transaction { db in
            try await db.raw("DELETE FROM webhook_policies WHERE id = \(bind: id) AND project_id = \(bind: projectID) RETURNING id").all().count > 0
        }
    }

    /// The enabled policies of these projects (inside the caller's transaction: the webhook subscriber's).
    public static func enabledPolicies(projectIDs: [Int64], on db: any SQLDatabase) async throws -> [WebhookPolicyRecord] {
        guard !projectIDs.isEmpty else { return [] }
        return try await db.raw("""
            SELECT \(unsafeRaw: policyColumns) FROM webhook_policies WHERE enabled = 1 AND project_id IN (\(binds: projectIDs)) ORDER BY id
            """).all().map(policy)
    }

    /// Per policy of the project and event type it subscribes to: when it was last triggered.
    public func lastTriggers(projectID: Int64) async throws -> [WebhookLastTrigger] {
        try await provider.read { db in
            let policies = try await db.raw("""
                SELECT \(unsafeRaw: Self.policyColumns) FROM webhook_policies WHERE project_id = \(bind: projectID) ORDER BY id
                """).all().map(Self.policy)
            guard !policies.isEmpty else { return [] }
            var last: [String: Int64] = [:]
            for row in try await db.raw("""
                SELECT policy_id, event_type, MAX(started_at) AS at FROM webhook_executions
                WHERE policy_id IN (\(binds: policies.map(\.id))) GROUP BY policy_id, event_type
                """).all() {
                let key = "\(try row.decode(column: "policy_id", as: Int64.self)) \(try row.decode(column: "event_type", as: String.self))"
                last[key] = try row.decode(column: "at", as: Int64?.self)
            }
            return policies.flatMap { policy in
                policy.eventTypes.map {
                    WebhookLastTrigger(policyName: policy.name, eventType: $0, enabled: policy.enabled, createdAt: policy.createdAt,
                                       lastTriggeredAt: last["\(policy.id) \($0)"])
                }
            }
        }
    }

    /// Name and publicity of these projects, by id (inside the caller's transaction).
    public static func projectFacts(ids: [Int64], on db: any SQLDatabase) async throws -> [Int64: (name: String, isPublic: Bool)] {
        guard !ids.isEmpty else { return [:] }
        var facts: [Int64: (name: String, isPublic: Bool)] = [:]
        for row in try await db.raw("SELECT id, name, public FROM projects WHERE id IN (\(binds: ids))").all() {
            facts[try row.decode(column: "id", as: Int64.self)] = (try row.decode(column: "name", as: String.self),
                                                                   try row.decode(column: "public", as: Int.self) != 0)
        }
        return facts
    }

    /// Creation times of these repositories that still exist, by name (inside the caller's transaction).
    public static func repositoryCreationTimes(names: [String], on db: any SQLDatabase) async throws -> [String: Int64] {
        guard !names.isEmpty else { return [:] }
        var times: [String: Int64] = [:]
        for row in try await db.raw("SELECT name, created_at FROM repositories WHERE name IN (\(binds: names))").all() {
            times[try row.decode(column: "name", as: String.self)] = try row.decode(column: "created_at", as: Int64.self)
        }
        return times
    }

    // MARK: Executions and tasks

    /// One execution to record: a policy, the event, and the bodies for its targets.
    public struct NewExecution: Sendable {
        /// The policy.
        public var policyID: Int64
        /// The event's UUID.
        public var eventID: String
        /// The event's type.
        public var eventType: String
        /// Each target with the body it is sent.
        public var tasks: [(WebhookTarget, String)]

        /// Creates one.
        public init(policyID: Int64, eventID: String, eventType: String, tasks: [(WebhookTarget, String)]) {
            self.policyID = policyID
            self.eventID = eventID
            self.eventType = eventType
            self.tasks = tasks
        }
    }

    /// Records many executions with their pending tasks in a few multi-row statements (inside the caller's
    /// transaction); executions already recorded for their (policy, event) are skipped. Returns the new tasks' ids.
    public static func createExecutions(_ executions: [NewExecution], now: Int64, on db: any SQLDatabase) async throws -> [Int64] {
        var taskIDs: [Int64] = []
        for batch in stride(from: 0, to: executions.count, by: 100).map({ executions[$0 ..< min($0 + 100, executions.count)] }) {
            let values = batch.map {
                SQLQueryString("(\(bind: $0.policyID), \(bind: $0.eventID), \(bind: $0.eventType), \(bind: WebhookStatus.pending.rawValue), \(bind: now))")
            }
            var created: [String: Int64] = [:]
            for row in try await db.raw("""
                INSERT INTO webhook_executions (policy_id, event_id, event_type, status, started_at) VALUES \(values.joined(separator: ", "))
                ON CONFLICT (policy_id, event_id) DO NOTHING
                RETURNING id, policy_id, event_id
                """).all() {
                created["\(try row.decode(column: "policy_id", as: Int64.self)) \(try row.decode(column: "event_id", as: String.self))"] =
                    try row.decode(column: "id", as: Int64.self)
            }
            var tasks: [SQLQueryString] = []
            for execution in batch {
                guard let id = created["\(execution.policyID) \(execution.eventID)"] else { continue }
                for (target, body) in execution.tasks {
                    tasks.append("""
                        (\(bind: id), \(bind: target.type), \(bind: target.address), \(bind: target.payloadFormat), \(bind: target.authHeader),
                         \(bind: target.skipCertVerify ? 1 : 0), \(bind: body), \(bind: WebhookStatus.pending.rawValue), 0, '', \(bind: now), \(bind: now))
                        """)
                }
            }
            for chunk in stride(from: 0, to: tasks.count, by: 100).map({ tasks[$0 ..< min($0 + 100, tasks.count)] }) {
                taskIDs += try await db.raw("""
                    INSERT INTO webhook_tasks (execution_id, target_type, address, payload_format, auth_header, skip_cert_verify, body, status,
                                               run_count, log, created_at, updated_at)
                    VALUES \(chunk.joined(separator: ", "))
                    RETURNING id
                    """).all().map { try $0.decode(column: "id", as: Int64.self) }
            }
        }
        return taskIDs
    }

    static let executionColumns = """
        e.id, e.policy_id, e.event_id, e.event_type, e.status, e.started_at, e.ended_at,
        (SELECT COUNT(*) FROM webhook_tasks t WHERE t.execution_id = e.id) AS task_total,
        (SELECT COUNT(*) FROM webhook_tasks t WHERE t.execution_id = e.id AND t.status = 'Success') AS task_success,
        (SELECT COUNT(*) FROM webhook_tasks t WHERE t.execution_id = e.id AND t.status = 'Error') AS task_error,
        (SELECT COUNT(*) FROM webhook_tasks t WHERE t.execution_id = e.id AND t.status = 'Pending') AS task_pending,
        (SELECT COUNT(*) FROM webhook_tasks t WHERE t.execution_id = e.id AND t.status = 'Running') AS task_running,
        (SELECT COUNT(*) FROM webhook_tasks t WHERE t.execution_id = e.id AND t.status = 'Stopped') AS task_stopped
        """
    static let executionListing = SQLListing(columns: [
        "status": ("e.status", .text), "event_type": ("e.event_type", .text), "start_time": ("e.started_at", .integer),
        "id": ("e.id", .integer),
    ], defaultOrder: "e.id DESC")

    /// A policy's executions, newest first.
    public func executions(policyID: Int64, _ query: ListQuery) async throws -> ListPage<WebhookExecutionRecord> {
        try await provider.read { db in
            try await SQLAccessStore.page(db, select: Self.executionColumns, from: "webhook_executions e", where: "e.policy_id = \(bind: policyID)",
                                          listing: Self.executionListing, query: query, map: Self.execution)
        }
    }

    /// One execution of the policy.
    public func execution(id: Int64, policyID: Int64) async throws -> WebhookExecutionRecord? {
        try await provider.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.executionColumns) FROM webhook_executions e WHERE e.id = \(bind: id) AND e.policy_id = \(bind: policyID)
                """).first().map(Self.execution)
        }
    }

    static let taskColumns = """
        id, execution_id, target_type, address, payload_format, auth_header, skip_cert_verify, body, status, status_code, run_count, log,
        created_at, updated_at, started_at, ended_at
        """
    static let taskListing = SQLListing(columns: [
        "status": ("status", .text), "id": ("id", .integer), "creation_time": ("created_at", .integer),
    ], defaultOrder: "id")

    /// An execution's tasks.
    public func tasks(executionID: Int64, _ query: ListQuery) async throws -> ListPage<WebhookTaskRecord> {
        try await provider.read { db in
            try await SQLAccessStore.page(db, select: Self.taskColumns, from: "webhook_tasks", where: "execution_id = \(bind: executionID)",
                                          listing: Self.taskListing, query: query, map: Self.task)
        }
    }

    /// The tasks of every execution of a policy, newest first, with their execution's event type (Harbor's older
    /// `/webhook/jobs` view); only those in `statuses` when given.
    public func tasks(policyID: Int64, statuses: [String], _ query: ListQuery) async throws -> ListPage<(task: WebhookTaskRecord, eventType: String)> {
        var condition = SQLQueryString("t.execution_id IN (SELECT id FROM webhook_executions WHERE policy_id = \(bind: policyID))")
        if !statuses.isEmpty { condition = condition + SQLQueryString(" AND t.status IN (\(binds: statuses))") }
        let filtered = condition
        let columns = Self.taskColumns.split(separator: ",").map { "t." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")
        return try await provider.read { db in
            try await SQLAccessStore.page(
                db, select: columns + ", (SELECT event_type FROM webhook_executions e WHERE e.id = t.execution_id) AS event_type",
                from: "webhook_tasks t", where: filtered,
                listing: SQLListing(columns: ["status": ("t.status", .text), "id": ("t.id", .integer)], defaultOrder: "t.id DESC"), query: query,
                map: { (task: try Self.task($0), eventType: try $0.decode(column: "event_type", as: String.self)) })
        }
    }

    /// One task by id (of `executionID` when given).
    public func task(id: Int64, executionID: Int64? = nil) async throws -> WebhookTaskRecord? {
        try await provider.read { db in
            var sql = SQLQueryString("SELECT \(unsafeRaw: Self.taskColumns) FROM webhook_tasks WHERE id = \(bind: id)")
            if let executionID { sql = sql + SQLQueryString(" AND execution_id = \(bind: executionID)") }
            return try await db.raw(sql).first().map(Self.task)
        }
    }

    /// What one delivery attempt of a task came to.
    public struct Attempt: Sendable {
        /// The task.
        public var taskID: Int64
        /// Its new status (`running` while a retry will follow).
        public var status: WebhookStatus
        /// The receiver's HTTP status, if it answered.
        public var statusCode: Int?
        /// The log line of the attempt.
        public var logLine: String
        /// When the attempt started, ms since 1970.
        public var startedAt: Int64
        /// When to try again (for `running` tasks), ms since 1970.
        public var retryAt: Int64?

        /// Creates one.
        public init(taskID: Int64, status: WebhookStatus, statusCode: Int?, logLine: String, startedAt: Int64, retryAt: Int64?) {
            self.taskID = taskID
            self.status = status
            self.statusCode = statusCode
            self.logLine = logLine
            self.startedAt = startedAt
            self.retryAt = retryAt
        }
    }

    /// Deletes ended executions, with their tasks, beyond the newest `keep` of each policy (Harbor's execution
    /// sweep), at most `limit` per call; returns how many executions went. Running ones are never deleted.
    public func sweepExecutions(keep: Int, limit: Int = 1000) async throws -> Int {
        let keep = max(1, keep), limit = max(1, min(limit, 1000))
        return try await provider.transaction { db in
            // Per policy: the id of its keep-th newest execution, then its ended executions older than that (both on
            // the (policy_id, id) index), rather than ranking the whole table again for every batch.
            let policies = try await db.raw("SELECT id FROM webhook_policies ORDER BY id").all().map { try $0.decode(column: "id", as: Int64.self) }
            var ids: [Int64] = []
            for policy in policies where ids.count < limit {
                guard let cutoff = try await db.raw("""
                    SELECT id FROM webhook_executions WHERE policy_id = \(bind: policy) ORDER BY id DESC LIMIT 1 OFFSET \(bind: keep - 1)
                    """).first()?.decode(column: "id", as: Int64.self) else { continue }
                ids += try await db.raw("""
                    SELECT id FROM webhook_executions
                    WHERE policy_id = \(bind: policy) AND id < \(bind: cutoff) AND status NOT IN ('Pending', 'Running')
                    ORDER BY id LIMIT \(bind: limit - ids.count)
                    """).all().map { try $0.decode(column: "id", as: Int64.self) }
            }
            guard !ids.isEmpty else { return 0 }
            try await db.raw("DELETE FROM webhook_tasks WHERE execution_id IN (\(binds: ids))").run()
            try await db.raw("DELETE FROM webhook_executions WHERE id IN (\(binds: ids))").run()
            return ids.count
        }
    }

    /// The tasks with these ids that have not ended yet.
    public func openTasks(ids: [Int64]) async throws -> [WebhookTaskRecord] {
        guard !ids.isEmpty else { return [] }
        return try await provider.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.taskColumns) FROM webhook_tasks WHERE id IN (\(binds: ids)) AND status IN ('Pending', 'Running') ORDER BY id
                """).all().map(Self.task)
        }
    }

    /// Records a batch of attempts in one transaction: each task's status, status code, run count and log line; the
    /// status of every execution concerned, from all its tasks'; and one retry job (`retryKind`, payload
    /// `{"task_ids":[…]}`) per retry time for the tasks that will be tried again. Attempts on tasks that have already
    /// ended (a duplicate run) are ignored. Returns how many were recorded.
    @discardableResult
    public func recordAttempts(_ attempts: [Attempt], retryKind: String, jobAttempts: Int, now: Int64) async throws -> Int {
        guard !attempts.isEmpty else { return 0 }
        return try await provider.transaction { db in
            var executions = Set<Int64>()
            var updated = Set<Int64>()
            // One statement per 100 attempts (values joined in), rather than one per task.
            for batch in stride(from: 0, to: attempts.count, by: 100).map({ attempts[$0 ..< min($0 + 100, attempts.count)] }) {
                let values = batch.map { attempt in
                    SQLQueryString("""
                        (CAST(\(bind: attempt.taskID) AS BIGINT), CAST(\(bind: attempt.status.rawValue) AS TEXT), CAST(\(bind: attempt.statusCode) AS BIGINT),
                         CAST(\(bind: attempt.logLine + "\n") AS TEXT), CAST(\(bind: attempt.startedAt) AS BIGINT))
                        """)
                }
                for row in try await db.raw("""
                    UPDATE webhook_tasks SET status = v.column2, status_code = v.column3, run_count = run_count + 1, log = log || v.column4,
                        updated_at = \(bind: now), started_at = COALESCE(started_at, v.column5),
                        ended_at = CASE WHEN v.column2 IN ('Success', 'Error', 'Stopped') THEN \(bind: now) ELSE NULL END
                    FROM (VALUES \(values.joined(separator: ", "))) AS v
                    WHERE webhook_tasks.id = v.column1 AND webhook_tasks.status IN ('Pending', 'Running')
                    RETURNING id, execution_id
                    """).all() {
                    updated.insert(try row.decode(column: "id", as: Int64.self))
                    executions.insert(try row.decode(column: "execution_id", as: Int64.self))
                }
            }
            var retries: [Int64: [Int64]] = [:]
            for attempt in attempts where updated.contains(attempt.taskID) && !attempt.status.isFinal {
                if let at = attempt.retryAt { retries[at, default: []].append(attempt.taskID) }
            }
            guard !executions.isEmpty else { return 0 }
            // An execution runs while any task may still be sent, then failed if any task failed.
            try await db.raw("""
                UPDATE webhook_executions SET
                    status = CASE
                        WHEN EXISTS (SELECT 1 FROM webhook_tasks t WHERE t.execution_id = webhook_executions.id AND t.status IN ('Pending', 'Running')) THEN 'Running'
                        WHEN EXISTS (SELECT 1 FROM webhook_tasks t WHERE t.execution_id = webhook_executions.id AND t.status = 'Error') THEN 'Error'
                        WHEN EXISTS (SELECT 1 FROM webhook_tasks t WHERE t.execution_id = webhook_executions.id AND t.status = 'Stopped') THEN 'Stopped'
                        ELSE 'Success' END,
                    ended_at = CASE
                        WHEN EXISTS (SELECT 1 FROM webhook_tasks t WHERE t.execution_id = webhook_executions.id AND t.status IN ('Pending', 'Running')) THEN NULL
                        ELSE \(bind: now) END
                WHERE id IN (\(binds: Array(executions)))
                """).run()
            for (at, ids) in retries {
                try await SQLJobStore.enqueue(kind: retryKind, payloads: [Self.taskList(ids)], runAt: at, maxAttempts: jobAttempts, now: now, on: db)
            }
            return executions.count
        }
    }

    /// The payload of a delivery job: `{"task_ids":[…]}`.
    public static func taskList(_ ids: [Int64]) -> String {
        #"{"task_ids":["# + ids.map(String.init).joined(separator: ",") + "]}"
    }

    // MARK: Rows

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: Data(text.utf8))
    }

    static func policy(_ row: any SQLRow) throws -> WebhookPolicyRecord {
        WebhookPolicyRecord(
            id: try row.decode(column: "id", as: Int64.self), projectID: try row.decode(column: "project_id", as: Int64.self),
            name: try row.decode(column: "name", as: String.self), description: try row.decode(column: "description", as: String.self),
            enabled: try row.decode(column: "enabled", as: Int.self) != 0,
            eventTypes: try decode([String].self, try row.decode(column: "event_types", as: String.self)),
            targets: try decode([WebhookTarget].self, try row.decode(column: "targets", as: String.self)),
            creator: try row.decode(column: "creator", as: String.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }

    static func execution(_ row: any SQLRow) throws -> WebhookExecutionRecord {
        var counts: [WebhookStatus: Int] = [:]
        for (status, column) in [(WebhookStatus.success, "task_success"), (.error, "task_error"), (.pending, "task_pending"),
                                 (.running, "task_running"), (.stopped, "task_stopped")] {
            counts[status] = try row.decode(column: column, as: Int.self)
        }
        return WebhookExecutionRecord(
            id: try row.decode(column: "id", as: Int64.self), policyID: try row.decode(column: "policy_id", as: Int64.self),
            eventID: try row.decode(column: "event_id", as: String.self), eventType: try row.decode(column: "event_type", as: String.self),
            status: WebhookStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending, taskCounts: counts,
            startedAt: try row.decode(column: "started_at", as: Int64.self), endedAt: try row.decode(column: "ended_at", as: Int64?.self))
    }

    static func task(_ row: any SQLRow) throws -> WebhookTaskRecord {
        let target = WebhookTarget(
            type: try row.decode(column: "target_type", as: String.self), address: try row.decode(column: "address", as: String.self),
            authHeader: try row.decode(column: "auth_header", as: String.self),
            skipCertVerify: try row.decode(column: "skip_cert_verify", as: Int.self) != 0,
            payloadFormat: try row.decode(column: "payload_format", as: String.self))
        return WebhookTaskRecord(
            id: try row.decode(column: "id", as: Int64.self), executionID: try row.decode(column: "execution_id", as: Int64.self), target: target,
            body: try row.decode(column: "body", as: String.self),
            status: WebhookStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
            statusCode: try row.decode(column: "status_code", as: Int?.self), runCount: try row.decode(column: "run_count", as: Int.self),
            log: try row.decode(column: "log", as: String.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self), startedAt: try row.decode(column: "started_at", as: Int64?.self),
            endedAt: try row.decode(column: "ended_at", as: Int64?.self))
    }
}
