import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// Signing in and out, the projects list and the "New project" form.
extension PortalController {
    @Sendable func signInForm(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        let next = Self.safeNext(request.uri.queryParameters["next"].map(String.init))
        if visitor.signedIn || !authEnabled { return Self.redirect(next) }
        return finish(renderer.page("sign-in", SignInPage(frame: frame(visitor), problem: nil, next: next, username: "")), visitor, request)
    }

    @Sendable func signIn(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let next = Self.safeNext(form["next"])
        do {
            let started = try await sessions.signIn(username: form["principal"] ?? "", password: form["password"] ?? "",
                                                    address: request.clientAddress(context))
            var response = Self.redirect(next)
            SessionController.setSessionCookies(on: &response, started, lifetime: sessions.lifetimeSeconds, secure: serverURL.isSecure(request))
            return response
        } catch let error as APIError {
            let problem = error.code == .unauthorized ? "Wrong user name or password." : error.message
            let page = SignInPage(frame: frame(visitor), problem: problem, next: next, username: form["principal"] ?? "")
            return finish(renderer.page("sign-in", page, status: HTTPResponse.Status(code: error.code.httpStatus)), visitor, request)
        }
    }

    @Sendable func signOut(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        if let cookie = request.cookies["sid"]?.value { try await sessions.signOut(cookie) }
        var response = Self.redirect("/harbor/sign-in")
        SessionController.clearSessionCookies(on: &response)
        return response
    }

    @Sendable func projectList(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await projectsPage(request, context, visitor, problem: nil, draftName: "")
    }

    /// `/harbor/projects/<name>`: a project opens on its repositories, as in Harbor.
    @Sendable func projectHome(_ request: Request, context: BerthRequestContext) async throws -> Response {
        Self.redirect("/harbor/projects/\(Self.parameter(context, "project").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")/repositories")
    }

    @Sendable func createProject(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let name = (form["project_name"] ?? "").trimmingCharacters(in: .whitespaces)
        do {
            // "Proxy cache" with a registry chosen makes a pull-through cache of that registry.
            var registryID: Int64? = nil
            if form["proxy_cache"] == "true" {
                guard let text = form["registry_id"], text.count <= 18, let id = Int64(text), id > 0 else {
                    throw APIError.badRequest("choose the registry the proxy cache pulls from")
                }
                registryID = id
            }
            let created = try await projects.create(ProjectRequest(projectName: name, isPublic: form["public"] == "true", registryID: registryID),
                                                    caller(visitor, request, context))
            return Self.redirect("/harbor/projects/\(created.name)/repositories")
        } catch let error as APIError {
            return try await projectsPage(request, context, visitor, problem: error.message, draftName: name,
                                          status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    func projectsPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, problem: String?, draftName: String,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let filter = request.uri.queryParameters["name"].map(String.init) ?? ""
        let pageNumber = PortalFormat.pageNumber(request)
        let page: ListPage<ProjectView>
        do {
            page = try await projects.list(caller(visitor, request, context), query: PortalFormat.query(filter, pageNumber))
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
        let rows = page.items.map { project in
            ProjectRow(name: project.name, access: PortalFormat.access(project.metadata), role: PortalFormat.roleName(project.currentUserRoleId),
                       repositories: project.repoCount, created: project.creationTime, createdShown: PortalFormat.shownTime(project.creationTime))
        }
        let empty = filter.isEmpty
            ? (visitor.signedIn || !authEnabled ? "No projects yet. Create one to push images into it." : "No public projects. Sign in to see yours.")
            : "No project matches “\(filter)”."
        // System administrators may make a proxy-cache project of a registered registry.
        let remotes = visitor.principal.isSystemAdmin ? ((try? await registries.list(name: nil, withHealth: false, caller(visitor, request, context))) ?? []) : []
        let content = ProjectsPage(frame: frame(visitor), filter: filter, problem: problem, canCreate: visitor.signedIn || !authEnabled,
                                   draftName: draftName, proxyRegistries: remotes.map { SelectOption(value: String($0.id), label: "\($0.name) (\($0.url))", selected: false) },
                                   canProxy: !remotes.isEmpty, rows: rows, hasRows: !rows.isEmpty, emptyMessage: empty,
                                   pager: PortalFormat.pager(request, page: pageNumber, total: page.total, shown: rows.count))
        return finish(renderer.page("projects", content, status: status), visitor, request)
    }

    /// Where to go after signing in: only a portal path, never another site.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/harbor/"), !next.contains("//"), !next.contains("\\"), !next.contains("\r"), !next.contains("\n") else {
            return "/harbor/projects"
        }
        return next
    }
}
