import Auth
import Foundation
import Jobs
import Metadata
import Registry

/// Harbor's tag retention API (`/retentions`): one policy per project, its schedule, runs (and dry runs), their
/// tasks per repository and each task's log. Developers read the policy and its runs; maintainers and project admins
/// change, run and stop it. A run is a `retention` job; `RetentionRunner` does the work.
public struct RetentionService: Sendable {
    let env: ManagementEnvironment

    /// The job kind of a run (its payload names the run, or — fired by a schedule — the policy).
    public static let jobKind = "retention"

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// The rule templates with what each does in words (`#` stands for the rule's number).
    public static var templates: [(template: String, text: String)] { RetentionEvaluator.templates.map { ($0.template, $0.text) } }

    /// What rules can say (`/retentions/metadatas`).
    public func metadata(_ caller: Caller) throws -> RetentionMetadataView {
        guard caller.principal.isAuthenticated else { throw APIError(.unauthorized, "sign in to read retention metadata") }
        let selector = RetentionMetadataView.SelectorKind(displayText: "Doublestar", kind: "doublestar", decorations: ["matches", "excludes"])
        return RetentionMetadataView(
            templates: RetentionEvaluator.templates.map { template in
                RetentionMetadataView.Template(ruleTemplate: template.template, displayText: template.text, action: "retain",
                                               params: template.unit.map { [RetentionMetadataView.Param(type: "int", unit: $0, required: true)] } ?? [])
            },
            scopeSelectors: [RetentionMetadataView.SelectorKind(displayText: "Repositories", kind: "doublestar", decorations: ["repoMatches", "repoExcludes"])],
            tagSelectors: [selector])
    }

    /// Creates the policy of the project `scope.ref` names; returns its id.
    public func create(_ request: RetentionPolicyRequest, _ caller: Caller) async throws -> Int64 {
        guard request.scope?.level ?? "project" == "project", let projectID = request.scope?.ref else {
            throw APIError.badRequest("scope must be {\"level\": \"project\", \"ref\": <project id>}")
        }
        let project = try await env.readableProject(String(projectID), isName: false, caller, requiring: Permission(.tagRetention, .create))
        let (rules, cron) = try RetentionRules.validate(request)
        let now = Clock.nowMilliseconds()
        let created: RetentionPolicyRecord
        do {
            created = try await stores().0.create(RetentionPolicyRecord(projectID: project.id, rules: rules, cron: cron, createdAt: now, updatedAt: now))
        } catch let conflict as MetadataConflict {
            throw APIError(.conflict, conflict.description)
        }
        try await schedule(created)
        await env.recordChange(caller, "create", "retention_policy", project.name, projectID: project.id)
        return created.id
    }

    /// One policy.
    public func get(_ id: Int64, _ caller: Caller) async throws -> RetentionPolicyView {
        let (policy, _) = try await policy(id, caller, Permission(.tagRetention, .read))
        return Self.view(policy)
    }

    /// The policy of the project called `project` (nil when it has none), for a caller who may read it.
    public func policy(ofProject project: String, _ caller: Caller) async throws -> RetentionPolicyView? {
        let record = try await env.readableProject(project, isName: true, caller, requiring: Permission(.tagRetention, .read))
        return try await stores().0.policy(projectID: record.id).map(Self.view)
    }

    /// Replaces a policy's rules and schedule (its project stays).
    public func update(_ id: Int64, _ request: RetentionPolicyRequest, _ caller: Caller) async throws {
        var (policy, project) = try await policy(id, caller, Permission(.tagRetention, .update))
        if let ref = request.scope?.ref, ref != policy.projectID { throw APIError.badRequest("a policy stays with its project") }
        (policy.rules, policy.cron) = try RetentionRules.validate(request)
        policy.updatedAt = Clock.nowMilliseconds()
        guard try await stores().0.update(policy) else { throw APIError.notFound("retention policy \(id)") }
        try await schedule(policy)
        await env.recordChange(caller, "update", "retention_policy", project.name, projectID: project.id)
    }

