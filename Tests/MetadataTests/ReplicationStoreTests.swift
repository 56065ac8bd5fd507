import Foundation
import Metadata
import SQLKit
import Testing

/// Replication policies, executions and tasks on SQLite and PostgreSQL: schedules follow their policy, an execution's
/// status follows its tasks in the same transaction, stops and repeated events.
@Suite("Replication store")
struct ReplicationStoreTests {
    static func policy(_ name: String, destination: Int64, trigger: String = "manual", cron: String = "") -> ReplicationPolicyRecord {
        ReplicationPolicyRecord(name: name, description: "", sourceRegistryID: nil, destinationRegistryID: destination, destinationNamespace: "",
                                replaceCount: -1, triggerType: trigger, cron: cron, filters: "[]", replicateDeletion: false, override: false,
                                enabled: true, speedKBps: -1, copyByChunk: false, singleActive: false, createdAt: 1, updatedAt: 1)
    }

    static func task(_ name: String) -> NewReplicationTask {
        NewReplicationTask(operation: "copy", resourceType: "artifact", sourceResource: name, destinationResource: name, spec: "{}")
    }

    static func remote(_ provider: any SQLDatabaseProvider) async throws -> Int64 {
        let created = try await SQLRemoteRegistryStore(provider: provider).create(RemoteRegistryRecord(
            name: "dist", url: "http://127.0.0.1:5000", type: "docker-registry", credentialType: "", accessKey: "", accessSecret: "",
            insecure: false, caCertificate: "", description: "", createdAt: 1, updatedAt: 1))
        return try #require(created).id
    }

    @Test("a scheduled policy owns a job schedule that follows its trigger; names are unique; a running policy cannot be deleted", arguments: Backend.allCases)
    func policies(backend: Backend) async throws {
        try await backend.withProvider { provider in
            let store = SQLReplicationStore(provider: provider)
            let jobs = SQLJobStore(provider: provider)
            let remote = try await Self.remote(provider)
            let created = try #require(try await store.create(Self.policy("nightly", destination: remote, trigger: "scheduled", cron: "0 0 2 * * *"),
                                                              nextRunAt: 5000))
            #expect(try await store.create(Self.policy("nightly", destination: remote), nextRunAt: nil) == nil)
            #expect(try await jobs.schedules().first { $0.name == created.scheduleName }?.kind == ReplicationJobKind.execution)
            #expect(try await store.policies(usingRegistry: remote) == 1)
            var manual = created
            manual.triggerType = "manual"
            manual.cron = ""
            #expect(try await store.update(manual, nextRunAt: nil))
            #expect(try await jobs.schedules().contains { $0.name == created.scheduleName } == false)
            #expect(try await store.policy(id: created.id)?.triggerType == "manual")

            let execution = try await store.startExecution(policyID: created.id, trigger: "manual", origin: nil, now: 10)
            #expect(try await store.delete(id: created.id) == false)
            _ = try await store.stopExecution(execution, now: 11)
            #expect(try await store.execution(id: execution)?.status == "Stopped")
            #expect(try await store.delete(id: created.id))
            #expect(try await store.policy(id: created.id) == nil)
        }
    }

    @Test("an execution ends with its last task: Succeed, Failed when one failed, Stopped when asked; events start it once", arguments: Backend.allCases)
    func executions(backend: Backend) async throws {
        try await backend.withProvider { provider in
            let store = SQLReplicationStore(provider: provider)
            let remote = try await Self.remote(provider)
            let policy = try #require(try await store.create(Self.policy("push", destination: remote), nextRunAt: nil))

            // A listed execution with two tasks: in progress until both end.
            let first = try await store.startExecution(policyID: policy.id, trigger: "manual", origin: nil, now: 10)
            try await store.addTasks(executionID: first, [Self.task("a"), Self.task("b")], now: 11)
            let tasks = try await store.tasks(executionID: first, status: nil, resourceType: nil, page: 1, pageSize: 10).items
            #expect(tasks.count == 2 && tasks.allSatisfy { $0.status == "Pending" && $0.jobID != nil })
            let running = try #require(try await store.beginTask(id: tasks[0].id, now: 12))
            #expect(running.status == "InProgress")
            #expect(try await store.recordProgress(taskID: running.id, bytesDone: 5, bytesTotal: 10, resume: "{}", log: "half"))
            #expect(try await store.execution(id: first)?.progress.bytesDone == 5)
            #expect(try await store.finishTask(id: running.id, status: "Succeed", log: "done", bytesDone: 10, bytesTotal: 10, now: 13) == nil)
            let ended = try await store.finishTask(id: tasks[1].id, status: "Failed", log: "no", bytesDone: 0, bytesTotal: 0, now: 14)
            #expect(ended?.status == "Failed" && ended?.progress.succeeded == 1 && ended?.progress.failed == 1)
            #expect(try await store.task(id: tasks[0].id)?.log == "done")

            // No tasks: ends at once as succeeded.
            let empty = try await store.startExecution(policyID: policy.id, trigger: "manual", origin: nil, now: 20)
            try await store.addTasks(executionID: empty, [], now: 21)
            #expect(try await store.execution(id: empty)?.status == "Succeed")

            // Stop: waiting tasks stop at once (their jobs are returned), a running one learns it at its next write.
            let stopped = try await store.startExecution(policyID: policy.id, trigger: "manual", origin: nil, now: 30)
            try await store.addTasks(executionID: stopped, [Self.task("c"), Self.task("d")], now: 31)
            let pair = try await store.tasks(executionID: stopped, status: nil, resourceType: nil, page: 1, pageSize: 10).items
            _ = try #require(try await store.beginTask(id: pair[0].id, now: 32))
            #expect(try await store.stopExecution(stopped, now: 33) == [pair[1].jobID].compactMap { $0 })
            #expect(try await store.recordProgress(taskID: pair[0].id, bytesDone: 1, bytesTotal: 2, resume: "", log: "") == false)
            #expect(try await store.beginTask(id: pair[1].id, now: 34) == nil)
            #expect(try await store.finishTask(id: pair[0].id, status: "Stopped", log: "", bytesDone: 1, bytesTotal: 2, now: 35)?.status == "Stopped")

            // An event handed over twice starts one execution.
            let once = try await provider.transaction { db in
                try await SQLReplicationStore.startExecution(policyID: policy.id, trigger: "event_based", origin: "event-1", tasks: [Self.task("e")], now: 40, on: db)
            }
            let twice = try await provider.transaction { db in
                try await SQLReplicationStore.startExecution(policyID: policy.id, trigger: "event_based", origin: "event-1", tasks: [Self.task("e")], now: 41, on: db)
            }
            #expect(once != nil && twice == nil)
            let page = try await store.executions(policyID: policy.id, status: nil, trigger: "event_based", page: 1, pageSize: 10)
            #expect(page.total == 1 && page.items.first?.progress.total == 1)
            #expect(try await store.executions(policyID: policy.id, status: nil, trigger: nil, page: 1, pageSize: 2).total == 4)
        }
    }
}
