import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// A project's tag retention tab (Harbor's Policy → Tag Retention): the policy's rules in words, the add-rule form,
/// the schedule, dry run and run buttons, and the runs — each with its repositories, counts and logs. Developers
/// see it; maintainers and project admins change and run it.
extension PortalController {
    @Sendable func retentionTab(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await retentionPage(request, context, try await visit(request), draft: nil)
    }

    @Sendable func addRetentionRule(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let project = Self.parameter(context, "project")
        return try await formChange(request, context) { form, caller in
            try await changeRetention(project, caller) { rules, _ in rules.append(try Self.retentionDraft(form)) }
            return retentionPath(project)
        } refused: { visitor, form, error in
            try await retentionPage(request, context, visitor, draft: try? Self.retentionDraft(form), problem: Self.sentenceCase(error.message),
                                    status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func setRetentionRuleState(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let project = Self.parameter(context, "project")
        return try await formChange(request, context) { form, caller in
            let index = try Self.ruleIndex(context)
            guard let enabled = form["enabled"].flatMap(Bool.init) else { throw APIError.badRequest("Choose whether the rule is enabled.") }
            try await changeRetention(project, caller) { rules, _ in
                guard rules.indices.contains(index) else { throw APIError.notFound("rule \(index + 1)") }
                rules[index].disabled = !enabled
            }
            return retentionPath(project)
        } refused: { visitor, _, error in
            try await retentionPage(request, context, visitor, draft: nil, problem: Self.sentenceCase(error.message),
                                    status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func deleteRetentionRule(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let project = Self.parameter(context, "project")
        return try await formChange(request, context) { _, caller in
            let index = try Self.ruleIndex(context)
            try await changeRetention(project, caller) { rules, _ in
                guard rules.indices.contains(index) else { throw APIError.notFound("rule \(index + 1)") }
                rules.remove(at: index)
            }
            return retentionPath(project)
        } refused: { visitor, _, error in
            try await retentionPage(request, context, visitor, draft: nil, problem: Self.sentenceCase(error.message),
                                    status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func setRetentionSchedule(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let project = Self.parameter(context, "project")
        return try await formChange(request, context) { form, caller in
            let cron: String
            switch form["schedule"] ?? "" {
            case "none": cron = ""
            case "hourly": cron = "0 0 * * * *"
            case "daily": cron = "0 0 0 * * *"
            case "weekly": cron = "0 0 0 * * 0"
            case "custom": cron = (form["cron"] ?? "").trimmingCharacters(in: .whitespaces)
            default: throw APIError.badRequest("Choose how often the policy runs.")
            }
            try await changeRetention(project, caller) { _, schedule in schedule = cron }
            return retentionPath(project)
        } refused: { visitor, _, error in
            try await retentionPage(request, context, visitor, draft: nil, problem: Self.sentenceCase(error.message),
                                    status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func runRetention(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let project = Self.parameter(context, "project")
        return try await formChange(request, context) { form, caller in
            guard let policy = try await retention.policy(ofProject: project, caller) else {
                throw APIError.badRequest("Add a rule before running the policy.")
            }
            let execution = try await retention.run(policy.id, RetentionRunRequest(dryRun: form["dry_run"] == "true"), caller)
            return retentionPath(project) + "/executions/\(execution)"
        } refused: { visitor, _, error in
            try await retentionPage(request, context, visitor, draft: nil, problem: Self.sentenceCase(error.message),
                                    status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func stopRetention(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let project = Self.parameter(context, "project")
        return try await formChange(request, context) { _, caller in
            let execution = try Self.identifier(context, "execution", what: "run")
            guard let policy = try await retention.policy(ofProject: project, caller) else { throw APIError.notFound("run \(execution)") }
            try await retention.stop(policy.id, execution: execution, RetentionExecutionAction(action: "stop"), caller)
            return retentionPath(project) + "/executions/\(execution)"
        } refused: { visitor, _, error in
            try await retentionPage(request, context, visitor, draft: nil, problem: Self.sentenceCase(error.message),
                                    status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    /// One run: its repositories with what was kept and deleted.
    @Sendable func retentionExecutionPage(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        let projectName = Self.parameter(context, "project")
        do {
            let executionID = try Self.identifier(context, "execution", what: "run")
            let (caller, project, permissions) = try await projectScope(projectName, visitor, request, context)
            guard let policy = try await retention.policy(ofProject: project.name, caller) else { throw APIError.notFound("run \(executionID)") }
            let execution = try await retention.execution(policy.id, execution: executionID, caller)
            let tasks = try await retention.tasks(policy.id, execution: executionID, offset: 0, limit: 500, caller)
            var rows: [RetentionTaskRow] = []
            for task in tasks.items {
                rows.append(RetentionTaskRow(id: task.id, repository: task.repository, status: task.status, total: task.total, retained: task.retained,
                                             log: try await retention.log(policy.id, execution: executionID, task: task.id, caller)))
            }
            let page = RetentionExecutionPage(
                frame: frame(visitor), project: project.name, access: PortalFormat.access(project.metadata),
                tabs: tabs(project.name, active: "retention", permissions), id: executionID, status: execution.status,
                kind: execution.dryRun ? "Dry run" : "Run", trigger: execution.trigger == "SCHEDULE" ? "Schedule" : "Manual",
                started: PortalFormat.shownTime(execution.startTime), ended: PortalFormat.shownTime(execution.endTime),
                live: execution.status == "Running", canStop: execution.status == "Running" && permissions.contains(Permission(.tagRetention, .stop)),
                stopAction: retentionPath(project.name) + "/executions/\(executionID)/stop", rows: rows, hasRows: !rows.isEmpty)
            return finish(renderer.page("retention-execution", page), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    func retentionPath(_ project: String) -> String { "/harbor/projects/\(project)/tag-retention" }

    /// Applies `change` to the project's rules and schedule and saves them (creating the policy on its first rule).
    func changeRetention(_ project: String, _ caller: Caller, _ change: (inout [RetentionRuleDraft], inout String) throws -> Void) async throws {
        let projectID = try await projects.get(project, isName: true, caller).projectId
        let current = try await retention.policy(ofProject: project, caller)
        var rules = current?.rules.map(RetentionRuleDraft.init) ?? []
        var cron = current?.trigger.settings["cron"] ?? ""
        try change(&rules, &cron)
        let request = RetentionPolicyRequest.policy(projectID: projectID, rules: rules, cron: cron)
        if let current {
            try await retention.update(current.id, request, caller)
        } else {
            _ = try await retention.create(request, caller)
        }
    }

    static func ruleIndex(_ context: BerthRequestContext) throws -> Int { Int(try identifier(context, "rule", what: "rule")) - 1 }

    static func retentionDraft(_ form: FormFields) throws -> RetentionRuleDraft {
        let template = form["template"] ?? ""
        let count = (form["count"] ?? "").trimmingCharacters(in: .whitespaces)
        guard template == "always" || Int(count) != nil else { throw APIError.badRequest("Enter how many artifacts or days the rule keeps.") }
        return RetentionRuleDraft(template: template, count: min(max(Int(count) ?? 0, -1), 1_000_000), repositoryDecoration: form["repository_decoration"] ?? "repoMatches",
                                  repositories: (form["repositories"] ?? "").trimmingCharacters(in: .whitespaces),
                                  tagDecoration: form["tag_decoration"] ?? "matches", tags: (form["tags"] ?? "").trimmingCharacters(in: .whitespaces),
                                  untagged: form["untagged"] == "true", disabled: false)
    }

    /// A rule in words, as Harbor's portal shows it.
    static func describe(_ rule: RetentionRuleDraft) -> String {
        let text = (RetentionService.templates.first { $0.template == rule.template }?.text ?? rule.template).replacingOccurrences(of: "#", with: String(rule.count))
        let repositories = (rule.repositoryDecoration == "repoExcludes" ? "excluding " : "matching ") + rule.repositories
        let tags = (rule.tagDecoration == "excludes" ? "excluding " : "matching ") + rule.tags
        return "For the repositories \(repositories), \(text) with tags \(tags)" + (rule.untagged ? " (untagged artifacts included)" : "")
    }

    func retentionPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, draft: RetentionRuleDraft?,
                       problem: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let projectName = Self.parameter(context, "project")
        do {
            let (caller, project, permissions) = try await projectScope(projectName, visitor, request, context)
            let policy = try await retention.policy(ofProject: project.name, caller)
            let canChange = permissions.contains(Permission(.tagRetention, .update))
            let rules = (policy?.rules ?? []).enumerated().map { index, rule in
                let path = retentionPath(project.name) + "/rules/\(index + 1)"
                return RetentionRuleRow(number: index + 1, text: Self.describe(RetentionRuleDraft(rule)), enabled: !rule.disabled,
                                        state: rule.disabled ? "Disabled" : "Enabled", canChange: canChange, stateAction: path + "/state",
                                        deleteAction: path + "/delete")
            }
            let cron = policy?.trigger.settings["cron"] ?? ""
            var executions: [RetentionExecutionView] = []
            if let policy { executions = try await retention.executions(policy.id, offset: 0, limit: 20, caller).items }
            let runs = executions.map { run in
                RetentionRunRow(id: run.id, href: retentionPath(project.name) + "/executions/\(run.id)", status: run.status,
                                kind: run.dryRun ? "Dry run" : "Run", trigger: run.trigger == "SCHEDULE" ? "Schedule" : "Manual",
                                started: PortalFormat.shownTime(run.startTime), ended: PortalFormat.shownTime(run.endTime))
            }
            let draft = draft ?? RetentionRuleDraft(template: "latestPushedK", count: 10, repositoryDecoration: "repoMatches", repositories: "**",
                                                    tagDecoration: "matches", tags: "**", untagged: false, disabled: false)
            let form = canChange && rules.count < 15 ? RetentionRuleForm(
                action: retentionPath(project.name) + "/rules", count: draft.template == "always" ? "" : String(draft.count),
                templates: RetentionService.templates.map { SelectOption(value: $0.template, label: $0.text, selected: $0.template == draft.template) },
                repositoryDecorations: [("repoMatches", "matching"), ("repoExcludes", "excluding")].map {
                    SelectOption(value: $0.0, label: $0.1, selected: $0.0 == draft.repositoryDecoration)
                },
                repositories: draft.repositories,
                tagDecorations: [("matches", "matching"), ("excludes", "excluding")].map { SelectOption(value: $0.0, label: $0.1, selected: $0.0 == draft.tagDecoration) },
                tags: draft.tags, untagged: draft.untagged) : nil
            let schedules = [("none", "None"), ("hourly", "Hourly"), ("daily", "Daily"), ("weekly", "Weekly"), ("custom", "Custom")]
            let chosen = ["": "none", "0 0 * * * *": "hourly", "0 0 0 * * *": "daily", "0 0 0 * * 0": "weekly"][cron] ?? "custom"
            let content = RetentionPage(
                frame: frame(visitor), project: project.name, access: PortalFormat.access(project.metadata),
                tabs: tabs(project.name, active: "retention", permissions), problem: problem, rules: rules, hasRules: !rules.isEmpty, form: form,
                schedule: cron.isEmpty ? "None" : cron, canChange: canChange && policy != nil,
                scheduleAction: retentionPath(project.name) + "/schedule",
                scheduleOptions: schedules.map { SelectOption(value: $0.0, label: $0.1, selected: $0.0 == chosen) }, cron: chosen == "custom" ? cron : "",
                canRun: canChange && policy != nil, runAction: retentionPath(project.name) + "/run", runs: runs, hasRuns: !runs.isEmpty,
                live: runs.contains { $0.status == "Running" })
            return finish(renderer.page("retention", content, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }
}

/// A project's retention tab.
struct RetentionPage: Sendable {
    let frame: Frame
    let project: String
    let access: String
    let tabs: [ProjectTab]
    let problem: String?
    let rules: [RetentionRuleRow]
    let hasRules: Bool
    let form: RetentionRuleForm?
    let schedule: String
    let canChange: Bool
    let scheduleAction: String
    let scheduleOptions: [SelectOption]
    let cron: String
    let canRun: Bool
    let runAction: String
    let runs: [RetentionRunRow]
    let hasRuns: Bool
    let live: Bool
}

/// One rule in words.
struct RetentionRuleRow: Sendable {
    let number: Int
    let text: String
    let enabled: Bool
    let state: String
    let canChange: Bool
    let stateAction: String
    let deleteAction: String
}

/// The add-rule form.
struct RetentionRuleForm: Sendable {
    let action: String
    let count: String
    let templates: [SelectOption]
    let repositoryDecorations: [SelectOption]
    let repositories: String
    let tagDecorations: [SelectOption]
    let tags: String
    let untagged: Bool
}

/// One run in the list.
struct RetentionRunRow: Sendable {
    let id: Int64
    let href: String
    let status: String
    let kind: String
    let trigger: String
    let started: String
    let ended: String
}

/// One run with its repositories.
struct RetentionExecutionPage: Sendable {
    let frame: Frame
    let project: String
    let access: String
    let tabs: [ProjectTab]
    let id: Int64
    let status: String
    let kind: String
    let trigger: String
    let started: String
    let ended: String
    let live: Bool
    let canStop: Bool
    let stopAction: String
    let rows: [RetentionTaskRow]
    let hasRows: Bool
}

/// What a run did in one repository.
struct RetentionTaskRow: Sendable {
    let id: Int64
    let repository: String
    let status: String
    let total: Int
    let retained: Int
    let log: String
}
