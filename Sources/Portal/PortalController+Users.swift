import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// Administration: the users list, creating users, the administrator flag, password resets and deleting users. The
/// user service decides who may do each (system administrators), as it does for the API.
extension PortalController {
    @Sendable func userList(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await usersPage(request, context, visitor, problem: nil, notice: nil, draft: nil)
    }

    @Sendable func createUser(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let username = (form["username"] ?? "").trimmingCharacters(in: .whitespaces)
        let email = (form["email"] ?? "").trimmingCharacters(in: .whitespaces)
        do {
            guard form["password"] == form["confirm_password"] else { throw APIError.badRequest("The passwords do not match.") }
            _ = try await users.create(UserCreationRequest(username: username, email: email, realname: form["realname"], password: form["password"]),
                                       caller(visitor, request, context))
            return Self.redirect("/harbor/users?username=" + PortalFormat.queryValue(username))
        } catch let error as APIError {
            let problem = error.code == .conflict ? "There is already a user \(username.prefix(255)) (or one with that e-mail address)." : error.message
            return try await usersPage(request, context, visitor, problem: problem, notice: nil, draft: (username, email, form["realname"] ?? ""),
                                       status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func setUserAdmin(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        do {
            guard let flag = form["admin"].flatMap(Bool.init) else { throw APIError.badRequest("Choose whether the user is an administrator.") }
            try await users.setSysadmin(id: try Self.userID(context), SysadminRequest(sysadminFlag: flag), caller(visitor, request, context))
            return Self.redirect("/harbor/users")
        } catch let error as APIError {
            return try await usersPage(request, context, visitor, problem: error.message, notice: nil, draft: nil,
                                       status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func resetUserPassword(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let caller = caller(visitor, request, context)
        do {
            let id = try Self.userID(context)
            // No current password is sent: the user service lets only administrators set another user's password so.
            guard form["new_password"] == form["confirm_password"] else { throw APIError.badRequest("The new passwords do not match.") }
            let user = try await users.get(id: id, caller)
            try await users.changePassword(id: id, PasswordRequest(oldPassword: nil, newPassword: form["new_password"]), caller)
            return try await usersPage(request, context, visitor, problem: nil, notice: "The password of \(user.username) was set; their sessions have ended.",
                                       draft: nil)
        } catch let error as APIError {
            return try await usersPage(request, context, visitor, problem: error.message, notice: nil, draft: nil,
                                       status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func deleteUser(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        do {
            try await users.delete(id: try Self.userID(context), caller(visitor, request, context))
            return Self.redirect("/harbor/users")
        } catch let error as APIError {
            return try await usersPage(request, context, visitor, problem: error.message, notice: nil, draft: nil,
                                       status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    func usersPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, problem: String?, notice: String?,
                   draft: (name: String, email: String, realname: String)?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let filter = request.uri.queryParameters["username"].map(String.init) ?? ""
        let pageNumber = PortalFormat.pageNumber(request)
        do {
            let filters = filter.isEmpty ? [] : [ListQuery.Filter(key: "username", match: .fuzzy(String(filter.prefix(255))))]
            let query = ListQuery(filters: filters, offset: (pageNumber - 1) * PortalFormat.pageSize, limit: PortalFormat.pageSize)
            let page = try await users.list(query: query, caller(visitor, request, context))
            let me: Int64? = if case .user(let identity) = visitor.principal { identity.id } else { nil }
            let rows = page.items.map { user in
                UserRow(id: user.userId, name: user.username, email: user.email ?? "", realname: user.realname, isAdmin: user.sysadminFlag,
                        created: user.creationTime, createdShown: PortalFormat.shownTime(user.creationTime), canManage: user.userId != me,
                        adminAction: "/harbor/users/\(user.userId)/admin", passwordAction: "/harbor/users/\(user.userId)/password",
                        deleteAction: "/harbor/users/\(user.userId)/delete")
            }
            let content = UsersPage(frame: frame(visitor), tabs: adminTabs(active: "users"), filter: filter, problem: problem, notice: notice,
                                    formOpen: draft != nil, draftName: draft?.name ?? "", draftEmail: draft?.email ?? "", draftRealname: draft?.realname ?? "",
                                    rows: rows, hasRows: !rows.isEmpty,
                                    pager: PortalFormat.pager(request, page: pageNumber, total: page.total, shown: rows.count))
            return finish(renderer.page("users", content, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    /// The administration tab bar, with `active` marked.
    func adminTabs(active: String) -> [ProjectTab] {
        [
            ProjectTab(title: "Users", href: "/harbor/users", active: active == "users"),
            ProjectTab(title: "Groups", href: "/harbor/groups", active: active == "groups"),
            ProjectTab(title: "Robot accounts", href: "/harbor/robot-accounts", active: active == "robots"),
            ProjectTab(title: "Labels", href: "/harbor/labels", active: active == "labels"),
            ProjectTab(title: "Audit log", href: "/harbor/logs", active: active == "logs"),
            ProjectTab(title: "Storage", href: "/harbor/storage", active: active == "storage"),
            ProjectTab(title: "Registries", href: "/harbor/registries", active: active == "registries"),
            ProjectTab(title: "Replications", href: "/harbor/replications", active: active == "replications"),
            ProjectTab(title: "Project quotas", href: "/harbor/project-quotas", active: active == "quotas"),
            ProjectTab(title: "Clean up", href: "/harbor/gc", active: active == "gc"),
            ProjectTab(title: "Job queue", href: "/harbor/job-service-dashboard", active: active == "jobs"),
            ProjectTab(title: "Interrogation services", href: "/harbor/interrogation-services", active: active == "interrogation"),
            ProjectTab(title: "Security hub", href: "/harbor/security-hub", active: active == "security"),
            ProjectTab(title: "Configuration", href: "/harbor/configs", active: active == "configuration"),
        ]
    }

    static func userID(_ context: BerthRequestContext) throws -> Int64 { try identifier(context, "user", what: "user") }
}
