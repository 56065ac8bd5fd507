import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// A project's audit log, newest first, filtered by user name.
extension PortalController {
    @Sendable func projectLogs(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        let projectName = Self.parameter(context, "project")
        let user = request.uri.queryParameters["username"].map(String.init) ?? ""
        let pageNumber = PortalFormat.pageNumber(request)
        do {
            let (caller, project, permissions) = try await projectScope(projectName, visitor, request, context)
            let filters = user.isEmpty ? [] : [ListQuery.Filter(key: "username", match: .fuzzy(String(user.prefix(255))))]
            let query = ListQuery(filters: filters, sort: [ListQuery.Sort(key: "op_time", descending: true)],
                                  offset: (pageNumber - 1) * PortalFormat.pageSize, limit: PortalFormat.pageSize)
            let page = try await auditLogs.list(project: project.name, query: query, caller)
            let rows = page.items.map(Self.logRow)
            let content = LogsPage(frame: frame(visitor), project: project.name, access: PortalFormat.access(project.metadata),
                                   tabs: tabs(project.name, active: "logs", permissions), filter: user, rows: rows, hasRows: !rows.isEmpty,
                                   pager: PortalFormat.pager(request, page: pageNumber, total: page.total, shown: rows.count))
            return finish(renderer.page("logs", content), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }
}
