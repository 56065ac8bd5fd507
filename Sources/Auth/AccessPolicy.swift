import Metadata

/// Decides whether a principal may do something, using `PermissionTable` and the stored memberships.
/// This is the only place where permissions are worked out; handlers and the token service ask it.
public struct AccessPolicy: Sendable {
    let projects: any ProjectStore
    /// Whether ordinary users may create projects (Harbor's `project_creation_restriction: everyone`).
    public let everyoneMayCreateProjects: Bool

    /// Creates the policy over the project store.
    public init(projects: any ProjectStore, everyoneMayCreateProjects: Bool) {
        self.projects = projects
        self.everyoneMayCreateProjects = everyoneMayCreateProjects
    }

    /// Everything `principal` may do in `project`.
    public func permissions(of principal: Principal, in project: ProjectRecord) async throws -> Set<Permission> {
        var granted: Set<Permission> = project.isPublic ? PermissionTable.publicProject : []
        switch principal {
        case .unrestricted:
            return PermissionTable.projectPermissions
        case .anonymous:
            break
        case .user(let user):
            if user.sysadmin { return PermissionTable.projectPermissions }
            let roles = try await projects.roles(projectID: project.id, userID: user.id, groupIDs: user.groupIDs)
            granted.formUnion(PermissionTable.permissions(of: roles.compactMap(ProjectRole.init(rawValue:))))
        case .robot(let robot):
            granted.formUnion(robot.grants.permissions(inProject: project.id))
        }
        return granted
    }

    /// Whether `principal` may do `permission` in `project`.
    public func allows(_ principal: Principal, _ permission: Permission, in project: ProjectRecord) async throws -> Bool {
        try await permissions(of: principal, in: project).contains(permission)
    }

    /// Whether `principal` holds a system-level permission.
    public func allowsSystem(_ principal: Principal, _ permission: Permission) -> Bool {
        switch principal {
        case .unrestricted: return true
        case .anonymous: return false
        case .user(let user):
            if user.sysadmin { return true }
            if permission == Permission(.project, .create) { return everyoneMayCreateProjects }
            return false
        case .robot(let robot):
            return robot.grants.system.contains(permission)
        }
    }

    /// Whether `principal` holds `permission` in every project, present and future (system administrators, and robots
    /// granted it for namespace `*`): what it takes to hand the permission on for namespace `*`.
    public func allowsInEveryProject(_ principal: Principal, _ permission: Permission) -> Bool {
        switch principal {
        case .unrestricted: return true
        case .anonymous: return false
        case .user(let user): return user.sysadmin
        case .robot(let robot): return robot.grants.allProjects.contains(permission)
        }
    }

    /// The roles `principal` holds in `project` (for the API's `current_user_role_ids`).
    public func roles(of principal: Principal, in project: ProjectRecord) async throws -> [ProjectRole] {
        guard let member = Self.member(principal) else { return [] }
        return Self.roles(fromIDs: try await projects.roles(projectID: project.id, userID: member.userID, groupIDs: member.groupIDs))
    }

    /// The user and groups whose memberships give `principal` project roles; nil for principals without memberships
    /// (anonymous, robots, and unrestricted access).
    public static func member(_ principal: Principal) -> (userID: Int64, groupIDs: [Int64])? {
        guard case .user(let user) = principal else { return nil }
        return (user.id, user.groupIDs)
    }

    /// Stored role ids as roles, lowest id first; ids no role has are ignored.
    public static func roles(fromIDs ids: [Int]) -> [ProjectRole] {
        ids.compactMap(ProjectRole.init(rawValue:)).sorted { $0.rawValue < $1.rawValue }
    }

    /// Which projects `principal` may see in lists (the catalog, `GET /projects`).
    public func visibility(of principal: Principal) -> ProjectVisibility {
        switch principal {
        case .unrestricted: return .all
        case .anonymous: return .publicAnd(userID: nil, groupIDs: [], projectIDs: [])
        case .user(let user):
            return user.sysadmin ? .all : .publicAnd(userID: user.id, groupIDs: user.groupIDs, projectIDs: [])
        case .robot(let robot):
            return robot.grants.coversAllProjects || robot.grants.system.contains(Permission(.catalog, .read))
                ? .all : .publicAnd(userID: nil, groupIDs: [], projectIDs: robot.grants.projects.keys.sorted())
        }
    }
}
