import Foundation

/// One entry of a robot's permissions in Harbor's shape: a kind (`project` or `system`), a namespace (a project
/// name, `*` for every project including future ones, or `/` for system), and the resources and actions granted.
public struct RobotPermissionEntry: Sendable, Equatable, Codable {
    /// One granted action on one resource.
    public struct Access: Sendable, Equatable, Codable {
        /// Harbor's resource name (unknown names are kept and ignored).
        public var resource: String
        /// Harbor's action name.
        public var action: String
        /// `allow` (the default) or `deny`.
        public var effect: String?

        /// Creates an access entry.
        public init(resource: String, action: String, effect: String? = nil) {
            self.resource = resource
            self.action = action
            self.effect = effect
        }
    }

    /// `project` or `system`.
    public var kind: String
    /// A project name, `*`, or `/`.
    public var namespace: String
    /// What is granted.
    public var access: [Access]
    /// The id of the project `namespace` named when the entry was granted. Grants are bound to this id, never to
    /// the name, so they neither survive their project's deletion nor pass to a later project of the same name.
    public var projectID: Int64?

    /// Creates an entry.
    public init(kind: String, namespace: String, access: [Access], projectID: Int64? = nil) {
        self.kind = kind
        self.namespace = namespace
        self.access = access
        self.projectID = projectID
    }

    /// Whether the entry is about one named project (not `*`, not system-level).
    public var namesOneProject: Bool { kind != "system" && namespace != "*" }
}

/// A robot's grants, resolved to permissions: per project (by project id), for every project, and at system level.
public struct RobotGrants: Sendable, Equatable {
    /// Permissions in single projects, by project id.
    public let projects: [Int64: Set<Permission>]
    /// Permissions in every project (namespace `*`).
    public let allProjects: Set<Permission>
    /// System-level permissions.
    public let system: Set<Permission>

    /// Resolves Harbor-shaped entries. Push implies pull. An entry for one project counts only with the project id it
    /// was granted for.
    public init(_ entries: [RobotPermissionEntry]) {
        var projects: [Int64: Set<Permission>] = [:]
        var all = Set<Permission>()
        var system = Set<Permission>()
        for entry in entries {
            var granted = Set<Permission>()
            for access in entry.access where (access.effect ?? "allow") != "deny" {
                guard let resource = Resource(harborName: access.resource) else { continue }
                let actions: [Action] = access.action == "*" ? Action.allCases : Action(rawValue: access.action).map { [$0] } ?? []
                for action in actions {
                    granted.insert(Permission(resource, action))
                    if resource == .repository, action == .push { granted.insert(Permission(.repository, .pull)) }
                }
            }
            switch entry.kind {
            case "system": system.formUnion(granted)
            default:
                if entry.namespace == "*" {
                    all.formUnion(granted)
                } else if let id = entry.projectID {
                    projects[id, default: []].formUnion(granted)
                }
            }
        }
        self.projects = projects
        self.allProjects = all
        self.system = system
    }

    /// What the robot may do in the project with this id.
    public func permissions(inProject id: Int64) -> Set<Permission> {
        allProjects.union(projects[id] ?? [])
    }

    /// Whether the robot covers every project (and so sees the whole catalog).
    public var coversAllProjects: Bool { !allProjects.isEmpty }
}

extension Resource {
    /// The resource for one of Harbor's resource names (`project` is the project itself).
    public init?(harborName: String) {
        if harborName == "project" { self = .project; return }
        guard let value = Resource(rawValue: harborName) else { return nil }
        self = value
    }

    /// Harbor's name for the resource, as the API shows it.
    public var harborName: String { self == .project ? "project" : rawValue }
}
