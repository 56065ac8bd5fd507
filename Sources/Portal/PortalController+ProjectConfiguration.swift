import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// A project's configuration tab: whether it is public, and deleting it once it is empty. Members read it; project
/// admins change it. Later features (scanning, signatures, quotas) add their settings here.
extension PortalController {
    @Sendable func projectConfiguration(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await projectConfigurationPage(request, context, visitor, problem: nil)
    }

    @Sendable func updateProjectConfiguration(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let project = Self.parameter(context, "project")
        do {
            try await projects.update(project, isName: true, .visibility(isPublic: form["public"] == "true"), caller(visitor, request, context))
            return Self.redirect("/harbor/projects/\(project)/configs?saved=1")
        } catch let error as APIError {
            return try await projectConfigurationPage(request, context, visitor, problem: error.message, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func deleteProject(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        let project = Self.parameter(context, "project")
        do {
            try await projects.delete(project, isName: true, caller(visitor, request, context))
            return Self.redirect("/harbor/projects")
        } catch let error as APIError {
            let problem = error.code == .preconditionFailed ? "The project still holds repositories. Delete them first." : error.message
            return try await projectConfigurationPage(request, context, visitor, problem: problem, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    func projectConfigurationPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, problem: String?,
                                  status: HTTPResponse.Status = .ok) async throws -> Response {
        do {
            let (caller, project, permissions) = try await projectScope(Self.parameter(context, "project"), visitor, request, context)
            let metadata = try await projects.metadata(project.name, isName: true, key: nil, caller)
            let canDelete = permissions.contains(Permission(.project, .delete))
            let deletable = canDelete ? try await projects.deletable(project.name, isName: true, caller) : nil
            let page = ProjectConfigurationPage(
                frame: frame(visitor), project: project.name, access: PortalFormat.access(project.metadata),
                tabs: tabs(project.name, active: "configs", permissions), problem: problem,
                saved: problem == nil && request.uri.queryParameters["saved"] != nil, isPublic: metadata["public"] == "true",
                canUpdate: permissions.contains(Permission(.project, .update)), canDelete: canDelete, deletable: deletable?.deletable ?? false,
                owner: project.ownerName ?? "", created: PortalFormat.shownTime(project.creationTime))
            return finish(renderer.page("project-configuration", page, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }
}

/// A project's configuration tab.
struct ProjectConfigurationPage: Sendable {
    let frame: Frame
    let project: String
    let access: String
    let tabs: [ProjectTab]
    let problem: String?
    let saved: Bool
    let isPublic: Bool
    let canUpdate: Bool
    let canDelete: Bool
    let deletable: Bool
    let owner: String
    let created: String
}
