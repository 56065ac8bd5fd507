import Auth
import Metadata

/// `GET /permissions`: the permissions a robot can be given, for those who create robots: system and project
/// permissions for system administrators, project permissions for project administrators (of any project).
public struct PermissionCatalogService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// Harbor's `Permissions`.
    public struct Catalog: Codable, Sendable {
        var system: [PermissionView]?
        var project: [PermissionView]
    }

    /// The permissions the caller may hand out.
    public func catalog(_ caller: Caller) async throws -> Catalog {
        try env.requireAuthenticated(caller)
        let project = Self.sorted(PermissionTable.projectPermissions)
        if caller.principal.isSystemAdmin { return Catalog(system: Self.sorted(PermissionTable.systemPermissions), project: project) }
        guard case .user(let user) = caller.principal,
              !(try await env.access.projectIDs(userID: user.id, groupIDs: user.groupIDs, roles: [ProjectRole.projectAdmin.rawValue])).isEmpty else {
            throw APIError.forbidden("only system and project administrators can list the permissions robots may get")
        }
        return Catalog(system: nil, project: project)
    }

    static func sorted(_ permissions: Set<Permission>) -> [PermissionView] {
        permissions.map { PermissionView(resource: $0.resource.harborName, action: $0.action.rawValue) }
            .sorted { ($0.resource, $0.action) < ($1.resource, $1.action) }
    }
}
