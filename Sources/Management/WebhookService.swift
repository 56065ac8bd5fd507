import Auth
import Foundation
import Metadata

/// A project's webhook policies and their deliveries (Harbor's `/projects/{p}/webhook/…`). Project admins manage
/// policies; maintainers see them and their executions.
public struct WebhookService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// What policies can subscribe to and send (`/webhook/events`).
    public func supported(_ nameOrID: String, isName: Bool, _ caller: Caller) async throws -> SupportedWebhookEventsView {
        _ = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.notificationPolicy, .read))
        return SupportedWebhookEventsView(
            eventType: EventType.webhookTypes.map(\.rawValue), notifyType: WebhookPolicyRules.targetTypes,
            payloadFormats: [PayloadFormatsView(notifyType: "http", formats: WebhookPolicyRules.httpFormats),
                             PayloadFormatsView(notifyType: "slack", formats: ["Default"])])
    }

    /// The project's policies.
    public func list(_ nameOrID: String, isName: Bool, query: ListQuery, _ caller: Caller) async throws -> ListPage<WebhookPolicyView> {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.notificationPolicy, .list))
        let page = try await env.webhooks.policies(projectID: project.id, query)
        let secrets = try await showsSecrets(project, caller)
        return ListPage(items: page.items.map { Self.view($0, showingSecrets: secrets) }, total: page.total)
    }

    /// One policy.
    public func get(_ nameOrID: String, isName: Bool, id: Int64, _ caller: Caller) async throws -> WebhookPolicyView {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.notificationPolicy, .read))
        return Self.view(try await policy(id, in: project), showingSecrets: try await showsSecrets(project, caller))
    }

    /// Creates a policy; returns its id.
    public func create(_ nameOrID: String, isName: Bool, _ request: WebhookPolicyRequest, _ caller: Caller) async throws -> Int64 {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.notificationPolicy, .create))
        let now = Clock.nowMilliseconds()
        let valid = try WebhookPolicyRules.validate(request, existing: nil)
        let record = WebhookPolicyRecord(projectID: project.id, name: valid.name, description: valid.description, enabled: valid.enabled,
                                         eventTypes: valid.eventTypes, targets: valid.targets, creator: caller.principal.name,
                                         createdAt: now, updatedAt: now)
        let created: WebhookPolicyRecord
        do { created = try await env.webhooks.createPolicy(record) } catch let conflict as MetadataConflict {
            throw APIError(.conflict, conflict.description)
        }
        await env.recordChange(caller, "create", "webhook_policy", created.name, projectID: project.id)
        return created.id
    }

    /// Changes a policy (fields the request leaves out keep their values).
    public func update(_ nameOrID: String, isName: Bool, id: Int64, _ request: WebhookPolicyRequest, _ caller: Caller) async throws {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.notificationPolicy, .update))
        var record = try await policy(id, in: project)
        let valid = try WebhookPolicyRules.validate(request, existing: record)
        record.name = valid.name
        record.description = valid.description
        record.enabled = valid.enabled
        record.eventTypes = valid.eventTypes
        record.targets = valid.targets
        record.updatedAt = Clock.nowMilliseconds()
        do {
            guard try await env.webhooks.updatePolicy(record) else { throw APIError.notFound("webhook policy \(id)") }
        } catch let conflict as MetadataConflict {
            throw APIError(.conflict, conflict.description)
        }
        await env.recordChange(caller, "update", "webhook_policy", record.name, projectID: project.id)
    }

    /// Deletes a policy with its executions.
    public func delete(_ nameOrID: String, isName: Bool, id: Int64, _ caller: Caller) async throws {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.notificationPolicy, .delete))
        let record = try await policy(id, in: project)
        guard try await env.webhooks.deletePolicy(id: id, projectID: project.id) else { throw APIError.notFound("webhook policy \(id)") }
        await env.recordChange(caller, "delete", "webhook_policy", record.name, projectID: project.id)
    }

    /// Per policy and event type, when it last fired.
    public func lastTriggers(_ nameOrID: String, isName: Bool, _ caller: Caller) async throws -> [WebhookLastTriggerView] {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.notificationPolicy, .read))
        return try await env.webhooks.lastTriggers(projectID: project.id).map {
            WebhookLastTriggerView(policyName: $0.policyName, eventType: $0.eventType, enabled: $0.enabled,
                                   creationTime: APITime.string($0.createdAt), lastTriggerTime: APITime.optional($0.lastTriggeredAt))
        }
    }

    /// A policy's executions, newest first.
    public func executions(_ nameOrID: String, isName: Bool, policyID: Int64, query: ListQuery, _ caller: Caller) async throws -> ListPage<ExecutionView> {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.notificationPolicy, .list))
        _ = try await policy(policyID, in: project)
        let page = try await env.webhooks.executions(policyID: policyID, query)
        return ListPage(items: page.items.map(Self.view), total: page.total)
    }

    /// An execution's tasks.
    public func tasks(_ nameOrID: String, isName: Bool, policyID: Int64, executionID: Int64, query: ListQuery, _ caller: Caller) async throws -> ListPage<TaskView> {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.notificationPolicy, .list))
        let execution = try await execution(executionID, policyID: policyID, in: project)
        let page = try await env.webhooks.tasks(executionID: executionID, query)
        return ListPage(items: page.items.map { Self.view($0, eventType: execution.eventType) }, total: page.total)
    }

    /// Every notification of a policy as Harbor's older `/webhook/jobs` lists them, newest first.
    public func jobs(_ nameOrID: String, isName: Bool, policyID: Int64, statuses: [String], query: ListQuery, _ caller: Caller) async throws -> ListPage<WebhookJobView> {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.notificationPolicy, .list))
        _ = try await policy(policyID, in: project)
        let page = try await env.webhooks.tasks(policyID: policyID, statuses: statuses, query)
        return ListPage(items: page.items.map {
            WebhookJobView(id: $0.task.id, policyId: policyID, eventType: $0.eventType, notifyType: $0.task.target.type, status: $0.task.status.rawValue,
                           jobDetail: $0.task.body, creationTime: APITime.string($0.task.createdAt), updateTime: APITime.string($0.task.updatedAt))
        }, total: page.total)
    }

    /// A task's log: one line per attempt.
    public func log(_ nameOrID: String, isName: Bool, policyID: Int64, executionID: Int64, taskID: Int64, _ caller: Caller) async throws -> String {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.notificationPolicy, .read))
        _ = try await execution(executionID, policyID: policyID, in: project)
        guard let task = try await env.webhooks.task(id: taskID, executionID: executionID) else { throw APIError.notFound("task \(taskID)") }
        return task.log
    }

    /// Whether the caller sees targets' auth headers: only those who may change the policy (maintainers read policies
    /// without the secrets in them).
    private func showsSecrets(_ project: ProjectRecord, _ caller: Caller) async throws -> Bool {
        try await env.policy.allows(caller.principal, Permission(.notificationPolicy, .update), in: project)
    }

    private func policy(_ id: Int64, in project: ProjectRecord) async throws -> WebhookPolicyRecord {
        guard let record = try await env.webhooks.policy(id: id, projectID: project.id) else { throw APIError.notFound("webhook policy \(id)") }
        return record
    }

    private func execution(_ id: Int64, policyID: Int64, in project: ProjectRecord) async throws -> WebhookExecutionRecord {
        _ = try await policy(policyID, in: project)
        guard let execution = try await env.webhooks.execution(id: id, policyID: policyID) else { throw APIError.notFound("execution \(id)") }
        return execution
    }

    static func view(_ record: WebhookPolicyRecord, showingSecrets: Bool) -> WebhookPolicyView {
        WebhookPolicyView(
            id: record.id, name: record.name, description: record.description, projectId: record.projectID,
            targets: record.targets.map {
                WebhookTargetView(type: $0.type, address: $0.address, authHeader: showingSecrets || $0.authHeader.isEmpty ? $0.authHeader : "******",
                                  skipCertVerify: $0.skipCertVerify,
                                  payloadFormat: $0.payloadFormat)
            },
            eventTypes: record.eventTypes, creator: record.creator, creationTime: APITime.string(record.createdAt),
            updateTime: APITime.string(record.updatedAt), enabled: record.enabled)
    }

    static func view(_ record: WebhookExecutionRecord) -> ExecutionView {
        let counts = record.taskCounts
        let total = counts.values.reduce(0, +)
        return ExecutionView(
            id: record.id, vendorType: "WEBHOOK", vendorId: record.policyID, status: record.status.rawValue, statusMessage: "",
            metrics: ExecutionMetricsView(taskCount: total, successTaskCount: counts[.success] ?? 0, errorTaskCount: counts[.error] ?? 0,
                                          pendingTaskCount: counts[.pending] ?? 0, runningTaskCount: counts[.running] ?? 0,
                                          scheduledTaskCount: 0, stoppedTaskCount: counts[.stopped] ?? 0),
            trigger: "EVENT", extraAttrs: .object(["event_type": .string(record.eventType), "event_id": .string(record.eventID)]),
            startTime: APITime.string(record.startedAt), endTime: APITime.optional(record.endedAt))
    }

    static func view(_ task: WebhookTaskRecord, eventType: String) -> TaskView {
        var attributes: [String: JSONValue] = [
            "event_type": .string(eventType), "notify_type": .string(task.target.type), "address": .string(task.target.address),
            "payload_format": .string(task.target.payloadFormat), "payload": .string(task.body),
        ]
        if let code = task.statusCode { attributes["status_code"] = .integer(Int64(code)) }
        return TaskView(
            id: task.id, executionId: task.executionID, status: task.status.rawValue,
            statusMessage: task.log.split(separator: "\n").last.map(String.init) ?? "", runCount: task.runCount, extraAttrs: .object(attributes),
            creationTime: APITime.string(task.createdAt), updateTime: APITime.string(task.updatedAt),
            startTime: APITime.optional(task.startedAt), endTime: APITime.optional(task.endedAt))
    }
}
