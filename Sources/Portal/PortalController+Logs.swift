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
        let filter = LogFilter(request)
        let pageNumber = PortalFormat.pageNumber(request)
        do {
            let (caller, project, permissions) = try await projectScope(projectName, visitor, request, context)
            let page = try await auditLogs.list(project: project.name, query: filter.query(page: pageNumber), caller)
            let rows = page.items.map(Self.logRow)
            let content = LogsPage(frame: frame(visitor), project: project.name, access: PortalFormat.access(project.metadata),
                                   tabs: tabs(project.name, active: "logs", permissions), filterAction: "/harbor/projects/\(project.name)/logs",
                                   username: filter.username, operation: filter.operation, resourceType: filter.resourceType,
                                   rows: rows, hasRows: !rows.isEmpty,
                                   pager: PortalFormat.pager(request, page: pageNumber, total: page.total, shown: rows.count))
            return finish(renderer.page("logs", content), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }
}

/// The filters a log page was asked for (user name, operation, resource type), as typed and as a query.
struct LogFilter {
    let username: String
    let operation: String
    let resourceType: String

    init(_ request: Request) {
        let parameters = request.uri.queryParameters
        username = parameters["username"].map(String.init) ?? ""
        operation = parameters["operation"].map(String.init) ?? ""
        resourceType = parameters["resource_type"].map(String.init) ?? ""
    }

    /// Page `page` of the matching entries, newest first.
    func query(page: Int) -> ListQuery {
        var filters: [ListQuery.Filter] = []
        if !username.isEmpty { filters.append(ListQuery.Filter(key: "username", match: .fuzzy(String(username.prefix(255))))) }
        if !operation.isEmpty { filters.append(ListQuery.Filter(key: "operation", match: .exact(String(operation.prefix(64))))) }
        if !resourceType.isEmpty { filters.append(ListQuery.Filter(key: "resource_type", match: .exact(String(resourceType.prefix(64))))) }
        return ListQuery(filters: filters, sort: [ListQuery.Sort(key: "op_time", descending: true)],
                         offset: (page - 1) * PortalFormat.pageSize, limit: PortalFormat.pageSize)
    }
}
