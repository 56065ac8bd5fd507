import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// A project's tag immutability tab (Harbor's Policy → Tag Immutability): its rules, and for maintainers and project
/// admins the add form and each rule's enable, disable and delete forms.
extension PortalController {
    @Sendable func immutableRuleList(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await immutableRulesPage(request, context, try await visit(request), draft: nil)
    }

    @Sendable func createImmutableRule(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let project = Self.parameter(context, "project")
        return try await formChange(request, context) { form, caller in
            _ = try await immutableTags.create(project, isName: true, ImmutableRuleDraft(form).request(), caller)
            return immutablePath(project)
        } refused: { visitor, form, error in
            try await immutableRulesPage(request, context, visitor, draft: ImmutableRuleDraft(form), problem: Self.immutableSentence(error),
                                         status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func setImmutableRuleState(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let project = Self.parameter(context, "project")
        return try await formChange(request, context) { form, caller in
            guard let enabled = form["enabled"].flatMap(Bool.init) else { throw APIError.badRequest("Choose whether the rule is enabled.") }
            try await immutableTags.update(project, isName: true, id: try Self.identifier(context, "rule", what: "immutability rule"),
                                           .rule(repositoryDecoration: nil, repositories: nil, tagDecoration: nil, tags: nil, disabled: !enabled), caller)
            return immutablePath(project)
        } refused: { visitor, _, error in
            try await immutableRulesPage(request, context, visitor, draft: nil, problem: Self.immutableSentence(error),
                                         status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func deleteImmutableRule(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let project = Self.parameter(context, "project")
        return try await formChange(request, context) { _, caller in
            try await immutableTags.delete(project, isName: true, id: try Self.identifier(context, "rule", what: "immutability rule"), caller)
            return immutablePath(project)
        } refused: { visitor, _, error in
            try await immutableRulesPage(request, context, visitor, draft: nil, problem: Self.immutableSentence(error),
                                         status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    func immutablePath(_ project: String) -> String { "/harbor/projects/\(project)/tag-immutability" }

    /// The service's message as a sentence a person reads.
    static func immutableSentence(_ error: APIError) -> String {
        error.code == .conflict ? "The project already has a rule for these repositories and tags." : sentenceCase(error.message)
    }

    func immutableRulesPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, draft: ImmutableRuleDraft?,
                            problem: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let projectName = Self.parameter(context, "project")
        do {
            let (caller, project, permissions) = try await projectScope(projectName, visitor, request, context)
            let rules = try await immutableTags.list(project.name, isName: true, query: ListQuery(offset: 0, limit: 100), caller)
            let canUpdate = permissions.contains(Permission(.immutableTag, .update))
            let canDelete = permissions.contains(Permission(.immutableTag, .delete))
            let rows = rules.items.map { rule in
                let repositories = rule.scopeSelectors["repository"]?.first, tags = rule.tagSelectors.first
                let path = immutablePath(project.name) + "/\(rule.id)"
                return ImmutableRuleRow(
                    id: rule.id, repositories: (repositories?.decoration == "repoExcludes" ? "excluding " : "matching ") + (repositories?.pattern ?? ""),
                    tags: (tags?.decoration == "excludes" ? "excluding " : "matching ") + (tags?.pattern ?? ""), enabled: !rule.disabled,
                    state: rule.disabled ? "Disabled" : "Enabled", canUpdate: canUpdate, stateAction: path + "/state", canDelete: canDelete,
                    deleteAction: path + "/delete")
            }
            let draft = draft ?? ImmutableRuleDraft(repositoryDecoration: "repoMatches", repositories: "**", tagDecoration: "matches", tags: "")
            let form = permissions.contains(Permission(.immutableTag, .create)) ? ImmutableRuleForm(
                action: immutablePath(project.name), repositories: draft.repositories, tags: draft.tags,
                repositoryDecorations: [("repoMatches", "matching"), ("repoExcludes", "excluding")].map {
                    SelectOption(value: $0.0, label: $0.1, selected: $0.0 == draft.repositoryDecoration)
                },
                tagDecorations: [("matches", "matching"), ("excludes", "excluding")].map {
                    SelectOption(value: $0.0, label: $0.1, selected: $0.0 == draft.tagDecoration)
                }, full: rows.count >= 15) : nil
            let content = ImmutableRulesPage(frame: frame(visitor), project: project.name, access: PortalFormat.access(project.metadata),
                                             tabs: tabs(project.name, active: "immutability", permissions), problem: problem, form: form, rows: rows,
                                             hasRows: !rows.isEmpty)
            return finish(renderer.page("immutable-rules", content, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }
}

/// What was typed into the add-rule form.
struct ImmutableRuleDraft {
    let repositoryDecoration: String
    let repositories: String
    let tagDecoration: String
    let tags: String

    init(repositoryDecoration: String, repositories: String, tagDecoration: String, tags: String) {
        self.repositoryDecoration = repositoryDecoration
        self.repositories = repositories
        self.tagDecoration = tagDecoration
        self.tags = tags
    }

    init(_ form: FormFields) {
        repositoryDecoration = form["repository_decoration"] ?? "repoMatches"
        repositories = (form["repositories"] ?? "").trimmingCharacters(in: .whitespaces)
        tagDecoration = form["tag_decoration"] ?? "matches"
        tags = (form["tags"] ?? "").trimmingCharacters(in: .whitespaces)
    }

    /// The service request (the service checks the decorations and patterns).
    func request() throws -> ImmutableRuleRequest {
        guard !repositories.isEmpty else { throw APIError.badRequest("Enter the repositories the rule is for (** for all of them).") }
        guard !tags.isEmpty else { throw APIError.badRequest("Enter the tags the rule makes immutable (** for all of them).") }
        return .rule(repositoryDecoration: repositoryDecoration, repositories: repositories, tagDecoration: tagDecoration, tags: tags, disabled: false)
    }
}

/// A project's immutability rules.
struct ImmutableRulesPage: Sendable {
    let frame: Frame
    let project: String
    let access: String
    let tabs: [ProjectTab]
    let problem: String?
    let form: ImmutableRuleForm?
    let rows: [ImmutableRuleRow]
    let hasRows: Bool
}

/// The add-rule form.
struct ImmutableRuleForm: Sendable {
    let action: String
    let repositories: String
    let tags: String
    let repositoryDecorations: [SelectOption]
    let tagDecorations: [SelectOption]
    /// The project has its 15 rules.
    let full: Bool
}

/// One rule as the tab lists it.
struct ImmutableRuleRow: Sendable {
    let id: Int64
    let repositories: String
    let tags: String
    let enabled: Bool
    let state: String
    let canUpdate: Bool
    let stateAction: String
    let canDelete: Bool
    let deleteAction: String
}