    /// Deletes a policy with its runs and schedule.
    public func delete(_ id: Int64, _ caller: Caller) async throws {
        var (policy, project) = try await policy(id, caller, Permission(.tagRetention, .delete))
        guard try await stores().0.delete(id: id) else { throw APIError.notFound("retention policy \(id)") }
        policy.cron = ""
        try await schedule(policy)
        await env.recordChange(caller, "delete", "retention_policy", project.name, projectID: project.id)
    }

    /// Starts a run (or a dry run) now; returns its id. One run of a policy at a time.
    public func run(_ id: Int64, _ request: RetentionRunRequest, _ caller: Caller) async throws -> Int64 {
        let (policy, project) = try await policy(id, caller, Permission(.tagRetention, .update))
        let (store, jobs) = try stores()
        if try await store.executions(policyID: id, offset: 0, limit: 1).items.first?.status == "Running" {
            throw APIError(.conflict, "a run of this policy is in progress; stop it or wait for it to end")
        }
        let now = Clock.nowMilliseconds()
        let execution = try await store.startExecution(policyID: policy.id, trigger: "MANUAL", dryRun: request.dryRun ?? false, now: now)
        // A run repeated after a crash decides again from what is there, so the job may be taken up again.
        _ = try await jobs.enqueue(kind: Self.jobKind, payload: #"{"execution_id":\#(execution.id)}"#, runAt: now, maxAttempts: 3, now: now)
        await env.recordChange(caller, request.dryRun == true ? "dry run" : "run", "retention_policy", project.name, projectID: project.id)
        return execution.id
    }

    /// A policy's runs, newest first.
    public func executions(_ id: Int64, offset: Int, limit: Int, _ caller: Caller) async throws -> ListPage<RetentionExecutionView> {
        _ = try await policy(id, caller, Permission(.tagRetention, .list))
        let page = try await stores().0.executions(policyID: id, offset: offset, limit: limit)
        return ListPage(items: page.items.map(Self.view), total: page.total)
    }

    /// One run of a policy.
    public func execution(_ id: Int64, execution: Int64, _ caller: Caller) async throws -> RetentionExecutionView {
        _ = try await policy(id, caller, Permission(.tagRetention, .read))
        guard let record = try await stores().0.execution(id: execution, policyID: id) else { throw APIError.notFound("retention execution \(execution)") }
        return Self.view(record)
    }

    /// Stops a run (`{"action": "stop"}`).
    public func stop(_ id: Int64, execution: Int64, _ request: RetentionExecutionAction, _ caller: Caller) async throws {
        _ = try await policy(id, caller, Permission(.tagRetention, .stop))
        guard request.action == "stop" else { throw APIError.badRequest("the only action is stop") }
        let store = try stores().0
        guard try await store.execution(id: execution, policyID: id) != nil else { throw APIError.notFound("retention execution \(execution)") }
        guard try await store.requestStop(id: execution, policyID: id) else { throw APIError(.conflict, "retention execution \(execution) has ended") }
    }

    /// A run's tasks, one per repository.
    public func tasks(_ id: Int64, execution: Int64, offset: Int, limit: Int, _ caller: Caller) async throws -> ListPage<RetentionTaskView> {
        let (_, project) = try await policy(id, caller, Permission(.tagRetention, .list))
        let store = try stores().0
        guard try await store.execution(id: execution, policyID: id) != nil else { throw APIError.notFound("retention execution \(execution)") }
        let page = try await store.tasks(executionID: execution, offset: offset, limit: limit)
        return ListPage(items: page.items.map { Self.view($0, project: project.name) }, total: page.total)
    }

    /// A task's log: what was retained and deleted, and why.
    public func log(_ id: Int64, execution: Int64, task: Int64, _ caller: Caller) async throws -> String {
        _ = try await policy(id, caller, Permission(.tagRetention, .read))
        let store = try stores().0
        guard try await store.execution(id: execution, policyID: id) != nil,
              let record = try await store.task(id: task, executionID: execution) else { throw APIError.notFound("retention task \(task)") }
        return record.log
    }

    /// The policy and its project, for a caller holding `permission` there.
    private func policy(_ id: Int64, _ caller: Caller, _ permission: Permission) async throws -> (RetentionPolicyRecord, ProjectRecord) {
        guard let policy = try await stores().0.policy(id: id) else {
            throw caller.principal.isAuthenticated ? APIError.notFound("retention policy \(id)") : env.denial(caller)
        }
        let project = try await env.readableProject(String(policy.projectID), isName: false, caller, requiring: permission)
        return (policy, project)
    }

    /// Sets the policy's schedule (paused when it has none).
    private func schedule(_ policy: RetentionPolicyRecord) async throws {
        let jobs = try stores().1
        let name = "\(Self.jobKind)-\(policy.id)"
        let existing = try await jobs.schedules().first { $0.name == name }
        guard !policy.cron.isEmpty else {
            if var paused = existing, !paused.paused {
                paused.paused = true
                paused.updatedAt = Clock.nowMilliseconds()
                try await jobs.upsertSchedule(paused)
            }
            return
        }
        let now = Date()
        let next = (try? CronExpression(policy.cron))?.next(after: now) ?? now.addingTimeInterval(86_400)
        try await jobs.upsertSchedule(ScheduleRecord(name: name, kind: Self.jobKind, cron: policy.cron, payload: #"{"policy_id":\#(policy.id)}"#,
                                                     paused: false, nextRunAt: Int64(next.timeIntervalSince1970 * 1000),
                                                     updatedAt: Clock.nowMilliseconds()))
    }

    private func stores() throws -> (SQLRetentionStore, any JobStore) {
        guard let retention = env.retention, let jobs = env.jobs else { throw APIError(.unavailable, "tag retention is not available on this server") }
        return (retention, jobs)
    }

    static func view(_ policy: RetentionPolicyRecord) -> RetentionPolicyView {
        RetentionPolicyView(
            id: policy.id, algorithm: "or",
            rules: policy.rules.map { rule in
                RetentionPolicyView.Rule(
                    id: rule.id, priority: rule.priority, disabled: rule.disabled, action: "retain", template: rule.template,
                    params: rule.template == "always" ? [:] : [rule.template: .integer(Int64(rule.count))],
                    tagSelectors: [.init(kind: "doublestar", decoration: rule.tagDecoration, pattern: rule.tagPattern,
                                         extras: rule.untagged ? #"{"untagged":true}"# : #"{"untagged":false}"#)],
                    scopeSelectors: ["repository": [.init(kind: "doublestar", decoration: rule.repositoryDecoration, pattern: rule.repositoryPattern,
                                                          extras: "")]])
            },
            trigger: .init(kind: "Schedule", settings: ["cron": policy.cron], references: [:]),
            scope: .init(level: "project", ref: policy.projectID))
    }

    static func view(_ execution: RetentionExecutionRecord) -> RetentionExecutionView {
        RetentionExecutionView(id: execution.id, policyId: execution.policyID, startTime: APITime.string(execution.startedAt),
                               endTime: execution.endedAt.map(APITime.string) ?? "", status: execution.status, trigger: execution.trigger,
                               dryRun: execution.dryRun)
    }

    static func view(_ task: RetentionTaskRecord, project: String) -> RetentionTaskView {
        RetentionTaskView(id: task.id, executionId: task.executionID, repository: String(task.repository.dropFirst(project.count + 1)), jobId: "",
                          status: task.status, statusCode: 0, statusRevision: 0, startTime: APITime.string(task.startedAt),
                          endTime: task.endedAt.map(APITime.string) ?? "", total: task.total, retained: task.retained)
    }
}
