import Auth
import Metadata

/// Reading the audit log: the whole log for those allowed to list it, a project's log for its members.
public struct AuditLogService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// The log: all of it for system administrators (and robots granted `audit-log:list`); for anyone else signed in,
    /// the entries of the projects where they may list logs (Harbor's behaviour), and no system-wide entries.
    public func list(query: ListQuery, _ caller: Caller) async throws -> ListPage<AuditLogView> {
        try env.requireAuthenticated(caller)
        var projects: [Int64]? = nil
        if !env.policy.allowsSystem(caller.principal, Permission(.auditLog, .list)) {
            projects = try await logProjects(caller.principal)
        }
        let page = try await env.access.auditLogs(query, projectIDs: projects)
        return ListPage(items: page.items.map(Self.view), total: page.total)
    }

    /// The ids of the projects whose log the principal may list.
    private func logProjects(_ principal: Principal) async throws -> [Int64] {
        let logList = Permission(.log, .list)
        switch principal {
        case .user(let user):
            let roles = ProjectRole.allCases.filter { PermissionTable.permissions(of: $0).contains(logList) }.map(\.rawValue)
            return try await env.access.projectIDs(userID: user.id, groupIDs: user.groupIDs, roles: roles)
        case .robot(let robot):
            if robot.grants.allProjects.contains(logList) {
                return try await env.access.projects(ListQuery(limit: 1_000_000), visibility: .all).items.map(\.id)
            }
            return robot.grants.projects.filter { $0.value.contains(logList) }.keys.sorted()
        case .anonymous:
            return []
        case .unrestricted:
            return try await env.access.projects(ListQuery(limit: 1_000_000), visibility: .all).items.map(\.id)
        }
    }

    /// One project's log.
    public func list(project nameOrID: String, query: ListQuery, _ caller: Caller) async throws -> ListPage<AuditLogView> {
        let project = try await env.readableProject(nameOrID, isName: true, caller, requiring: Permission(.log, .list))
        let page = try await env.access.auditLogs(query, projectIDs: [project.id])
        return ListPage(items: page.items.map(Self.view), total: page.total)
    }

    /// Records a management login attempt.
    public func recordLogin(username: String, success: Bool, clientIP: String) async {
        await env.audit.record(AuditRecord(projectID: nil, operation: "login", resourceType: "user", resource: String(username.prefix(255)),
                                           username: String(username.prefix(255)), clientIP: clientIP, success: success, createdAt: Clock.nowMilliseconds()))
    }

    static func view(_ entry: AuditRecord) -> AuditLogView {
        AuditLogView(id: entry.id, username: entry.username, resource: entry.resource, resourceType: entry.resourceType,
                     operation: entry.operation, opTime: APITime.string(entry.createdAt), clientIp: entry.clientIP, operationResult: entry.success)
    }
}
