import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// A project's members tab: who has which role; project admins add users, change roles and remove members.
extension PortalController {
    @Sendable func memberList(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await membersPage(request, context, visitor, problem: nil, draftName: "")
    }

    @Sendable func addMember(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let project = Self.parameter(context, "project")
        let username = (form["username"] ?? "").trimmingCharacters(in: .whitespaces)
        let group = (form["group"] ?? "").trimmingCharacters(in: .whitespaces)
        let isGroup = form["member_type"] == "group"
        do {
            if isGroup {
                guard !group.isEmpty else { throw APIError.badRequest("Enter the group's name or its LDAP DN.") }
                _ = try await members.add(project, isName: true, MemberRequest(group: group, roleId: Self.role(form)), caller(visitor, request, context))
            } else {
                guard !username.isEmpty else { throw APIError.badRequest("Enter the user name of the new member.") }
                _ = try await members.add(project, isName: true, MemberRequest(username: username, roleId: Self.role(form)), caller(visitor, request, context))
            }
            return Self.redirect(membersPath(project))
        } catch let error as APIError {
            let problem: String
            switch error.code {
            case .notFound: problem = isGroup ? "There is no group \(group.prefix(255)) (in Berth or in the directory)." : "There is no user \(username.prefix(255))."
            case .conflict: problem = isGroup ? "That group is a member already, or its name is shared: give its LDAP DN." : "That user is a member already."
            default: problem = error.message
            }
            return try await membersPage(request, context, visitor, problem: problem, draftName: isGroup ? "" : username, draftGroup: isGroup ? group : "",
                                         status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func changeMemberRole(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let project = Self.parameter(context, "project")
        do {
            try await members.update(project, isName: true, id: try Self.memberID(context), RoleRequest(roleId: Self.role(form)),
                                     caller(visitor, request, context))
            return Self.redirect(membersPath(project))
        } catch let error as APIError {
            return try await membersPage(request, context, visitor, problem: error.message, draftName: "",
                                         status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func removeMember(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        let project = Self.parameter(context, "project")
        do {
            try await members.delete(project, isName: true, id: try Self.memberID(context), caller(visitor, request, context))
            return Self.redirect(membersPath(project))
        } catch let error as APIError {
            return try await membersPage(request, context, visitor, problem: error.message, draftName: "",
                                         status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    func membersPath(_ project: String) -> String { "/harbor/projects/\(project)/members" }

    func membersPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, problem: String?, draftName: String,
                     draftGroup: String = "", status: HTTPResponse.Status = .ok) async throws -> Response {
        let projectName = Self.parameter(context, "project")
        let filter = request.uri.queryParameters["name"].map(String.init) ?? ""
        let pageNumber = PortalFormat.pageNumber(request)
        do {
            let (caller, project, permissions) = try await projectScope(projectName, visitor, request, context)
            let filters = filter.isEmpty ? [] : [ListQuery.Filter(key: "entityname", match: .fuzzy(String(filter.prefix(255))))]
            let query = ListQuery(filters: filters, offset: (pageNumber - 1) * PortalFormat.pageSize, limit: PortalFormat.pageSize)
            let page = try await members.list(project.name, isName: true, query: query, caller)
            let canManage = permissions.contains(Permission(.member, .update))
            let rows = page.items.map { member in
                MemberRow(id: member.id, name: member.entityName, type: member.entityType == "g" ? "Group" : "User",
                          role: PortalFormat.roleName(member.roleId), canManage: canManage && !Self.isCaller(member, visitor),
                          roleAction: membersPath(project.name) + "/\(member.id)/role", deleteAction: membersPath(project.name) + "/\(member.id)/delete",
                          roles: Self.roleChoices(selected: member.roleId))
            }
            let content = MembersPage(frame: frame(visitor), project: project.name, access: PortalFormat.access(project.metadata),
                                      tabs: tabs(project.name, active: "members", permissions), filter: filter, problem: problem,
                                      canAdd: permissions.contains(Permission(.member, .create)), draftName: draftName,
                                      canAddGroups: system.usesDirectory, draftGroup: draftGroup,
                                      roles: Self.roleChoices(selected: ProjectRole.developer.rawValue), rows: rows, hasRows: !rows.isEmpty,
                                      pager: PortalFormat.pager(request, page: pageNumber, total: page.total, shown: rows.count))
            return finish(renderer.page("members", content, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    /// The roles a member can be given, in Harbor's order, with `selected` marked.
    static func roleChoices(selected: Int) -> [RoleChoice] {
        [ProjectRole.projectAdmin, .maintainer, .developer, .guest, .limitedGuest].map {
            RoleChoice(id: $0.rawValue, name: PortalFormat.roleName($0), selected: $0.rawValue == selected)
        }
    }

    /// The role a form chose (nil lets the service say what is wrong).
    static func role(_ form: FormFields) -> Int? {
        guard let text = form["role_id"], text.count <= 2 else { return nil }
        return Int(text)
    }

    static func memberID(_ context: BerthRequestContext) throws -> Int64 { try identifier(context, "member", what: "member") }

    /// Whether this row is the visitor themself (the portal does not offer to remove or demote yourself).
    static func isCaller(_ member: MemberView, _ visitor: PortalVisitor) -> Bool {
        guard member.entityType == "u", case .user(let identity) = visitor.principal else { return false }
        return identity.id == member.entityId
    }
}
