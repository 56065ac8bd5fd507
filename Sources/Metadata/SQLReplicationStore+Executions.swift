import APIInput
import Foundation
import SQLKit

extension SQLReplicationStore {
    static let executionColumns = "id, policy_id, trigger_type, status, status_text, listed, stop_requested, start_time, end_time"
    static let taskColumns = """
        id, execution_id, status, job_id, operation, resource_type, src_resource, dst_resource, spec, bytes_total, bytes_done, resume, log,
        start_time, end_time
        """

    // MARK: - Executions

    /// Starts a run of `policyID`: the execution and the job that lists its tasks, in one transaction. `origin` names
    /// what started it when that can happen twice (a schedule's job): a second start with the same origin returns
    /// the first execution instead of another.
    public func startExecution(policyID: Int64, trigger: String, origin: String?, now: Int64) async throws -> Int64 {
        try await provider.transaction { db in
            if let origin, let row = try await db.raw("""
                SELECT id FROM replication_executions WHERE policy_id = \(bind: policyID) AND origin = \(bind: origin)
                """).first() {
                return try row.decode(column: "id", as: Int64.self)
            }
            let id = try await Self.insertExecution(policyID: policyID, trigger: trigger, origin: origin, listed: false, now: now, on: db)
            try await SQLJobStore.enqueue(kind: ReplicationJobKind.execution, payload: #"{"execution_id":\#(id)}"#, runAt: now, maxAttempts: 3,
                                          now: now, on: db)
            return id
        }
    }

    /// Records an execution whose tasks are known at once (an event's), with their jobs, on the caller's transaction;
    /// nil when an execution of this policy with the same origin exists already (the event was handed over twice).
    public static func startExecution(policyID: Int64, trigger: String, origin: String, tasks: [NewReplicationTask], now: Int64,
                                      on db: any SQLDatabase) async throws -> Int64? {
        if try await db.raw("""
            SELECT id FROM replication_executions WHERE policy_id = \(bind: policyID) AND origin = \(bind: origin)
            """).first() != nil { return nil }
        let id = try await insertExecution(policyID: policyID, trigger: trigger, origin: origin, listed: false, now: now, on: db)
        try await addTasks(executionID: id, tasks, now: now, on: db)
        return id
    }

    static func insertExecution(policyID: Int64, trigger: String, origin: String?, listed: Bool, now: Int64, on db: any SQLDatabase) async throws -> Int64 {
        guard let row = try await db.raw("""
            INSERT INTO replication_executions (policy_id, trigger_type, status, status_text, listed, stop_requested, origin, start_time)
            VALUES (\(bind: policyID), \(bind: trigger), 'InProgress', '', \(bind: listed ? 1 : 0), 0, \(bind: origin), \(bind: now))
            RETURNING id
            """).first() else { throw MetadataError.inconsistent("execution insert returned no id") }
        return try row.decode(column: "id", as: Int64.self)
    }

    /// Adds an execution's tasks with a job each and marks it listed; an execution without tasks ends at once.
    public func addTasks(executionID: Int64, _ tasks: [NewReplicationTask], now: Int64) async throws {
        try await provider.transaction { db in try await Self.addTasks(executionID: executionID, tasks, now: now, on: db) }
    }

    static func addTasks(executionID: Int64, _ tasks: [NewReplicationTask], now: Int64, on db: any SQLDatabase) async throws {
        guard let row = try await db.raw("SELECT listed, stop_requested FROM replication_executions WHERE id = \(bind: executionID)").first(),
              try row.decode(column: "listed", as: Int.self) == 0 else { return }
        let stopped = try row.decode(column: "stop_requested", as: Int.self) != 0
        for task in tasks where !stopped {
            guard let inserted = try await db.raw("""
                INSERT INTO replication_tasks (execution_id, status, operation, resource_type, src_resource, dst_resource, spec, bytes_total,
                    bytes_done, resume, log)
                VALUES (\(bind: executionID), 'Pending', \(bind: task.operation), \(bind: task.resourceType), \(bind: task.sourceResource),
                    \(bind: task.destinationResource), \(bind: task.spec), 0, 0, '', '')
                RETURNING id
                """).first() else { throw MetadataError.inconsistent("task insert returned no id") }
            let taskID = try inserted.decode(column: "id", as: Int64.self)
            let job = try await SQLJobStore.enqueue(kind: ReplicationJobKind.task, payload: #"{"task_id":\#(taskID)}"#, runAt: now,
                                                    maxAttempts: ReplicationJobKind.taskAttempts, now: now, on: db)
            try await db.raw("UPDATE replication_tasks SET job_id = \(bind: job.id) WHERE id = \(bind: taskID)").run()
        }
        try await db.raw("UPDATE replication_executions SET listed = 1 WHERE id = \(bind: executionID)").run()
        _ = try await finishIfDone(executionID: executionID, now: now, on: db)
    }

