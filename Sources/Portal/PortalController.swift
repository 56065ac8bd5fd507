import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management
import NIOCore

/// The web portal under `/harbor` (Harbor's paths): server-rendered pages that call the same services as
/// `/api/v2.0`, so a visitor sees and may do exactly what the API allows them. Handlers parse the request, make one
/// service call and render a page; every form carries the visitor's CSRF token.
public struct PortalController: Sendable {
    let projects: ProjectService
    let repositories: RepositoryService
    let sessions: SessionService
    let authEnabled: Bool
    let version: String
    let serverURL: ServerURL
    let renderer = PortalRenderer()
    let assets = PortalAssets()
    /// Rows per list page.
    static let pageSize = 15

    /// Creates the controller.
    public init(environment: ManagementEnvironment, sessions: SessionService, authEnabled: Bool, version: String, serverURL: ServerURL) {
        projects = ProjectService(environment)
        repositories = RepositoryService(environment)
        self.sessions = sessions
        self.authEnabled = authEnabled
        self.version = version
        self.serverURL = serverURL
    }

    /// Registers `/` (to the portal) and the portal's pages under `/harbor`.
    public func register(on router: Router<BerthRequestContext>) {
        router.get("/") { _, _ in Self.redirect("/harbor/projects") }
        let portal = router.group("/harbor").add(middleware: PortalSecurityHeaders())
        portal.get("") { _, _ in Self.redirect("/harbor/projects") }
        portal.get("sign-in", use: signInForm)
        portal.post("sign-in", use: signIn)
        portal.post("sign-out", use: signOut)
        portal.get("projects", use: projectList)
        portal.post("projects", use: createProject)
        portal.get("projects/:project/repositories", use: repositoryList)
        portal.get("assets/:file", use: asset)
        portal.get("**", use: notFound)
    }

    // MARK: Pages

    @Sendable func signInForm(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        if visitor.signedIn || !authEnabled { return Self.redirect(Self.safeNext(request.uri.queryParameters["next"].map(String.init))) }
        return finish(renderer.page("sign-in", SignInPage(frame: frame(visitor), problem: nil, next: Self.safeNext(request.uri.queryParameters["next"].map(String.init)),
                                                          username: "")), visitor, request)
    }

    @Sendable func signIn(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        let form = try await Self.form(request)
        let next = Self.safeNext(form["next"])
        guard visitor.accepts(form) else { return forbiddenForm(visitor, request) }
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
        let form = try await Self.form(request)
        guard visitor.accepts(form) else { return forbiddenForm(visitor, request) }
        if let cookie = request.cookies["sid"]?.value { try await sessions.signOut(cookie) }
        var response = Self.redirect("/harbor/sign-in")
        SessionController.clearSessionCookies(on: &response)
        return response
    }

    @Sendable func projectList(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await projectsPage(request, context, visitor, problem: nil, draftName: "")
    }

