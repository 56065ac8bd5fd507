import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// Administration: user groups (LDAP groups). System administrators add a group by its DN (the directory must have
/// it), rename and delete groups; the group service decides who may, as it does for `/api/v2.0/usergroups`.
extension PortalController {
    @Sendable func groupList(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await groupsPage(request, context, visitor, problem: nil, draft: nil)
    }

    @Sendable func createGroup(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let draft = (dn: (form["ldap_group_dn"] ?? "").trimmingCharacters(in: .whitespaces), name: (form["group_name"] ?? "").trimmingCharacters(in: .whitespaces))
        do {
            guard !draft.dn.isEmpty else { throw APIError.badRequest("Enter the group's LDAP DN.") }
            let group = try await groups.create(UserGroupRequest(name: draft.name, ldapDN: draft.dn), caller(visitor, request, context))
            return Self.redirect("/harbor/groups?name=" + PortalFormat.queryValue(group.name))
        } catch let error as APIError {
            let problem = error.code == .conflict ? "That group is known already." : error.message
            return try await groupsPage(request, context, visitor, problem: problem, draft: draft, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func renameGroup(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        do {
            let name = (form["group_name"] ?? "").trimmingCharacters(in: .whitespaces)
            try await groups.update(id: try Self.groupID(context), UserGroupRequest(name: name, ldapDN: nil), caller(visitor, request, context))
            return Self.redirect("/harbor/groups")
        } catch let error as APIError {
            return try await groupsPage(request, context, visitor, problem: error.message, draft: nil, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func deleteGroup(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        do {
            try await groups.delete(id: try Self.groupID(context), caller(visitor, request, context))
            return Self.redirect("/harbor/groups")
        } catch let error as APIError {
            return try await groupsPage(request, context, visitor, problem: error.message, draft: nil, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    static func groupID(_ context: BerthRequestContext) throws -> Int64 { try identifier(context, "group", what: "user group") }

    func groupsPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, problem: String?, draft: (dn: String, name: String)?,
                    status: HTTPResponse.Status = .ok) async throws -> Response {
        let filter = request.uri.queryParameters["name"].map(String.init) ?? ""
        let pageNumber = PortalFormat.pageNumber(request)
        do {
            let caller = caller(visitor, request, context)
            let filters = filter.isEmpty ? [] : [ListQuery.Filter(key: "group_name", match: .fuzzy(String(filter.prefix(255))))]
            let page = try await groups.list(query: ListQuery(filters: filters, offset: (pageNumber - 1) * PortalFormat.pageSize, limit: PortalFormat.pageSize), caller)
            let rows = page.items.map { group in
                GroupRow(id: group.id, name: group.groupName, dn: group.ldapGroupDn ?? "", renameAction: "/harbor/groups/\(group.id)/name",
                         deleteAction: "/harbor/groups/\(group.id)/delete")
            }
            let ldapOn = system.usesDirectory
            let content = GroupsPage(frame: frame(visitor), tabs: adminTabs(active: "groups"), filter: filter, problem: problem, ldapOn: ldapOn,
                                     formOpen: draft != nil, draftDN: draft?.dn ?? "", draftName: draft?.name ?? "", rows: rows, hasRows: !rows.isEmpty,
                                     pager: PortalFormat.pager(request, page: pageNumber, total: page.total, shown: rows.count))
            return finish(renderer.page("groups", content, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }
}

/// One user group, with its rename and delete forms.
struct GroupRow: Sendable {
    let id: Int64
    let name: String
    let dn: String
    let renameAction: String
    let deleteAction: String
}

/// Administration: user groups.
struct GroupsPage: Sendable {
    let frame: Frame
    let tabs: [ProjectTab]
    let filter: String
    let problem: String?
    let ldapOn: Bool
    let formOpen: Bool
    let draftDN: String
    let draftName: String
    let rows: [GroupRow]
    let hasRows: Bool
    let pager: Pager?
}
