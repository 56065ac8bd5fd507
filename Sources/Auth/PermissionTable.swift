/// The one table that decides what each project role may do, following Harbor's "User Permissions By Role".
/// Every authorization check in Berth ends here: system administrators may do everything; anyone may read a
/// public project; members get their roles' rows; robots get exactly what they were granted.
public enum PermissionTable {
    /// One row of the table: a permission, the roles that hold it, and the row of Harbor's table it comes from.
    public struct Row: Sendable {
        /// The permission.
        public let permission: Permission
        /// Roles that hold it.
        public let roles: Set<ProjectRole>
        /// Harbor's wording of the row.
        public let action: String
    }

    private static let everyone: Set<ProjectRole> = [.limitedGuest, .guest, .developer, .maintainer, .projectAdmin]
    private static let guests: Set<ProjectRole> = [.guest, .developer, .maintainer, .projectAdmin]
    private static let developers: Set<ProjectRole> = [.developer, .maintainer, .projectAdmin]
    private static let maintainers: Set<ProjectRole> = [.maintainer, .projectAdmin]
    private static let admins: Set<ProjectRole> = [.projectAdmin]

    /// The project-level rows.
    public static let rows: [Row] = [
        Row(permission: Permission(.project, .read), roles: everyone, action: "See the project configurations"),
        Row(permission: Permission(.metadata, .read), roles: everyone, action: "See the project configurations"),
        Row(permission: Permission(.project, .update), roles: admins, action: "Edit the project configurations"),
        Row(permission: Permission(.metadata, .update), roles: admins, action: "Edit the project configurations"),
        Row(permission: Permission(.member, .list), roles: guests, action: "See a list of project members"),
        Row(permission: Permission(.member, .read), roles: guests, action: "See a list of project members"),
        Row(permission: Permission(.member, .create), roles: admins, action: "Create/edit/delete project members"),
        Row(permission: Permission(.member, .update), roles: admins, action: "Create/edit/delete project members"),
        Row(permission: Permission(.member, .delete), roles: admins, action: "Create/edit/delete project members"),
        Row(permission: Permission(.log, .list), roles: guests, action: "See a list of project logs"),
        Row(permission: Permission(.repository, .list), roles: everyone, action: "See a list of repositories"),
        Row(permission: Permission(.repository, .read), roles: everyone, action: "See a list of repositories"),
        Row(permission: Permission(.repository, .create), roles: developers, action: "Create repositories"),
        Row(permission: Permission(.repository, .update), roles: maintainers, action: "Edit/delete repositories"),
        Row(permission: Permission(.repository, .delete), roles: maintainers, action: "Edit/delete repositories"),
        Row(permission: Permission(.artifact, .list), roles: everyone, action: "See a list of images"),
        Row(permission: Permission(.artifact, .read), roles: everyone, action: "See a list of images"),
        Row(permission: Permission(.tag, .list), roles: everyone, action: "See a list of images"),
        Row(permission: Permission(.repository, .pull), roles: everyone, action: "Pull image"),
        Row(permission: Permission(.repository, .push), roles: developers, action: "Push image"),
        Row(permission: Permission(.artifact, .create), roles: developers, action: "Push image"),
        Row(permission: Permission(.tag, .create), roles: developers, action: "Push image"),
        Row(permission: Permission(.artifact, .delete), roles: maintainers, action: "Scan/delete image"),
        Row(permission: Permission(.tag, .delete), roles: maintainers, action: "Scan/delete image"),
        Row(permission: Permission(.scan, .create), roles: maintainers, action: "Scan/delete image"),
        Row(permission: Permission(.scan, .stop), roles: maintainers, action: "Scan/delete image"),
        Row(permission: Permission(.scan, .read), roles: everyone, action: "See a list of images"),
        Row(permission: Permission(.exportCVE, .create), roles: developers, action: "Export CVEs"),
        Row(permission: Permission(.exportCVE, .read), roles: developers, action: "Export CVEs"),
        Row(permission: Permission(.robot, .list), roles: maintainers, action: "See a list of project robots"),
        Row(permission: Permission(.robot, .read), roles: maintainers, action: "See a list of project robots"),
        Row(permission: Permission(.robot, .create), roles: admins, action: "Create/edit/delete project robots"),
        Row(permission: Permission(.robot, .update), roles: admins, action: "Create/edit/delete project robots"),
        Row(permission: Permission(.robot, .delete), roles: admins, action: "Create/edit/delete project robots"),
        Row(permission: Permission(.notificationPolicy, .list), roles: maintainers, action: "See webhook policies and their deliveries"),
        Row(permission: Permission(.notificationPolicy, .read), roles: maintainers, action: "See webhook policies and their deliveries"),
        Row(permission: Permission(.notificationPolicy, .create), roles: admins, action: "Create/edit/delete webhook policies"),
        Row(permission: Permission(.notificationPolicy, .update), roles: admins, action: "Create/edit/delete webhook policies"),
        Row(permission: Permission(.notificationPolicy, .delete), roles: admins, action: "Create/edit/delete webhook policies"),
        Row(permission: Permission(.immutableTag, .list), roles: maintainers, action: "Create/delete tag immutability rules"),
        Row(permission: Permission(.immutableTag, .create), roles: maintainers, action: "Create/delete tag immutability rules"),
        Row(permission: Permission(.immutableTag, .delete), roles: maintainers, action: "Create/delete tag immutability rules"),
        Row(permission: Permission(.immutableTag, .update), roles: maintainers, action: "Enable/deactivate tag immutability rules"),
        // Harbor's role table lets developers change retention rules too, but a rule deletes artifacts, which developers
        // may not do themselves: they read the policy and its runs; changing and running it takes a maintainer.
        Row(permission: Permission(.tagRetention, .list), roles: developers, action: "See tag retention rules and their runs"),
        Row(permission: Permission(.tagRetention, .read), roles: developers, action: "See tag retention rules and their runs"),
        Row(permission: Permission(.tagRetention, .create), roles: maintainers, action: "Create/delete tag retention rules"),
        Row(permission: Permission(.tagRetention, .update), roles: maintainers, action: "Enable/deactivate tag retention rules"),
        Row(permission: Permission(.tagRetention, .delete), roles: maintainers, action: "Create/delete tag retention rules"),
        Row(permission: Permission(.tagRetention, .stop), roles: maintainers, action: "Enable/deactivate tag retention rules"),
        Row(permission: Permission(.label, .list), roles: guests, action: "See a list of project labels"),
        Row(permission: Permission(.label, .read), roles: guests, action: "See a list of project labels"),
        Row(permission: Permission(.label, .create), roles: maintainers, action: "Create/edit/delete project labels"),
        Row(permission: Permission(.label, .update), roles: maintainers, action: "Create/edit/delete project labels"),
        Row(permission: Permission(.label, .delete), roles: maintainers, action: "Create/edit/delete project labels"),
        Row(permission: Permission(.artifactLabel, .create), roles: developers, action: "Add/Remove labels of image"),
        Row(permission: Permission(.artifactLabel, .delete), roles: developers, action: "Add/Remove labels of image"),
        Row(permission: Permission(.project, .delete), roles: admins, action: "Delete Project"),
    ]

