/// What a permission is about, with Harbor's resource names.
public enum Resource: String, Sendable, CaseIterable, Codable {
    // Project level.
    /// The project itself (configuration, summary, deletion).
    case project = ""
    /// Project settings (Harbor's project metadata).
    case metadata
    /// Project members.
    case member
    /// The project's audit log.
    case log
    /// Repositories (pull and push are repository actions, as in Harbor).
    case repository
    /// Artifacts (manifests) in the management API.
    case artifact
    /// Tags in the management API.
    case tag
    /// Robot accounts (project level, or system level for system robots).
    case robot
    /// Webhook policies, their executions and tasks.
    case notificationPolicy = "notification-policy"
    /// Vulnerability scans of artifacts and their reports.
    case scan
    /// CSV exports of a project's vulnerabilities.
    case exportCVE = "export-cve"
    /// Tag immutability rules.
    case immutableTag = "immutable-tag"
    /// The tag retention policy and its runs.
    case tagRetention = "tag-retention"
    /// Labels (project labels; global ones at system level).
    case label
    /// Labels on artifacts.
    case artifactLabel = "artifact-label"
    // System level.
    /// User accounts.
    case user
    /// User groups.
    case userGroup = "user-group"
    /// The system-wide audit log.
    case auditLog = "audit-log"
    /// `/v2/_catalog` over every project.
    case catalog
    /// Searching and importing LDAP users and groups.
    case ldapUser = "ldap-user"
    /// The job queue and schedules.
    case jobServiceMonitor = "jobservice-monitor"
    /// The system configuration (authentication mode, LDAP settings; secrets are never shown).
    case configuration
    /// Scanning every artifact, its schedule and progress.
    case scanAll = "scan-all"
    /// The security hub: vulnerabilities across every project.
    case securityHub = "security-hub"
    /// Interrogation services: scanners and the advisory data they match against.
    case scanner
    /// Remote registries (replication endpoints and proxy-cache upstreams).
    case registry
    /// Replication policies.
    case replicationPolicy = "replication-policy"
    /// Replication runs: starting, stopping and reading executions and their tasks.
    case replication
    /// Project quotas: storage limits and usage.
    case quota
    /// Garbage collection: running it, its schedule, its history and logs.
    case garbageCollection = "garbage-collection"
}

/// What is done to a resource, with Harbor's action names.
public enum Action: String, Sendable, CaseIterable, Codable {
    /// Read one.
    case read
    /// List many.
    case list
    /// Create.
    case create
    /// Change.
    case update
    /// Delete.
    case delete
    /// Stop something running.
    case stop
    /// Pull from a repository.
    case pull
    /// Push to a repository.
    case push
}

/// One thing a principal may do: an action on a resource.
public struct Permission: Hashable, Sendable, CustomStringConvertible {
    /// The resource.
    public let resource: Resource
    /// The action.
    public let action: Action

    /// Creates a permission.
    public init(_ resource: Resource, _ action: Action) {
        self.resource = resource
        self.action = action
    }

    /// `resource:action` (the project itself is shown as `project`).
    public var description: String { "\(resource == .project ? "project" : resource.rawValue):\(action.rawValue)" }
}
