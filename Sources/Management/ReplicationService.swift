import APIInput
import Auth
import Foundation
import Jobs
import Metadata
import Replication

/// Harbor's replication API: policies (`/replication/policies`) and their runs (`/replication/executions`, their
/// tasks and each task's log). System administrators (and system robots granted it) manage them. Every rule is
/// checked here: one side of a policy is this registry and the other a registered remote one, filters and the cron
/// expression must parse, event-based triggers only push, numbers are bounded.
public struct ReplicationService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    private func parts() throws -> (SQLReplicationStore, SQLRemoteRegistryStore) {
        guard let store = env.replication, let registries = env.remoteRegistries else {
            throw APIError(.unavailable, "replication is not available on this server")
        }
        return (store, registries)
    }

    // MARK: - Policies

    /// Every policy (optionally those whose name contains `name`), a page at a time.
    public func policies(name: String?, page: Int, pageSize: Int, _ caller: Caller) async throws -> ListPage<ReplicationPolicyView> {
        try env.requireSystem(Permission(.replicationPolicy, .list), caller)
        let (store, registries) = try parts()
        let found = try await store.policies(nameContaining: name, offset: (page - 1) * pageSize, limit: pageSize)
        let known = Dictionary(uniqueKeysWithValues: try await registries.registries().map { ($0.id, $0) })
        return ListPage(items: found.items.map { Self.view($0, registries: known) }, total: found.total)
    }

    /// One policy.
    public func policy(_ id: Int64, _ caller: Caller) async throws -> ReplicationPolicyView {
        try env.requireSystem(Permission(.replicationPolicy, .read), caller)
        let (store, registries) = try parts()
        guard let record = try await store.policy(id: id) else { throw APIError.notFound("replication policy \(id)") }
        let known = Dictionary(uniqueKeysWithValues: try await registries.registries().map { ($0.id, $0) })
        return Self.view(record, registries: known)
    }

    /// Creates a policy; returns its id. 409 when the name is taken.
    public func create(_ request: ReplicationPolicyRequest, _ caller: Caller) async throws -> Int64 {
        try env.requireSystem(Permission(.replicationPolicy, .create), caller)
        let (store, registries) = try parts()
        let now = Clock.nowMilliseconds()
        let record = try await checked(request, previous: nil, registries: registries, now: now)
        guard let created = try await store.create(record, nextRunAt: try Self.nextRun(record)) else {
            throw APIError(.conflict, "a replication policy named \(record.name) already exists")
        }
        await env.recordChange(caller, "create", "replication_policy", created.name)
        return created.id
    }

    /// Changes a policy (fields not given keep their values). 409 when the new name is another policy's.
    public func update(_ id: Int64, _ request: ReplicationPolicyRequest, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.replicationPolicy, .update), caller)
        let (store, registries) = try parts()
        guard let previous = try await store.policy(id: id) else { throw APIError.notFound("replication policy \(id)") }
        var record = try await checked(request, previous: previous, registries: registries, now: Clock.nowMilliseconds())
        record.id = previous.id
        record.createdAt = previous.createdAt
        guard try await store.update(record, nextRunAt: try Self.nextRun(record)) else {
            throw APIError(.conflict, "a replication policy named \(record.name) already exists")
        }
        await env.recordChange(caller, "update", "replication_policy", record.name)
    }

    /// Removes a policy with its history; 412 while it runs.
    public func delete(_ id: Int64, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.replicationPolicy, .delete), caller)
        let (store, _) = try parts()
        guard let record = try await store.policy(id: id) else { throw APIError.notFound("replication policy \(id)") }
        guard try await store.delete(id: id) else {
            throw APIError(.preconditionFailed, "the replication policy \(record.name) has an execution in progress; stop it first")
        }
        await env.recordChange(caller, "delete", "replication_policy", record.name)
    }

    /// The first run of a scheduled policy's cron expression.
    static func nextRun(_ record: ReplicationPolicyRecord) throws -> Int64? {
        guard record.triggerType == "scheduled" else { return nil }
        let expression = try CronExpression(record.cron)
        let next = expression.next(after: Date()) ?? Date().addingTimeInterval(86_400)
        return Int64(next.timeIntervalSince1970 * 1000)
    }

    /// The request checked and merged over `previous`.
    func checked(_ request: ReplicationPolicyRequest, previous: ReplicationPolicyRecord?, registries: SQLRemoteRegistryStore,
                 now: Int64) async throws -> ReplicationPolicyRecord {
        let name = (request.name ?? previous?.name ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.utf8.count <= 255 else { throw APIError.badRequest("name is required (at most 255 characters)") }
        // A side not given keeps its registry; given with id 0 (or no id) it is this registry.
        func registryID(_ reference: ReplicationPolicyRequest.RegistryReference?, _ old: Int64?) -> Int64? {
            guard let reference else { return old }
            return reference.id.flatMap { $0 > 0 ? $0 : nil }
        }
        let source = registryID(request.srcRegistry, previous?.sourceRegistryID)
        let destination = registryID(request.destRegistry, previous?.destinationRegistryID)
        switch (source, destination) {
        case (nil, nil): throw APIError.badRequest("one of src_registry and dest_registry must be a remote registry")
        case (.some, .some): throw APIError.badRequest("one of src_registry and dest_registry must be this registry (id 0 or none)")
        default: break
        }
        for id in [source, destination].compactMap({ $0 }) where try await registries.registry(id: id) == nil {
            throw APIError.badRequest("registry \(id) does not exist")
        }
        let namespace = (request.destNamespace ?? previous?.destinationNamespace ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
        guard namespace.utf8.count <= 255, namespace.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || "._-/".contains($0)) }),
              !namespace.contains("//") else {
            throw APIError.badRequest("dest_namespace must be a lowercase repository path such as team/mirror")
        }
        let replaceCount = request.destNamespaceReplaceCount ?? previous?.replaceCount ?? -1
        guard (-1 ... 100).contains(replaceCount) else { throw APIError.badRequest("dest_namespace_replace_count must be between -1 and 100") }
        let triggerType = request.trigger?.type ?? previous?.triggerType ?? "manual"
        guard ["manual", "scheduled", "event_based"].contains(triggerType) else {
            throw APIError.badRequest("trigger.type must be manual, scheduled or event_based")
        }
        var cron = request.trigger?.triggerSettings?.cron ?? (request.trigger == nil ? previous?.cron : nil) ?? ""
        if triggerType == "scheduled" {
            cron = cron.trimmingCharacters(in: .whitespaces)
            guard cron.utf8.count <= 255, (try? CronExpression(cron)) != nil else {
                throw APIError.badRequest("trigger.trigger_settings.cron must be a cron expression (seconds minutes hours day month weekday)")
            }
        } else {
            cron = ""
        }
        if triggerType == "event_based", source != nil {
            throw APIError.badRequest("an event-based trigger replicates this registry's pushes and deletions; it cannot pull from a remote registry")
        }
        let filters: [HarborFilter]
        if let given = request.filters {
            do { _ = try ReplicationFilters(harbor: given) } catch let error as ReplicationFilterError { throw APIError.badRequest(error.description) }
            filters = given
        } else {
            filters = (previous.flatMap { try? JSONDecoder().decode([HarborFilter].self, from: Data($0.filters.utf8)) }) ?? []
        }
        let speed = request.speed ?? previous?.speedKBps ?? -1
        guard (-1 ... 1_000_000_000).contains(speed) else { throw APIError.badRequest("speed must be -1 (no limit) up to 1000000000 KB/s") }
        let description = request.description ?? previous?.description ?? ""
        guard description.utf8.count <= 4096 else { throw APIError.badRequest("description is too long") }
        return ReplicationPolicyRecord(
            name: name, description: description, sourceRegistryID: source, destinationRegistryID: destination, destinationNamespace: namespace,
            replaceCount: replaceCount, triggerType: triggerType, cron: cron,
            filters: String(decoding: try JSONEncoder().encode(filters), as: UTF8.self),
            replicateDeletion: request.replicateDeletion ?? request.deletion ?? previous?.replicateDeletion ?? false,
            override: request.override ?? previous?.override ?? false, enabled: request.enabled ?? previous?.enabled ?? false,
            speedKBps: speed, copyByChunk: request.copyByChunk ?? previous?.copyByChunk ?? false,
            singleActive: request.singleActiveReplication ?? previous?.singleActive ?? false, createdAt: now, updatedAt: now)
    }

    static func view(_ record: ReplicationPolicyRecord, registries: [Int64: RemoteRegistryRecord]) -> ReplicationPolicyView {
        func side(_ id: Int64?) -> RemoteRegistryView {
            guard let id, let registry = registries[id] else { return RemoteRegistryService.localView }
            return RemoteRegistryService.view(registry, status: "")
        }
        return ReplicationPolicyView(
            id: record.id, name: record.name, description: record.description, srcRegistry: side(record.sourceRegistryID),
            destRegistry: side(record.destinationRegistryID), destNamespace: record.destinationNamespace, destNamespaceReplaceCount: record.replaceCount,
            trigger: .init(type: record.triggerType, triggerSettings: .init(cron: record.cron)),
            filters: (try? JSONDecoder().decode([HarborFilter].self, from: Data(record.filters.utf8))) ?? [],
            replicateDeletion: record.replicateDeletion, deletion: record.replicateDeletion, override: record.override, enabled: record.enabled,
            creationTime: APITime.string(record.createdAt), updateTime: APITime.string(record.updatedAt), speed: record.speedKBps,
            copyByChunk: record.copyByChunk, singleActiveReplication: record.singleActive)
    }

    // MARK: - Executions

    /// Starts a run of a policy; returns the execution's id. 400 when the policy is disabled.
    public func start(_ request: StartReplicationRequest, _ caller: Caller) async throws -> Int64 {
        try env.requireSystem(Permission(.replication, .create), caller)
        let (store, _) = try parts()
        guard let policyID = request.policyId else { throw APIError.badRequest("policy_id is required") }
        guard let policy = try await store.policy(id: policyID) else { throw APIError.badRequest("replication policy \(policyID) does not exist") }
        guard policy.enabled else { throw APIError.badRequest("the replication policy \(policy.name) is disabled") }
        if policy.singleActive, try await store.hasActiveExecution(policyID: policyID) {
            throw APIError(.conflict, "the replication policy \(policy.name) is already running")
        }
        let id = try await store.startExecution(policyID: policyID, trigger: "manual", origin: nil, now: Clock.nowMilliseconds())
        await env.recordChange(caller, "create", "replication_execution", policy.name)
        return id
    }

    /// Stops a run: waiting tasks at once, running ones at their next step.
    public func stop(_ id: Int64, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.replication, .stop), caller)
        let (store, _) = try parts()
        guard try await store.execution(id: id) != nil else { throw APIError.notFound("replication execution \(id)") }
        let jobs = try await store.stopExecution(id, now: Clock.nowMilliseconds())
        if let queue = env.jobs {
            for job in jobs { _ = try await queue.stop(id: job, now: Clock.nowMilliseconds()) }
        }
        await env.recordChange(caller, "stop", "replication_execution", String(id))
    }

    /// A page of executions, newest first.
    public func executions(policyID: Int64?, status: String?, trigger: String?, page: Int, pageSize: Int,
                           _ caller: Caller) async throws -> ListPage<ReplicationExecutionView> {
        try env.requireSystem(Permission(.replication, .list), caller)
        let (store, _) = try parts()
        let found = try await store.executions(policyID: policyID, status: status, trigger: trigger, page: page, pageSize: pageSize)
        return ListPage(items: found.items.map(ReplicationExecutionView.init), total: found.total)
    }

    /// One execution.
    public func execution(_ id: Int64, _ caller: Caller) async throws -> ReplicationExecutionView {
        try env.requireSystem(Permission(.replication, .read), caller)
        let (store, _) = try parts()
        guard let record = try await store.execution(id: id) else { throw APIError.notFound("replication execution \(id)") }
        return ReplicationExecutionView(record)
    }

    /// A page of an execution's tasks.
    public func tasks(executionID: Int64, status: String?, resourceType: String?, page: Int, pageSize: Int,
                      _ caller: Caller) async throws -> ListPage<ReplicationTaskView> {
        try env.requireSystem(Permission(.replication, .list), caller)
        let (store, _) = try parts()
        guard try await store.execution(id: executionID) != nil else { throw APIError.notFound("replication execution \(executionID)") }
        let found = try await store.tasks(executionID: executionID, status: status, resourceType: resourceType, page: page, pageSize: pageSize)
        return ListPage(items: found.items.map(ReplicationTaskView.init), total: found.total)
    }

    /// A task's log.
    public func log(executionID: Int64, taskID: Int64, _ caller: Caller) async throws -> String {
        try env.requireSystem(Permission(.replication, .read), caller)
        let (store, _) = try parts()
        guard let task = try await store.task(id: taskID), task.executionID == executionID else {
            throw APIError.notFound("task \(taskID) of replication execution \(executionID)")
        }
        return task.log.isEmpty ? "" : task.log + "\n"
    }
}
