import Auth
import Metadata

/// Reading the audit log: the whole log for those allowed to list it, a project's log for its members.
public struct AuditLogService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// The system-wide log (system administrators and robots granted `audit-log:list`).
    public func list(query: ListQuery, _ caller: Caller) async throws -> ListPage<AuditLogView> {
        try env.requireSystem(Permission(.auditLog, .list), caller)
        let page = try await env.access.auditLogs(query, projectID: nil)
        return ListPage(items: page.items.map(Self.view), total: page.total)
    }

    /// One project's log.
    public func list(project nameOrID: String, query: ListQuery, _ caller: Caller) async throws -> ListPage<AuditLogView> {
        let project = try await env.readableProject(nameOrID, isName: true, caller, requiring: Permission(.log, .list))
        let page = try await env.access.auditLogs(query, projectID: project.id)
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