    /// Every project-level permission the table knows.
    public static let projectPermissions: Set<Permission> = Set(rows.map(\.permission))

    /// What anyone (anonymous included) may do in a public project: see it, list and pull.
    public static let publicProject: Set<Permission> = [
        Permission(.project, .read), Permission(.metadata, .read), Permission(.repository, .list), Permission(.repository, .read),
        Permission(.repository, .pull), Permission(.artifact, .list), Permission(.artifact, .read), Permission(.tag, .list),
        Permission(.scan, .read),
    ]

    /// System-level permissions (held by system administrators and granted to system robots).
    public static let systemPermissions: Set<Permission> = [
        Permission(.user, .create), Permission(.user, .read), Permission(.user, .update), Permission(.user, .delete), Permission(.user, .list),
        Permission(.userGroup, .create), Permission(.userGroup, .read), Permission(.userGroup, .update), Permission(.userGroup, .delete),
        Permission(.userGroup, .list), Permission(.auditLog, .list), Permission(.catalog, .read), Permission(.ldapUser, .list),
        Permission(.ldapUser, .create), Permission(.project, .create), Permission(.project, .list),
        Permission(.robot, .create), Permission(.robot, .read), Permission(.robot, .update), Permission(.robot, .delete), Permission(.robot, .list),
        Permission(.jobServiceMonitor, .list), Permission(.jobServiceMonitor, .read), Permission(.jobServiceMonitor, .stop),
        Permission(.configuration, .read), Permission(.configuration, .update),
        Permission(.scanAll, .create), Permission(.scanAll, .read), Permission(.scanAll, .update), Permission(.scanAll, .stop),
        Permission(.securityHub, .read), Permission(.securityHub, .list),
        Permission(.scanner, .create), Permission(.scanner, .read), Permission(.scanner, .delete), Permission(.scanner, .list),
        Permission(.registry, .create), Permission(.registry, .read), Permission(.registry, .update), Permission(.registry, .delete),
        Permission(.registry, .list),
        Permission(.replicationPolicy, .create), Permission(.replicationPolicy, .read), Permission(.replicationPolicy, .update),
        Permission(.replicationPolicy, .delete), Permission(.replicationPolicy, .list),
        Permission(.replication, .create), Permission(.replication, .read), Permission(.replication, .list), Permission(.replication, .stop),
        Permission(.quota, .read), Permission(.quota, .list), Permission(.quota, .update),
        Permission(.garbageCollection, .create), Permission(.garbageCollection, .read), Permission(.garbageCollection, .list),
        Permission(.garbageCollection, .update), Permission(.garbageCollection, .stop),
        Permission(.label, .create), Permission(.label, .update), Permission(.label, .delete),
    ]

    private static let byRole: [ProjectRole: Set<Permission>] = {
        var table: [ProjectRole: Set<Permission>] = [:]
        for role in ProjectRole.allCases {
            table[role] = Set(rows.filter { $0.roles.contains(role) }.map(\.permission))
        }
        return table
    }()

    /// The permissions a role holds in its project.
    public static func permissions(of role: ProjectRole) -> Set<Permission> { byRole[role] ?? [] }

    /// The permissions a set of roles holds together.
    public static func permissions(of roles: [ProjectRole]) -> Set<Permission> {
        roles.reduce(into: Set<Permission>()) { $0.formUnion(permissions(of: $1)) }
    }
}
