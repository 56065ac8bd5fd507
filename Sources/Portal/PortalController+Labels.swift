import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// Labels in the portal: Administration → Labels (global labels, system administrators) and a project's Labels tab
/// (its own labels; maintainers and project admins add and delete them, members see them).
extension PortalController {
    @Sendable func globalLabels(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await labelsPage(request, context, try await visit(request), project: nil, draft: nil)
    }

    @Sendable func projectLabels(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await labelsPage(request, context, try await visit(request), project: Self.parameter(context, "project"), draft: nil)
    }

    @Sendable func createGlobalLabel(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await createLabel(request, context, project: nil)
    }

    @Sendable func createProjectLabel(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await createLabel(request, context, project: Self.parameter(context, "project"))
    }

    @Sendable func deleteGlobalLabel(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await deleteLabel(request, context, project: nil)
    }

    @Sendable func deleteProjectLabel(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await deleteLabel(request, context, project: Self.parameter(context, "project"))
    }

    func labelsPath(_ project: String?) -> String { project.map { "/harbor/projects/\($0)/labels" } ?? "/harbor/labels" }

    func createLabel(_ request: Request, _ context: BerthRequestContext, project: String?) async throws -> Response {
        try await formChange(request, context) { form, caller in
            var projectID: Int64?
            if let project { projectID = try await projects.get(project, isName: true, caller).projectId }
            _ = try await labels.create(LabelRequest(name: form["name"] ?? "", description: form["description"] ?? "",
                                                     color: (form["color"] ?? "").trimmingCharacters(in: .whitespaces), projectID: projectID), caller)
            return labelsPath(project)
        } refused: { visitor, form, error in
            try await labelsPage(request, context, visitor, project: project, draft: form,
                                 problem: error.code == .conflict ? "There is already a label with that name." : error.message,
                                 status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    func deleteLabel(_ request: Request, _ context: BerthRequestContext, project: String?) async throws -> Response {
        try await formChange(request, context) { _, caller in
            let id = try Self.identifier(context, "label", what: "label")
            // The label must belong where the page says (a project's page deletes only that project's labels).
            let label = try await labels.get(id, caller)
            var expected: Int64 = 0
            if let project { expected = try await projects.get(project, isName: true, caller).projectId }
            guard label.projectId == expected else { throw APIError.notFound("label \(id)") }
            try await labels.delete(id, caller)
            return labelsPath(project)
        } refused: { visitor, _, error in
            try await labelsPage(request, context, visitor, project: project, draft: nil, problem: error.message,
                                 status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    func labelsPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, project: String?, draft: FormFields?,
                    problem: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        do {
            let caller = caller(visitor, request, context)
            let found: [LabelView]
            let canChange: Bool
            var tabs: [ProjectTab] = []
            var access = ""
            if let project {
                let (_, record, permissions) = try await projectScope(project, visitor, request, context)
                found = try await labels.list(scope: "p", projectID: record.projectId, name: nil, query: ListQuery(offset: 0, limit: 100), caller).items
                canChange = permissions.contains(Permission(.label, .create))
                tabs = self.tabs(record.name, active: "labels", permissions)
                access = PortalFormat.access(record.metadata)
            } else {
                try labels.requireGlobalManager(caller)
                found = try await labels.list(scope: "g", projectID: nil, name: nil, query: ListQuery(offset: 0, limit: 100), caller).items
                canChange = true
                tabs = adminTabs(active: "labels")
            }
            let rows = found.map { label in
                LabelRow(id: label.id, name: label.name, description: label.description, color: label.color, canDelete: canChange,
                         deleteAction: labelsPath(project) + "/\(label.id)/delete")
            }
            let content = LabelsPage(
                frame: frame(visitor), project: project, access: access, tabs: tabs, isProject: project != nil, problem: problem,
                canChange: canChange, action: labelsPath(project), name: draft?["name"] ?? "", description: draft?["description"] ?? "",
                color: draft?["color"] ?? "", rows: rows, hasRows: !rows.isEmpty)
            return finish(renderer.page("labels", content, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }
}

/// Global labels (Administration) or a project's labels.
struct LabelsPage: Sendable {
    let frame: Frame
    let project: String?
    let access: String
    let tabs: [ProjectTab]
    let isProject: Bool
    let problem: String?
    let canChange: Bool
    let action: String
    let name: String
    let description: String
    let color: String
    let rows: [LabelRow]
    let hasRows: Bool
}

/// One label in the list.
struct LabelRow: Sendable {
    let id: Int64
    let name: String
    let description: String
    let color: String
    let canDelete: Bool
    let deleteAction: String
}