    /// Ends an execution that failed before its tasks were known (the source could not be listed).
    public func failExecution(_ executionID: Int64, reason: String, now: Int64) async throws {
        try await provider.write { db in
            try await db.raw("""
                UPDATE replication_executions SET status = 'Failed', status_text = \(bind: String(reason.prefix(2000))), listed = 1,
                    end_time = \(bind: now)
                WHERE id = \(bind: executionID) AND status = 'InProgress'
                """).run()
        }
    }

    /// Asks an execution to stop: waiting tasks are stopped at once (their job ids are returned so the queue drops
    /// them), running ones stop at their next step.
    public func stopExecution(_ executionID: Int64, now: Int64) async throws -> [Int64] {
        try await provider.transaction { db in
            try await db.raw("UPDATE replication_executions SET stop_requested = 1 WHERE id = \(bind: executionID) AND status = 'InProgress'").run()
            let jobs = try await db.raw("""
                UPDATE replication_tasks SET status = 'Stopped', end_time = \(bind: now)
                WHERE execution_id = \(bind: executionID) AND status = 'Pending'
                RETURNING job_id
                """).all().compactMap { try $0.decode(column: "job_id", as: Int64?.self) }
            // An execution still listing gets no tasks: its listing job finds it listed and adds none.
            if try await db.raw("SELECT listed FROM replication_executions WHERE id = \(bind: executionID)").first()?
                .decode(column: "listed", as: Int.self) == 0 {
                try await db.raw("""
                    UPDATE replication_executions SET listed = 1 WHERE id = \(bind: executionID) AND status = 'InProgress'
                    """).run()
            }
            _ = try await Self.finishIfDone(executionID: executionID, now: now, on: db)
            return jobs
        }
    }

    /// Sets an execution's final status when it is listed and none of its tasks waits or runs: Stopped when asked
    /// to stop, Failed when a task failed, Succeed otherwise. Returns the ended execution.
    static func finishIfDone(executionID: Int64, now: Int64, on db: any SQLDatabase) async throws -> ReplicationExecutionRecord? {
        guard let row = try await db.raw("""
            SELECT \(unsafeRaw: executionColumns) FROM replication_executions WHERE id = \(bind: executionID)
            """).first() else { return nil }
        var execution = try execution(row, progress: ReplicationProgress())
        guard execution.status == "InProgress", execution.listed else { return nil }
        execution.progress = try await progress(of: [executionID], on: db)[executionID] ?? ReplicationProgress()
        guard execution.progress.inProgress == 0 else { return nil }
        let status = execution.stopRequested ? "Stopped" : execution.progress.failed > 0 ? "Failed" : "Succeed"
        try await db.raw("""
            UPDATE replication_executions SET status = \(bind: status), end_time = \(bind: now) WHERE id = \(bind: executionID)
            """).run()
        execution.status = status
        execution.endTime = now
        return execution
    }

    /// One execution with its progress.
    public func execution(id: Int64) async throws -> ReplicationExecutionRecord? {
        try await provider.read { db in
            guard let row = try await db.raw("SELECT \(unsafeRaw: Self.executionColumns) FROM replication_executions WHERE id = \(bind: id)").first() else {
                return nil
            }
            return try Self.execution(row, progress: try await Self.progress(of: [id], on: db)[id] ?? ReplicationProgress())
        }
    }

