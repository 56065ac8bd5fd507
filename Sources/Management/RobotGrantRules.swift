import Auth
import Metadata

/// The one place that decides whether a caller may give a robot a set of permissions, used by robot creation and
/// update alike. Following Harbor's rules: a project robot holds exactly one `project` entry naming its own project;
/// a system robot holds `system` entries (namespace `/`) and `project` entries naming projects or `*`; every
/// resource and action must be one Harbor knows for that kind; and nobody hands on a permission they do not hold
/// themselves (in that project, in every project for `*`, or at system level).
struct RobotGrantRules: Sendable {
    let env: ManagementEnvironment

    /// What a robot is, for checking its permissions.
    enum Level: String {
        case system, project
    }

    /// Checks `requested` for a robot of `level` (a project robot belongs to `ownProject`) and returns the entries to
    /// store, each `project` entry bound to its project's id. Throws 400 for a malformed set, 404 for a missing
    /// project, and 401/403 when the caller may not grant something in it.
    func checked(_ requested: [RobotPermissionView], level: Level, ownProject: ProjectRecord?, _ caller: Caller) async throws -> [RobotPermissionEntry] {
        if level == .project {
            guard requested.count == 1, requested[0].kind == "project", requested[0].namespace != "*" else {
                throw APIError.badRequest("a project robot has exactly one permission entry of kind project naming its project")
            }
            if let ownProject, requested[0].namespace != ownProject.name {
                throw APIError.badRequest("a project robot's permissions must name its own project \(ownProject.name)")
            }
        }
        var entries: [RobotPermissionEntry] = []
        for entry in requested {
            switch (entry.kind, entry.namespace) {
            case ("system", "/"):
                guard level == .system else { throw APIError.badRequest("only system robots hold system permissions") }
                let (access, granted) = try Self.resolve(entry.access, known: PermissionTable.systemPermissions, kind: "system")
                for permission in granted where !env.policy.allowsSystem(caller.principal, permission) {
                    throw refusal(permission, "at system level", caller)
                }
                entries.append(RobotPermissionEntry(kind: "system", namespace: "/", access: access))
            case ("system", _):
                throw APIError.badRequest("system permissions take namespace /")
            case ("project", "*"):
                guard level == .system else { throw APIError.badRequest("only system robots may cover every project") }
                let (access, granted) = try Self.resolve(entry.access, known: PermissionTable.projectPermissions, kind: "project")
                for permission in granted where !env.policy.allowsInEveryProject(caller.principal, permission) {
                    throw refusal(permission, "in every project", caller)
                }
                entries.append(RobotPermissionEntry(kind: "project", namespace: "*", access: access))
            case ("project", let namespace):
                guard let project = try await env.access.project(named: namespace) else { throw APIError.notFound("project \(namespace.prefix(255))") }
                let (access, granted) = try Self.resolve(entry.access, known: PermissionTable.projectPermissions, kind: "project")
                let held = try await env.policy.permissions(of: caller.principal, in: project)
                for permission in granted where !held.contains(permission) {
                    throw refusal(permission, "in project \(project.name)", caller)
                }
                entries.append(RobotPermissionEntry(kind: "project", namespace: project.name, access: access, projectID: project.id))
            default:
                throw APIError.badRequest("permission kind must be project or system")
            }
        }
        let named = entries.filter(\.namesOneProject).map(\.namespace)
        guard Set(named).count == named.count else { throw APIError.badRequest("each project may appear in one permission entry only") }
        return entries
    }

    /// The access entries to store (`*` spelled out as the resource's actions at this level) and the permissions they
    /// grant (push brings pull). Unknown resources, actions, pairs and effects are refused.
    static func resolve(_ requested: [AccessView], known: Set<Permission>, kind: String) throws -> ([RobotPermissionEntry.Access], Set<Permission>) {
        var stored: [RobotPermissionEntry.Access] = []
        var granted = Set<Permission>()
        for access in requested {
            let effect = access.effect ?? "allow"
            guard ["allow", "deny"].contains(effect) else { throw APIError.badRequest("effect must be allow or deny") }
            guard let resource = Resource(harborName: access.resource) else {
                throw APIError.badRequest("unknown resource \(access.resource.prefix(64)) in robot permissions")
            }
            let actions: [Action]
            if access.action == "*" {
                actions = Action.allCases.filter { known.contains(Permission(resource, $0)) }
                guard !actions.isEmpty else { throw APIError.badRequest("\(resource.harborName) has no \(kind)-level permissions") }
            } else {
                guard let action = Action(rawValue: access.action), known.contains(Permission(resource, action)) else {
                    throw APIError.badRequest("\(access.resource.prefix(64)):\(access.action.prefix(64)) is not a \(kind)-level permission")
                }
                actions = [action]
            }
            for action in actions {
                stored.append(RobotPermissionEntry.Access(resource: resource.harborName, action: action.rawValue, effect: access.effect))
                guard effect == "allow" else { continue }
                granted.insert(Permission(resource, action))
                if resource == .repository, action == .push { granted.insert(Permission(.repository, .pull)) }
            }
        }
        return (stored, granted)
    }

    private func refusal(_ permission: Permission, _ scope: String, _ caller: Caller) -> APIError {
        caller.principal.isAuthenticated ? APIError.forbidden("you may not grant \(permission) \(scope): you do not hold it")
            : APIError(.unauthorized, "authentication required")
    }
}
