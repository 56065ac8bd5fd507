import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// A project's webhooks tab: its policies with when each last fired, and for each policy its executions (one per
/// event) and their tasks (one per receiver, with the receiver's answer). Maintainers read them; project admins
/// create, edit, enable, disable and delete policies.
extension PortalController {
    @Sendable func webhookList(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await webhooksPage(request, context, visitor, draft: nil)
    }

    @Sendable func createWebhook(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let project = Self.parameter(context, "project")
        let draft = WebhookDraft(form)
        do {
            let id = try await webhooks.create(project, isName: true, try draft.request(), caller(visitor, request, context))
            return Self.redirect(webhooksPath(project) + "/\(id)")
        } catch let error as APIError {
            return try await webhooksPage(request, context, visitor, draft: draft, problem: Self.sentence(error),
                                          status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func webhookPolicyPage(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await policyPage(request, context, visitor, draft: nil)
    }

    @Sendable func updateWebhook(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let project = Self.parameter(context, "project")
        let draft = WebhookDraft(form)
        do {
            let id = try Self.policyID(context)
            let caller = caller(visitor, request, context)
            // The form edits one target; a policy with several (made through the API) keeps its targets as they are.
            let policy = try await webhooks.get(project, isName: true, id: id, caller)
            try await webhooks.update(project, isName: true, id: id, try draft.request(keepingTargets: policy.targets.count > 1), caller)
            return Self.redirect(webhooksPath(project) + "/\(id)")
        } catch let error as APIError {
            return try await policyPage(request, context, visitor, draft: draft, problem: Self.sentence(error),
                                        status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func setWebhookState(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let project = Self.parameter(context, "project")
        do {
            guard let enabled = form["enabled"].flatMap(Bool.init) else { throw APIError.badRequest("Choose whether the policy is enabled.") }
            try await webhooks.update(project, isName: true, id: try Self.policyID(context), .state(enabled: enabled), caller(visitor, request, context))
            return Self.redirect(webhooksPath(project))
        } catch let error as APIError {
            return try await webhooksPage(request, context, visitor, draft: nil, problem: error.message, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func deleteWebhook(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        let project = Self.parameter(context, "project")
        do {
            try await webhooks.delete(project, isName: true, id: try Self.policyID(context), caller(visitor, request, context))
            return Self.redirect(webhooksPath(project))
        } catch let error as APIError {
            return try await webhooksPage(request, context, visitor, draft: nil, problem: error.message, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    /// One execution's tasks: each receiver, its status, attempts, last answer and full log.
    @Sendable func webhookExecutionPage(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        let projectName = Self.parameter(context, "project")
        do {
            let policyID = try Self.policyID(context)
            let executionID = try Self.identifier(context, "execution", what: "execution")
            let (caller, project, permissions) = try await projectScope(projectName, visitor, request, context)
            let policy = try await webhooks.get(project.name, isName: true, id: policyID, caller)
            let tasks = try await webhooks.tasks(project.name, isName: true, policyID: policyID, executionID: executionID,
                                                 query: ListQuery(offset: 0, limit: 100), caller)
            var rows: [WebhookTaskRow] = []
            for task in tasks.items {
                let log = try await webhooks.log(project.name, isName: true, policyID: policyID, executionID: executionID, taskID: task.id, caller)
                rows.append(WebhookTaskRow(id: task.id, address: task.extraAttrs["address"]?.string ?? "", status: task.status,
                                           attempts: task.runCount, statusCode: task.extraAttrs["status_code"]?.integer.map(String.init) ?? "",
                                           message: task.statusMessage, log: log, started: PortalFormat.shownTime(task.startTime),
                                           ended: PortalFormat.shownTime(task.endTime)))
            }
            let page = WebhookExecutionPage(frame: frame(visitor), project: project.name, access: PortalFormat.access(project.metadata),
                                            tabs: tabs(project.name, active: "webhooks", permissions), policy: policy.name,
                                            policyPath: webhooksPath(project.name) + "/\(policyID)", execution: executionID, rows: rows,
                                            hasRows: !rows.isEmpty)
            return finish(renderer.page("webhook-execution", page), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    func webhooksPath(_ project: String) -> String { "/harbor/projects/\(project)/webhook" }

    static func policyID(_ context: BerthRequestContext) throws -> Int64 { try identifier(context, "policy", what: "webhook policy") }

    /// The service's message as a sentence a person reads (its messages name the API's fields).
    static func sentence(_ error: APIError) -> String {
        error.code == .conflict ? "There is already a policy with that name in this project." : error.message.prefix(1).uppercased() + error.message.dropFirst()
    }

    func webhooksPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, draft: WebhookDraft?, problem: String? = nil,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let projectName = Self.parameter(context, "project")
        let pageNumber = PortalFormat.pageNumber(request)
        do {
            let (caller, project, permissions) = try await projectScope(projectName, visitor, request, context)
            let page = try await webhooks.list(project.name, isName: true,
                                               query: ListQuery(offset: (pageNumber - 1) * PortalFormat.pageSize, limit: PortalFormat.pageSize), caller)
            let fired = try await webhooks.lastTriggers(project.name, isName: true, caller)
            let canUpdate = permissions.contains(Permission(.notificationPolicy, .update))
            let canDelete = permissions.contains(Permission(.notificationPolicy, .delete))
            let rows = page.items.map { policy in
                let last = PortalFormat.shownTime(fired.filter { $0.policyName == policy.name }.map(\.lastTriggerTime).max() ?? "")
                let path = webhooksPath(project.name) + "/\(policy.id)"
                return WebhookRow(id: policy.id, name: policy.name, href: path, enabled: policy.enabled, state: policy.enabled ? "Enabled" : "Disabled",
                                  notifyType: policy.targets.first?.type ?? "", address: policy.targets.map(\.address).joined(separator: ", "),
                                  events: policy.eventTypes.map(PortalFormat.eventLabel).joined(separator: ", "),
                                  lastTriggered: last == "—" ? "Never" : last, created: PortalFormat.shownTime(policy.creationTime),
                                  canUpdate: canUpdate, stateAction: path + "/state", canDelete: canDelete, deleteAction: path + "/delete")
            }
            let canCreate = permissions.contains(Permission(.notificationPolicy, .create))
            let form = canCreate ? try await webhookForm(project.name, draft: draft, caller) : nil
            let content = WebhooksPage(frame: frame(visitor), project: project.name, access: PortalFormat.access(project.metadata),
                                       tabs: tabs(project.name, active: "webhooks", permissions), problem: problem, form: form, rows: rows,
                                       hasRows: !rows.isEmpty, pager: PortalFormat.pager(request, page: pageNumber, total: page.total, shown: rows.count))
            return finish(renderer.page("webhooks", content, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    func policyPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, draft: WebhookDraft?, problem: String? = nil,
                    status: HTTPResponse.Status = .ok) async throws -> Response {
        let projectName = Self.parameter(context, "project")
        let pageNumber = PortalFormat.pageNumber(request)
        do {
            let policyID = try Self.policyID(context)
            let (caller, project, permissions) = try await projectScope(projectName, visitor, request, context)
            let policy = try await webhooks.get(project.name, isName: true, id: policyID, caller)
            let query = ListQuery(offset: (pageNumber - 1) * PortalFormat.pageSize, limit: PortalFormat.pageSize)
            let executions = try await webhooks.executions(project.name, isName: true, policyID: policyID, query: query, caller)
            let path = webhooksPath(project.name) + "/\(policyID)"
            let rows = executions.items.map { execution in
                WebhookExecutionRow(id: execution.id, href: path + "/executions/\(execution.id)",
                                    event: PortalFormat.eventLabel(execution.extraAttrs["event_type"]?.string ?? ""), status: execution.status,
                                    delivered: "\(execution.metrics.successTaskCount) of \(execution.metrics.taskCount)",
                                    started: PortalFormat.shownTime(execution.startTime), ended: PortalFormat.shownTime(execution.endTime))
            }
            let canUpdate = permissions.contains(Permission(.notificationPolicy, .update))
            let form = canUpdate ? try await webhookForm(project.name, draft: draft ?? WebhookDraft(policy), caller, action: path,
                                                         targetCount: policy.targets.count) : nil
            let target = policy.targets.first
            let content = WebhookPolicyPage(
                frame: frame(visitor), project: project.name, access: PortalFormat.access(project.metadata),
                tabs: tabs(project.name, active: "webhooks", permissions), name: policy.name, description: policy.description,
                state: policy.enabled ? "Enabled" : "Disabled", notifyType: target?.type ?? "", address: policy.targets.map(\.address).joined(separator: ", "),
                payloadFormat: target?.payloadFormat ?? "", events: policy.eventTypes.map(PortalFormat.eventLabel).joined(separator: ", "),
                creator: policy.creator, created: PortalFormat.shownTime(policy.creationTime), problem: problem, form: form, rows: rows,
                hasRows: !rows.isEmpty, live: rows.contains { $0.status == "Running" },
                pager: PortalFormat.pager(request, page: pageNumber, total: executions.total, shown: rows.count))
            return finish(renderer.page("webhook-policy", content, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    /// The policy form, filled from `draft` (a new policy subscribes to every event type).
    func webhookForm(_ project: String, draft: WebhookDraft?, _ caller: Caller, action: String? = nil, targetCount: Int = 1) async throws -> WebhookForm {
        let supported = try await webhooks.supported(project, isName: true, caller)
        let chosen = draft?.eventTypes ?? Set(supported.eventType)
        let type = draft?.notifyType ?? "http"
        let format = draft?.payloadFormat ?? "Default"
        return WebhookForm(
            action: action ?? webhooksPath(project), isNew: action == nil, editsTarget: targetCount <= 1, targetCount: targetCount, name: draft?.name ?? "", description: draft?.description ?? "",
            address: draft?.address ?? "", authHeader: draft?.authHeader ?? "", skipCertVerify: draft?.skipCertVerify ?? false,
            enabled: draft?.enabled ?? true,
            notifyTypes: supported.notifyType.map { SelectOption(value: $0, label: $0 == "http" ? "HTTP" : $0.capitalized, selected: $0 == type) },
            payloadFormats: ["Default", "CloudEvents"].map { SelectOption(value: $0, label: $0, selected: $0 == format) },
            events: supported.eventType.map { AccessChoice(value: $0, label: PortalFormat.eventLabel($0), checked: chosen.contains($0)) })
    }
}

/// What was typed into a webhook policy form, to send to the service or show again when it was refused.
struct WebhookDraft {
    let name: String
    let description: String
    let notifyType: String
    let address: String
    let authHeader: String
    let skipCertVerify: Bool
    let payloadFormat: String
    let enabled: Bool
    let eventTypes: Set<String>

    init(_ form: FormFields) {
        name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        description = form["description"] ?? ""
        notifyType = form["notify_type"] ?? "http"
        address = (form["address"] ?? "").trimmingCharacters(in: .whitespaces)
        authHeader = form["auth_header"] ?? ""
        skipCertVerify = form["skip_cert_verify"] == "true"
        payloadFormat = form["payload_format"] ?? "Default"
        enabled = form["enabled"] == "true"
        eventTypes = Set(form.all("event_type").prefix(32))
    }

    init(_ policy: WebhookPolicyView) {
        let target = policy.targets.first
        name = policy.name
        description = policy.description
        notifyType = target?.type ?? "http"
        address = target?.address ?? ""
        authHeader = target?.authHeader ?? ""
        skipCertVerify = target?.skipCertVerify ?? false
        payloadFormat = target?.payloadFormat ?? "Default"
        enabled = policy.enabled
        eventTypes = Set(policy.eventTypes)
    }

    /// The service request; Slack targets take no payload format. `keepingTargets` leaves the policy's targets alone
    /// (the form's target fields are not offered then).
    func request(keepingTargets: Bool = false) throws -> WebhookPolicyRequest {
        guard !eventTypes.isEmpty else { throw APIError.badRequest("Choose at least one event that sends a notification.") }
        guard keepingTargets || !address.isEmpty else { throw APIError.badRequest("Enter the address notifications are sent to.") }
        return .single(name: name, description: description, eventTypes: eventTypes.sorted(), type: notifyType, address: keepingTargets ? nil : address,
                       authHeader: authHeader, skipCertVerify: skipCertVerify, payloadFormat: notifyType == "slack" ? "Default" : payloadFormat,
                       enabled: enabled)
    }
}