    /// A page of executions, newest first, optionally of one policy, status or trigger.
    public func executions(policyID: Int64?, status: String?, trigger: String?, page: Int, pageSize: Int) async throws -> ListPage<ReplicationExecutionRecord> {
        try await provider.read { db in
            var condition = SQLQueryString("1 = 1")
            if let policyID { condition += SQLQueryString(" AND policy_id = \(bind: policyID)") }
            if let status { condition += SQLQueryString(" AND status = \(bind: status)") }
            if let trigger { condition += SQLQueryString(" AND trigger_type = \(bind: trigger)") }
            let total = try await db.raw("SELECT COUNT(*) AS n FROM replication_executions WHERE \(condition)").first()?.decode(column: "n", as: Int.self) ?? 0
            let rows = try await db.raw("""
                SELECT \(unsafeRaw: Self.executionColumns) FROM replication_executions WHERE \(condition)
                ORDER BY id DESC LIMIT \(literal: pageSize) OFFSET \(literal: (page - 1) * pageSize)
                """).all()
            let ids = try rows.map { try $0.decode(column: "id", as: Int64.self) }
            let progress = try await Self.progress(of: ids, on: db)
            return ListPage(items: try rows.map { row in
                try Self.execution(row, progress: progress[try row.decode(column: "id", as: Int64.self)] ?? ReplicationProgress())
            }, total: total)
        }
    }

    /// Whether policy `id` has an execution in progress.
    public func hasActiveExecution(policyID: Int64) async throws -> Bool {
        try await provider.read { db in
            try await db.raw("""
                SELECT id FROM replication_executions WHERE policy_id = \(bind: policyID) AND status = 'InProgress'
                """).first() != nil
        }
    }

    static func progress(of executionIDs: [Int64], on db: any SQLDatabase) async throws -> [Int64: ReplicationProgress] {
        guard !executionIDs.isEmpty else { return [:] }
        var result: [Int64: ReplicationProgress] = [:]
        for row in try await db.raw("""
            SELECT execution_id, status, COUNT(*) AS n, CAST(COALESCE(SUM(bytes_total), 0) AS BIGINT) AS total, CAST(COALESCE(SUM(bytes_done), 0) AS BIGINT) AS done
            FROM replication_tasks WHERE execution_id IN (\(binds: executionIDs)) GROUP BY execution_id, status
            """).all() {
            let id = try row.decode(column: "execution_id", as: Int64.self)
            let count = try row.decode(column: "n", as: Int.self)
            var entry = result[id] ?? ReplicationProgress()
            entry.total += count
            switch try row.decode(column: "status", as: String.self) {
            case "Succeed": entry.succeeded += count
            case "Failed": entry.failed += count
            case "Stopped": entry.stopped += count
            default: entry.inProgress += count
            }
            entry.bytesTotal += try row.decode(column: "total", as: Int64.self)
            entry.bytesDone += try row.decode(column: "done", as: Int64.self)
            result[id] = entry
        }
        return result
    }

    static func execution(_ row: any SQLRow, progress: ReplicationProgress) throws -> ReplicationExecutionRecord {
        ReplicationExecutionRecord(
            id: try row.decode(column: "id", as: Int64.self), policyID: try row.decode(column: "policy_id", as: Int64.self),
            trigger: try row.decode(column: "trigger_type", as: String.self), status: try row.decode(column: "status", as: String.self),
            statusText: try row.decode(column: "status_text", as: String.self), listed: try row.decode(column: "listed", as: Int.self) != 0,
            stopRequested: try row.decode(column: "stop_requested", as: Int.self) != 0, startTime: try row.decode(column: "start_time", as: Int64.self),
            endTime: try row.decode(column: "end_time", as: Int64?.self), progress: progress)
    }

    // MARK: - Tasks

    /// A page of an execution's tasks, in order, optionally of one status or resource type.
    public func tasks(executionID: Int64, status: String?, resourceType: String?, page: Int, pageSize: Int) async throws -> ListPage<ReplicationTaskRecord> {
        try await provider.read { db in
            var condition = SQLQueryString("execution_id = \(bind: executionID)")
            if let status { condition += SQLQueryString(" AND status = \(bind: status)") }
            if let resourceType { condition += SQLQueryString(" AND resource_type = \(bind: resourceType)") }
            let total = try await db.raw("SELECT COUNT(*) AS n FROM replication_tasks WHERE \(condition)").first()?.decode(column: "n", as: Int.self) ?? 0
            let rows = try await db.raw("""
                SELECT \(unsafeRaw: Self.taskColumns) FROM replication_tasks WHERE \(condition)
                ORDER BY id LIMIT \(literal: pageSize) OFFSET \(literal: (page - 1) * pageSize)
                """).all()
            return ListPage(items: try rows.map(Self.task), total: total)
        }
    }

