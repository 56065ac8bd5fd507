import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management
import Replication

/// Administration → Replications: rules (with their filters and triggers), starting and deleting one, the recent
/// executions with their progress (tasks and bytes, refreshed while one runs), and an execution's tasks with their
/// logs. The service refuses everyone but system administrators, as on the API.
extension PortalController {
    @Sendable func replicationList(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await replicationsPage(request, context, visitor, draft: nil)
    }

    @Sendable func createReplicationRule(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await formChange(request, context) { form, caller in
            _ = try await replications.create(try ReplicationRuleDraft(form).request(), caller)
            return "/harbor/replications"
        } refused: { visitor, form, error in
            try await replicationsPage(request, context, visitor, draft: ReplicationRuleDraft(form), problem: Self.sentenceCase(error.message),
                                       status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func startReplication(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await formChange(request, context) { _, caller in
            let policyID = try Self.identifier(context, "policy", what: "replication rule")
            return "/harbor/replications/executions/\(try await replications.start(PortalJSON.decode(["policy_id": policyID]), caller))"
        } refused: { visitor, _, error in
            try await replicationsPage(request, context, visitor, draft: nil, problem: Self.sentenceCase(error.message),
                                       status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func deleteReplicationRule(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await formChange(request, context) { _, caller in
            try await replications.delete(try Self.identifier(context, "policy", what: "replication rule"), caller)
            return "/harbor/replications"
        } refused: { visitor, _, error in
            try await replicationsPage(request, context, visitor, draft: nil, problem: Self.sentenceCase(error.message),
                                       status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func replicationExecutionPage(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await executionPage(request, context, visitor, problem: nil)
    }

    @Sendable func stopReplication(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        do {
            let id = try Self.identifier(context, "execution", what: "replication execution")
            try await replications.stop(id, caller(visitor, request, context))
            return Self.redirect("/harbor/replications/executions/\(id)")
        } catch let error as APIError {
            return try await executionPage(request, context, visitor, problem: Self.sentenceCase(error.message),
                                           status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    func replicationsPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, draft: ReplicationRuleDraft?,
                          problem: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        do {
            let caller = caller(visitor, request, context)
            let rules = try await replications.policies(name: nil, page: 1, pageSize: 100, caller).items
            let remotes = try await registries.list(name: nil, withHealth: false, caller)
            let names = Dictionary(rules.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
            let executions = try await replications.executions(policyID: nil, status: nil, trigger: nil, page: 1, pageSize: 15, caller).items
            let rows = rules.map(Self.ruleRow)
            let executionRows = executions.map { Self.executionRow($0, rule: names[$0.policyID] ?? "rule \($0.policyID)") }
            let page = ReplicationsPage(frame: frame(visitor), tabs: adminTabs(active: "replications"), problem: problem, formOpen: draft != nil,
                                        form: Self.ruleForm(draft, remotes), rules: rows, hasRules: !rows.isEmpty, executions: executionRows,
                                        hasExecutions: !executionRows.isEmpty, live: executions.contains { $0.status == "InProgress" })
            return finish(renderer.page("replications", page, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    func executionPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, problem: String?,
                       status: HTTPResponse.Status = .ok) async throws -> Response {
        let pageNumber = PortalFormat.pageNumber(request)
        do {
            let caller = caller(visitor, request, context)
            let id = try Self.identifier(context, "execution", what: "replication execution")
            let execution = try await replications.execution(id, caller)
            let rule = (try? await replications.policy(execution.policyID, caller))?.name ?? "rule \(execution.policyID)"
            let tasks = try await replications.tasks(executionID: id, status: nil, resourceType: nil, page: pageNumber, pageSize: PortalFormat.pageSize, caller)
            var rows: [ReplicationTaskRow] = []
            for task in tasks.items {
                let log = try await replications.log(executionID: id, taskID: task.id, caller)
                rows.append(ReplicationTaskRow(id: task.id, operation: task.operation, resourceType: task.resourceType, source: task.srcResource,
                                               destination: task.dstResource, status: task.status, bytesDone: task.bytesDone, bytesTotal: max(task.bytesTotal, 1),
                                               bytesText: Self.bytesText(task.bytesDone, task.bytesTotal), started: PortalFormat.shownTime(task.startTime),
                                               ended: PortalFormat.shownTime(task.endTime), log: log))
            }
            let running = execution.status == "InProgress"
            let page = ReplicationExecutionPage(frame: frame(visitor), tabs: adminTabs(active: "replications"), problem: problem,
                                                execution: Self.executionRow(execution, rule: rule), statusText: execution.statusText, canStop: running,
                                                stopAction: "/harbor/replications/executions/\(id)/stop", tasks: rows, hasTasks: !rows.isEmpty,
                                                live: running, pager: PortalFormat.pager(request, page: pageNumber, total: tasks.total, shown: rows.count))
            return finish(renderer.page("replication-execution", page, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    static func ruleRow(_ rule: ReplicationPolicyView) -> ReplicationRuleRow {
        let pull = rule.srcRegistry.id != 0
        let remote = pull ? rule.srcRegistry : rule.destRegistry
        var source = "every repository"
        var tags = ""
        for filter in rule.filters {
            guard case .text(let text) = filter.value, !text.isEmpty else { continue }
            switch filter.type {
            case "name": source = text
            case "tag": tags = (filter.decoration == "excludes" ? " except tags " : " tags ") + text
            case "resource": tags += " (\(text)s only)"
            default: break
            }
        }
        let flattening: String
        switch rule.destNamespaceReplaceCount {
        case -1: flattening = "flatten all levels"
        case 0: flattening = "no flattening"
        case let levels: flattening = "flatten \(levels) level\(levels == 1 ? "" : "s")"
        }
        let namespace = rule.destNamespace.isEmpty ? "same namespace" : rule.destNamespace
        let trigger: String
        switch rule.trigger.type {
        case "scheduled": trigger = "Scheduled (\(rule.trigger.triggerSettings.cron))"
        case "event_based": trigger = "Event based"
        default: trigger = "Manual"
        }
        return ReplicationRuleRow(id: rule.id, name: rule.name, mode: pull ? "Pull-based" : "Push-based", remote: "\(remote.name) (\(remote.url))",
                                  source: source + tags, destination: "\(namespace), \(flattening)", trigger: trigger,
                                  state: rule.enabled ? "Enabled" : "Disabled", enabled: rule.enabled,
                                  startAction: "/harbor/replications/\(rule.id)/start", deleteAction: "/harbor/replications/\(rule.id)/delete")
    }

    static func executionRow(_ execution: ReplicationExecutionView, rule: String) -> ReplicationExecutionRow {
        let done = execution.succeed + execution.failed + execution.stopped
        var tasksText = "\(done) of \(execution.total) tasks"
        if execution.failed > 0 { tasksText += ", \(execution.failed) failed" }
        return ReplicationExecutionRow(id: execution.id, href: "/harbor/replications/executions/\(execution.id)", rule: rule, status: execution.status,
                                       trigger: execution.trigger.replacingOccurrences(of: "_", with: " ").capitalized, tasksDone: done,
                                       tasksTotal: max(execution.total, 1), tasksText: tasksText, bytesDone: execution.bytesDone,
                                       bytesTotal: max(execution.bytesTotal, 1), bytesText: bytesText(execution.bytesDone, execution.bytesTotal),
                                       started: PortalFormat.shownTime(execution.startTime), ended: PortalFormat.shownTime(execution.endTime))
    }

    static func bytesText(_ done: Int64, _ total: Int64) -> String {
        "\(PortalFormat.shownSize(done)) of \(PortalFormat.shownSize(total))"
    }

    static func ruleForm(_ draft: ReplicationRuleDraft?, _ remotes: [RemoteRegistryView]) -> ReplicationRuleForm {
        let draft = draft ?? ReplicationRuleDraft()
        func options(_ pairs: [(String, String)], _ chosen: String) -> [SelectOption] {
            pairs.map { SelectOption(value: $0.0, label: $0.1, selected: $0.0 == chosen) }
        }
        return ReplicationRuleForm(
            name: draft.name, description: draft.description,
            modes: options([("push", "Push-based: from this registry to the remote one"), ("pull", "Pull-based: from the remote registry to this one")], draft.mode),
            registries: remotes.map { SelectOption(value: String($0.id), label: "\($0.name) (\($0.url))", selected: String($0.id) == draft.registry) },
            hasRegistries: !remotes.isEmpty, namePattern: draft.namePattern, tagPattern: draft.tagPattern,
            tagDecorations: options([("matches", "matching"), ("excludes", "excluding")], draft.tagDecoration),
            resources: options([("", "All"), ("image", "Images only"), ("artifact", "Artifacts")], draft.resource),
            destinationNamespace: draft.destinationNamespace,
            flattening: options([("0", "No flattening"), ("1", "Flatten 1 level"), ("2", "Flatten 2 levels"), ("3", "Flatten 3 levels"),
                                 ("-1", "Flatten all levels")], draft.flattening),
            triggers: options([("manual", "Manual"), ("scheduled", "Scheduled"), ("event_based", "Event based (push-based rules)")], draft.trigger),
            cron: draft.cron, override: draft.override, deletion: draft.deletion, copyByChunk: draft.copyByChunk, speed: draft.speed,
            enabled: draft.enabled)
    }

    /// A service message as a sentence.
    static func sentenceCase(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst()
    }
}

/// What was typed into the new-rule form.
struct ReplicationRuleDraft {
    var name = ""
    var description = ""
    var mode = "push"
    var registry = ""
    var namePattern = ""
    var tagPattern = ""
    var tagDecoration = "matches"
    var resource = ""
    var destinationNamespace = ""
    var flattening = "1"
    var trigger = "manual"
    var cron = ""
    var override = true
    var deletion = false
    var copyByChunk = false
    var speed = "-1"
    var enabled = true

    /// A new rule's defaults (Harbor's: override on, flatten one level, enabled).
    init() {}

    init(_ form: FormFields) {
        name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        description = form["description"] ?? ""
        mode = form["mode"] == "pull" ? "pull" : "push"
        registry = form["registry"] ?? ""
        namePattern = (form["filter_name"] ?? "").trimmingCharacters(in: .whitespaces)
        tagPattern = (form["filter_tag"] ?? "").trimmingCharacters(in: .whitespaces)
        tagDecoration = form["tag_decoration"] == "excludes" ? "excludes" : "matches"
        resource = form["filter_resource"] ?? ""
        destinationNamespace = (form["dest_namespace"] ?? "").trimmingCharacters(in: .whitespaces)
        flattening = form["flattening"] ?? "1"
        trigger = form["trigger"] ?? "manual"
        cron = (form["cron"] ?? "").trimmingCharacters(in: .whitespaces)
        override = form["override"] == "true"
        deletion = form["deletion"] == "true"
        copyByChunk = form["copy_by_chunk"] == "true"
        speed = (form["speed"] ?? "-1").trimmingCharacters(in: .whitespaces)
        enabled = form["enabled"] == "true"
    }

    /// The API's request, decoded from the JSON an API client would send (the service checks every rule).
    func request() throws -> ReplicationPolicyRequest {
        guard let registryID = Int64(registry), registryID > 0 else { throw APIError.badRequest("choose the remote registry") }
        guard flattening.count <= 4, let replaceCount = Int(flattening) else { throw APIError.badRequest("choose how to flatten the namespace") }
        guard speed.count <= 12, let speedValue = Int(speed.isEmpty ? "-1" : speed) else { throw APIError.badRequest("the bandwidth must be a whole number of KB/s") }
        var filters: [[String: Any]] = []
        if !namePattern.isEmpty { filters.append(["type": "name", "value": namePattern]) }
        if !tagPattern.isEmpty { filters.append(["type": "tag", "value": tagPattern, "decoration": tagDecoration]) }
        if !resource.isEmpty { filters.append(["type": "resource", "value": resource]) }
        var object: [String: Any] = [
            "name": name, "description": description, "dest_namespace": destinationNamespace, "dest_namespace_replace_count": replaceCount,
            "trigger": ["type": trigger, "trigger_settings": ["cron": trigger == "scheduled" ? cron : ""]], "filters": filters,
            "replicate_deletion": deletion, "override": override, "enabled": enabled, "speed": speedValue, "copy_by_chunk": copyByChunk,
        ]
        object[mode == "pull" ? "src_registry" : "dest_registry"] = ["id": registryID]
        return try PortalJSON.decode(object)
    }
}