    @Sendable func createProject(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        let form = try await Self.form(request)
        guard visitor.accepts(form) else { return forbiddenForm(visitor, request) }
        let name = (form["project_name"] ?? "").trimmingCharacters(in: .whitespaces)
        do {
            let created = try await projects.create(ProjectRequest(projectName: name, isPublic: form["public"] == "true"), caller(visitor, request, context))
            return Self.redirect("/harbor/projects/\(created.name)/repositories")
        } catch let error as APIError {
            return try await projectsPage(request, context, visitor, problem: error.message, draftName: name,
                                          status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func repositoryList(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        let projectName = context.parameters.get("project") ?? ""
        let filter = request.uri.queryParameters["name"].map(String.init) ?? ""
        let pageNumber = Self.pageNumber(request)
        do {
            let caller = caller(visitor, request, context)
            let project = try await projects.get(projectName, isName: true, caller)
            let page = try await repositories.list(project: project.name, query: Self.query(filter, pageNumber), caller)
            let rows = page.items.map { repository in
                RepositoryRow(name: repository.name, artifacts: repository.artifactCount, pulls: repository.pullCount,
                              updated: repository.updateTime, updatedShown: Self.shownTime(repository.updateTime))
            }
            let registry = serverURL.base(request).replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
            let content = RepositoriesPage(frame: frame(visitor), project: project.name, access: Self.access(project.metadata), filter: filter,
                                           rows: rows, hasRows: !rows.isEmpty, registry: registry,
                                           pager: Self.pager(request, page: pageNumber, total: page.total, shown: rows.count))
            return finish(renderer.page("repositories", content), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    @Sendable func asset(_ request: Request, context: BerthRequestContext) async throws -> Response {
        assets.response(for: context.parameters.get("file") ?? "") ?? Response(status: .notFound)
    }

    @Sendable func notFound(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return failure(APIError.notFound("page \(request.uri.path)"), visitor, request)
    }

    // MARK: Helpers

    func projectsPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, problem: String?, draftName: String,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let filter = request.uri.queryParameters["name"].map(String.init) ?? ""
        let pageNumber = Self.pageNumber(request)
        let page: ListPage<ProjectView>
        do {
            page = try await projects.list(caller(visitor, request, context), query: Self.query(filter, pageNumber))
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
        let rows = page.items.map { project in
            ProjectRow(name: project.name, access: Self.access(project.metadata), role: Self.roleName(project.currentUserRoleId),
                       repositories: project.repoCount, created: project.creationTime, createdShown: Self.shownTime(project.creationTime))
        }
        let empty = filter.isEmpty
            ? (visitor.signedIn || !authEnabled ? "No projects yet. Create one to push images into it." : "No public projects. Sign in to see yours.")
            : "No project matches “\(filter)”."
        let content = ProjectsPage(frame: frame(visitor), filter: filter, problem: problem, canCreate: visitor.signedIn || !authEnabled,
                                   draftName: draftName, rows: rows, hasRows: !rows.isEmpty, emptyMessage: empty,
                                   pager: Self.pager(request, page: pageNumber, total: page.total, shown: rows.count))
        return finish(renderer.page("projects", content, status: status), visitor, request)
    }

    func visit(_ request: Request) async throws -> PortalVisitor {
        try await PortalVisitor.resolve(request, sessions: sessions, authEnabled: authEnabled)
    }

    func caller(_ visitor: PortalVisitor, _ request: Request, _ context: BerthRequestContext) -> Caller {
        Caller(principal: visitor.principal, clientIP: request.clientAddress(context))
    }

    func frame(_ visitor: PortalVisitor) -> Frame {
        Frame(stylesheet: assets.stylesheetPath, signedIn: visitor.signedIn, authEnabled: authEnabled, username: visitor.username,
              csrf: visitor.csrf, version: version)
    }

    func finish(_ response: Response, _ visitor: PortalVisitor, _ request: Request) -> Response {
        visitor.finish(response, secure: serverURL.isSecure(request))
    }

    /// An error page; an anonymous visitor who was refused is sent to sign in first.
    func failure(_ error: APIError, _ visitor: PortalVisitor, _ request: Request) -> Response {
        let here = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        if authEnabled && !visitor.signedIn && (error.code == .unauthorized || error.code == .forbidden || error.code == .notFound) {
            // Anonymous visitors get the same answer for a private project and a missing one, as on the API.
            if error.code != .notFound || here.hasPrefix("/harbor/projects/") {
                return Self.redirect("/harbor/sign-in?next=" + (here.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
            }
        }
        let heading: String
        switch error.code {
        case .notFound: heading = "Not found"
        case .forbidden: heading = "Not allowed"
        case .unauthorized: heading = "Sign in required"
        default: heading = "Something went wrong"
        }
        let page = ErrorPage(frame: frame(visitor), heading: heading, message: error.message, signInHint: false, next: "")
        return finish(renderer.page("error", page, status: HTTPResponse.Status(code: error.code.httpStatus)), visitor, request)
    }

    func forbiddenForm(_ visitor: PortalVisitor, _ request: Request) -> Response {
        let page = ErrorPage(frame: frame(visitor), heading: "Form expired",
                             message: "The form was missing its security token or came from another site. Go back, reload the page and try again.",
                             signInHint: false, next: "")
        return finish(renderer.page("error", page, status: .forbidden), visitor, request)
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .contentLength: "0"])
    }

    /// A form body (at most 64 KiB).
    static func form(_ request: Request) async throws -> FormFields {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 16)
        return FormFields.parse(String(buffer: body))
    }

    /// Where to go after signing in: only a portal path, never another site.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/harbor/"), !next.contains("//"), !next.contains("\\"), !next.contains("\r"), !next.contains("\n") else {
            return "/harbor/projects"
        }
        return next
    }

    static func pageNumber(_ request: Request) -> Int {
        guard let text = request.uri.queryParameters["page"], let number = Int(text), number >= 1 else { return 1 }
        return min(number, 1_000_000)
    }

    static func query(_ filter: String, _ page: Int) -> ListQuery {
        let filters = filter.isEmpty ? [] : [ListQuery.Filter(key: "name", match: .fuzzy(String(filter.prefix(255))))]
        return ListQuery(filters: filters, sort: [ListQuery.Sort(key: "name", descending: false)], offset: (page - 1) * pageSize, limit: pageSize)
    }

    static func pager(_ request: Request, page: Int, total: Int, shown: Int) -> Pager? {
        guard total > pageSize || page > 1 else { return nil }
        func link(_ number: Int) -> String {
            func encoded(_ text: Substring) -> String { String(text).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
            var parameters = request.uri.queryParameters.filter { $0.key != "page" }.map { "\(encoded($0.key))=\(encoded($0.value))" }
            parameters.append("page=\(number)")
            return request.uri.path + "?" + parameters.joined(separator: "&")
        }
        let first = (page - 1) * pageSize
        return Pager(previous: page > 1 ? link(page - 1) : nil, next: first + shown < total ? link(page + 1) : nil,
                     shown: shown == 0 ? "none of \(total)" : "\(first + 1)–\(first + shown) of \(total)")
    }

    static func access(_ metadata: [String: String]) -> String { metadata["public"] == "true" ? "Public" : "Private" }

    static func roleName(_ id: Int) -> String {
        switch ProjectRole(rawValue: id) {
        case .projectAdmin: return "Project Admin"
        case .maintainer: return "Maintainer"
        case .developer: return "Developer"
        case .guest: return "Guest"
        case .limitedGuest: return "Limited Guest"
        case nil: return "—"
        }
    }

    /// `2026-12-02T13:10:42.123Z` as `2026-12-02 13:10`.
    static func shownTime(_ rfc3339: String) -> String {
        String(rfc3339.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }
}