    /// One task.
    public func task(id: Int64) async throws -> ReplicationTaskRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.taskColumns) FROM replication_tasks WHERE id = \(bind: id)").first().map(Self.task)
        }
    }

    /// Marks a task running (again, after an interrupted attempt); nil when it has ended or its execution is stopping.
    public func beginTask(id: Int64, now: Int64) async throws -> ReplicationTaskRecord? {
        try await provider.transaction { db in
            guard let row = try await db.raw("""
                UPDATE replication_tasks SET status = 'InProgress', start_time = COALESCE(start_time, \(bind: now))
                WHERE id = \(bind: id) AND status IN ('Pending', 'InProgress')
                  AND execution_id IN (SELECT id FROM replication_executions WHERE stop_requested = 0)
                RETURNING \(unsafeRaw: Self.taskColumns)
                """).first() else { return nil }
            return try Self.task(row)
        }
    }

    /// Records how far a running task is (bytes, the resume state, the log so far); false when it should stop (its
    /// execution was asked to).
    public func recordProgress(taskID: Int64, bytesDone: Int64, bytesTotal: Int64, resume: String, log: String) async throws -> Bool {
        try await provider.transaction { db in
            try await db.raw("""
                UPDATE replication_tasks SET bytes_done = \(bind: bytesDone), bytes_total = \(bind: bytesTotal), resume = \(bind: resume), log = \(bind: log)
                WHERE id = \(bind: taskID) AND status = 'InProgress'
                """).run()
            return try await db.raw("""
                SELECT e.stop_requested FROM replication_tasks t JOIN replication_executions e ON e.id = t.execution_id WHERE t.id = \(bind: taskID)
                """).first()?.decode(column: "stop_requested", as: Int.self) == 0
        }
    }

    /// Ends a task (`Succeed`, `Failed` or `Stopped`) with its log, recording `event` (the `REPLICATION` event for
    /// webhooks) with it; ends its execution when it was the last one. Returns the execution when this ended it.
    @discardableResult
    public func finishTask(id: Int64, status: String, log: String, bytesDone: Int64, bytesTotal: Int64, now: Int64,
                           event: NewEvent? = nil) async throws -> ReplicationExecutionRecord? {
        try await provider.transaction { db in
            guard let row = try await db.raw("""
                UPDATE replication_tasks SET status = \(bind: status), log = \(bind: log), bytes_done = \(bind: bytesDone),
                    bytes_total = \(bind: bytesTotal), resume = '', end_time = \(bind: now), start_time = COALESCE(start_time, \(bind: now))
                WHERE id = \(bind: id) AND status IN ('Pending', 'InProgress')
                RETURNING execution_id
                """).first() else { return nil }
            if let event { _ = try await EventOutbox.append([event], on: db) }
            return try await Self.finishIfDone(executionID: try row.decode(column: "execution_id", as: Int64.self), now: now, on: db)
        }
    }

    static func task(_ row: any SQLRow) throws -> ReplicationTaskRecord {
        ReplicationTaskRecord(
            id: try row.decode(column: "id", as: Int64.self), executionID: try row.decode(column: "execution_id", as: Int64.self),
            status: try row.decode(column: "status", as: String.self), jobID: try row.decode(column: "job_id", as: Int64?.self),
            task: NewReplicationTask(operation: try row.decode(column: "operation", as: String.self),
                                     resourceType: try row.decode(column: "resource_type", as: String.self),
                                     sourceResource: try row.decode(column: "src_resource", as: String.self),
                                     destinationResource: try row.decode(column: "dst_resource", as: String.self),
                                     spec: try row.decode(column: "spec", as: String.self)),
            bytesTotal: try row.decode(column: "bytes_total", as: Int64.self), bytesDone: try row.decode(column: "bytes_done", as: Int64.self),
            resume: try row.decode(column: "resume", as: String.self), log: try row.decode(column: "log", as: String.self),
            startTime: try row.decode(column: "start_time", as: Int64?.self), endTime: try row.decode(column: "end_time", as: Int64?.self))
    }
}
