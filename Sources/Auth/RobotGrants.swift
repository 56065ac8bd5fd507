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

    /// Creates an entry.
    public init(kind: String, namespace: String, access: [Access]) {
        self.kind = kind
        self.namespace = namespace
        self.access = access
    }
}

/// A robot's grants, resolved to permissions: per project, for every project, and at system level.
public struct RobotGrants: Sendable, Equatable {
    /// Permissions in named projects.
    public let projects: [String: Set<Permission>]
    /// Permissions in every project (namespace `*`).
    public let allProjects: Set<Permission>
    /// System-level permissions.
    public let system: Set<Permission>

    /// Resolves Harbor-shaped entries. Push implies pull.
    public init(_ entries: [RobotPermissionEntry]) {
        var projects: [String: Set<Permission>] = [:]
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
                if entry.namespace == "*" { all.formUnion(granted) } else { projects[entry.namespace, default: []].formUnion(granted) }
            }
        }
        self.projects = projects
        self.allProjects = all
        self.system = system
    }

    /// What the robot may do in `project`.
    public func permissions(in project: String) -> Set<Permission> {
        allProjects.union(projects[project] ?? [])
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
