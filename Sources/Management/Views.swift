import Foundation
import Scanning

/// A project as `/api/v2.0/projects` shows it.
public struct ProjectView: Codable, Sendable {
    /// The project's id.
    public internal(set) var projectId: Int64
    var ownerId: Int64?
    /// The project's name.
    public internal(set) var name: String
    /// When it was created (RFC 3339).
    public internal(set) var creationTime: String
    var updateTime: String
    var deleted: Bool
    /// Its owner's user name.
    public internal(set) var ownerName: String?
    var togglable: Bool
    /// The caller's role in it (Harbor's role id; 0 for none).
    public internal(set) var currentUserRoleId: Int
    var currentUserRoleIds: [Int]
    /// How many repositories it holds.
    public internal(set) var repoCount: Int
    /// Its metadata (`public` among them).
    public internal(set) var metadata: [String: String]
    /// Its CVE allowlist.
    public internal(set) var cveAllowlist: CVEAllowlistView
    /// The remote registry it caches, for a proxy-cache project.
    public internal(set) var registryId: Int64?

    /// Every key is written, `registry_id` as null too, as Harbor's clients expect.
    enum CodingKeys: String, CodingKey {
        case projectId, ownerId, name, creationTime, updateTime, deleted, ownerName, togglable, currentUserRoleId, currentUserRoleIds,
             repoCount, metadata, cveAllowlist, registryId
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(projectId, forKey: .projectId)
        try c.encode(ownerId, forKey: .ownerId)
        try c.encode(name, forKey: .name)
        try c.encode(creationTime, forKey: .creationTime)
        try c.encode(updateTime, forKey: .updateTime)
        try c.encode(deleted, forKey: .deleted)
        try c.encode(ownerName, forKey: .ownerName)
        try c.encode(togglable, forKey: .togglable)
        try c.encode(currentUserRoleId, forKey: .currentUserRoleId)
        try c.encode(currentUserRoleIds, forKey: .currentUserRoleIds)
        try c.encode(repoCount, forKey: .repoCount)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(cveAllowlist, forKey: .cveAllowlist)
        try c.encode(registryId, forKey: .registryId)
    }
}

/// A project's CVE allowlist.
public struct CVEAllowlistView: Codable, Sendable, Equatable {
    /// One allowed CVE.
    public struct Item: Codable, Sendable, Equatable {
        var cveId: String
    }
    var id: Int64
    var projectId: Int64
    var items: [Item]
    var expiresAt: Int64?
    var creationTime: String
    var updateTime: String

    /// The allowed CVE ids.
    public var cveIDs: [String] { items.map(\.cveId) }
    /// When the list stops applying (seconds since 1970), if ever.
    public var expiry: Int64? { expiresAt }
}

/// `GET /projects/{p}/_deletable`.
public struct ProjectDeletableView: Codable, Sendable {
    /// Whether the project can be deleted now.
    public internal(set) var deletable: Bool
    /// Why not.
    public internal(set) var message: String?
}

/// `GET /projects/{p}/summary`.
public struct ProjectSummaryView: Codable, Sendable {
    /// The project's quota in the summary: `{"hard": {"storage": N}, "used": {"storage": N}}`.
    public struct Quota: Codable, Sendable {
        /// The limit (-1 for none).
        public var hard: QuotaView.Storage
        /// The usage.
        public var used: QuotaView.Storage
    }
    var repoCount: Int
    var projectAdminCount: Int
    var maintainerCount: Int
    var developerCount: Int
    var guestCount: Int
    var limitedGuestCount: Int
    var quota: Quota?
}

/// A project at a glance (the portal's summary tab): Harbor's summary counts, what the project stores, and its
/// artifacts pushed per day.
public struct ProjectOverview: Sendable {
    /// Repositories.
    public let repositoryCount: Int
    /// Artifacts.
    public let artifactCount: Int
    /// Bytes stored (manifests, and each blob once).
    public let storedBytes: Int64
    /// Members per role id (1 project admin … 5 limited guest).
    public let membersByRole: [Int: Int]
    /// Artifacts pushed on each of the last days, oldest first, as (UTC day since 1970, count).
    public let pushesPerDay: [(day: Int64, count: Int)]
}

/// A user as `/api/v2.0/users` shows it (never with a password).
public struct UserView: Codable, Sendable {
    /// The user's id.
    public internal(set) var userId: Int64
    /// The user name.
    public internal(set) var username: String
    /// The e-mail address, if any.
    public internal(set) var email: String?
    /// The full name.
    public internal(set) var realname: String
    var comment: String
    /// Whether the user is a system administrator.
    public internal(set) var sysadminFlag: Bool
    var adminRoleInAuth: Bool
    /// When the account was created (Harbor's time format).
    public internal(set) var creationTime: String
    var updateTime: String
}

/// `GET /users/search` entries.
public struct UserSearchView: Codable, Sendable {
    var userId: Int64
    var username: String
}

/// A project member.
public struct MemberView: Codable, Sendable {
    /// The membership's id.
    public internal(set) var id: Int64
    var projectId: Int64
    /// The user's or group's name.
    public internal(set) var entityName: String
    /// The role's name (`projectAdmin`, `developer`, …).
    public internal(set) var roleName: String
    /// The role's number (Harbor's role ids).
    public internal(set) var roleId: Int
    /// The user's or group's id.
    public internal(set) var entityId: Int64
    /// `u` for a user, `g` for a group.
    public internal(set) var entityType: String
}

/// A robot account (never with its secret).
public struct RobotView: Codable, Sendable {
    /// The robot's id.
    public internal(set) var id: Int64
    /// Its full name (`robot$project+name`).
    public internal(set) var name: String
    /// What it is for.
    public internal(set) var description: String
    var level: String
    /// Whether it is a system robot (one that may work in several projects and at system level).
    public var isSystemLevel: Bool { level == "system" }
    var duration: Int64
    var editable: Bool
    /// Whether it is switched off.
    public internal(set) var disable: Bool
    /// When it expires (Unix seconds), -1 for never.
    public internal(set) var expiresAt: Int64
    /// What it may do, per project or system.
    public internal(set) var permissions: [RobotPermissionView]
    var creatorType: String
    var creatorRef: Int64
    /// When it was created (RFC 3339).
    public internal(set) var creationTime: String
    var updateTime: String
}

/// A robot's permission entry in Harbor's shape.
public struct RobotPermissionView: Codable, Sendable, Equatable {
    /// `project` or `system`.
    public internal(set) var kind: String
    /// The project's name (or `/` for the system).
    public internal(set) var namespace: String
    /// The actions granted.
    public internal(set) var access: [AccessView]
}

/// One granted action.
public struct AccessView: Codable, Sendable, Equatable {
    /// The resource (Harbor's name).
    public internal(set) var resource: String
    /// The action.
    public internal(set) var action: String
    var effect: String?
}

/// The answer to creating a robot: the only time its secret is shown.
public struct RobotCreatedView: Codable, Sendable {
    /// The new robot's id.
    public var id: Int64
    /// The robot's full name.
    public internal(set) var name: String
    /// Its secret, shown this once.
    public internal(set) var secret: String
    var creationTime: String
    var expiresAt: Int64
}

/// The answer to refreshing a robot's secret.
public struct RobotSecretView: Codable, Sendable {
    /// The new secret (shown this once).
    public internal(set) var secret: String
}

/// A repository.
public struct RepositoryView: Codable, Sendable {
    var id: Int64
    var projectId: Int64
    /// The full name (`project/repository`).
    public internal(set) var name: String
    /// What its maintainers wrote about it.
    public internal(set) var description: String
    /// How many artifacts it holds.
    public internal(set) var artifactCount: Int64
    /// How often its artifacts were pulled.
    public internal(set) var pullCount: Int64
    var creationTime: String
    /// When it last changed (RFC 3339).
    public internal(set) var updateTime: String
}

/// A tag of an artifact.
public struct TagView: Codable, Sendable {
    var id: Int64
    var repositoryId: Int64
    var artifactId: Int64
    /// The tag.
    public internal(set) var name: String
    /// When it was pushed (RFC 3339).
    public internal(set) var pushTime: String
    /// When it was last pulled (RFC 3339, or the zero time).
    public internal(set) var pullTime: String
    /// Whether an immutability rule protects it.
    public internal(set) var immutable: Bool
}

/// A link to an addition of an artifact (its build history, say).
public struct AdditionLinkView: Codable, Sendable {
    var absolute: Bool
    var href: String
}

/// An index's child, as Harbor's `references` lists it.
public struct ReferenceView: Codable, Sendable {
    var parentId: Int64
    var childId: Int64?
    /// The child manifest's digest.
    public internal(set) var childDigest: String
    /// The child's platform as the index names it.
    public internal(set) var platform: JSONValue?
    var annotations: [String: String]?
    var urls: [String]?
}

/// A layer (or file) a manifest lists.
public struct LayerView: Sendable {
    /// The blob's digest.
    public let digest: String
    /// Its media type.
    public let mediaType: String
    /// Its size in bytes.
    public let size: Int64
}

/// An artifact that refers to another through its `subject` (a signature, an SBOM, an attestation).
public struct ReferrerView: Sendable {
    /// The referrer's digest.
    public let digest: String
    /// Its artifact type (the referrers API's `artifactType`).
    public let artifactType: String
    /// Its manifest's size in bytes.
    public let size: Int64
    /// Its annotations.
    public let annotations: [String: String]
}

/// What the portal's artifact page shows: Harbor's view, the build history (an image config's `history`, JSON),
/// the layers and the referrers.
public struct ArtifactDetails: Sendable {
    /// Harbor's view of the artifact.
    public let view: ArtifactView
    /// The image's build history as JSON, when it is an image with one.
    public let buildHistory: Data?
    /// The layers its manifest lists.
    public let layers: [LayerView]
    /// The artifacts in the same repository whose subject it is (at most 500).
    public let referrers: [ReferrerView]
}

/// An artifact (a manifest and its tags).
public struct ArtifactView: Codable, Sendable {
    var id: Int64
    /// `IMAGE`, `CHART`, `CNAB`, `SIGNATURE` or the artifact type Harbor would show.
    public internal(set) var type: String
    /// The config's (or artifact type's) media type.
    public internal(set) var mediaType: String
    var manifestMediaType: String
    var artifactType: String?
    var projectId: Int64
    var repositoryId: Int64
    var repositoryName: String
    /// The manifest's digest.
    public internal(set) var digest: String
    /// Its size with everything it references, in bytes.
    public internal(set) var size: Int64
    var icon: String
    /// When it was pushed (RFC 3339).
    public internal(set) var pushTime: String
    /// When it was last pulled (RFC 3339, or the zero time).
    public internal(set) var pullTime: String
    /// The manifest's annotations.
    public internal(set) var annotations: [String: String]?
    /// Facts from an image's config (architecture, os, author, created …).
    public internal(set) var extraAttrs: JSONValue?
    var additionLinks: [String: AdditionLinkView]?
    /// An index's children.
    public internal(set) var references: [ReferenceView]?
    /// Its tags.
    public internal(set) var tags: [TagView]
    /// The labels on it.
    public internal(set) var labels: [LabelView]
    /// Its scan reports' summaries by report type (with `with_scan_overview=true`).
    public internal(set) var scanOverview: [String: NativeReportSummaryView]?
    /// Its SBOM's state (with `with_sbom_overview=true`).
    public internal(set) var sbomOverview: SBOMOverviewView?
}

/// An audit log entry.
public struct AuditLogView: Codable, Sendable {
    var id: Int64
    /// Who did it.
    public internal(set) var username: String
    /// What it was done to.
    public internal(set) var resource: String
    /// The kind of thing (`artifact`, `robot`, …).
    public internal(set) var resourceType: String
    /// What was done (`create`, `delete`, `pull`, …).
    public internal(set) var operation: String
    /// When (RFC 3339).
    public internal(set) var opTime: String
    var clientIp: String
    /// Whether it succeeded.
    public internal(set) var operationResult: Bool
}

/// A user group.
public struct UserGroupView: Codable, Sendable {
    /// The group's id.
    public internal(set) var id: Int64
    /// Its name.
    public internal(set) var groupName: String
    /// 1: an LDAP group.
    public internal(set) var groupType: Int
    /// Its DN in the directory.
    public internal(set) var ldapGroupDn: String?
}

/// A permission in `/users/current/permissions`.
public struct PermissionView: Codable, Sendable, Equatable {
    var resource: String
    var action: String
}

/// A webhook target (Harbor's `WebhookTargetObject`).
public struct WebhookTargetView: Codable, Sendable {
    /// How it is notified (`http` or `slack`).
    public internal(set) var type: String
    /// Where notifications go.
    public internal(set) var address: String
    /// The `Authorization` header sent (empty for those who may not change the policy).
    public internal(set) var authHeader: String
    /// Whether the receiver's certificate goes unchecked.
    public internal(set) var skipCertVerify: Bool
    /// The payload format (`Default`, `CloudEvents`).
    public internal(set) var payloadFormat: String
}

/// A webhook policy (Harbor's `WebhookPolicy`).
public struct WebhookPolicyView: Codable, Sendable {
    /// The policy's id.
    public internal(set) var id: Int64
    /// Its name.
    public internal(set) var name: String
    /// What it is for.
    public internal(set) var description: String
    /// The project it belongs to.
    public internal(set) var projectId: Int64
    /// Where it sends notifications.
    public internal(set) var targets: [WebhookTargetView]
    /// The event types it fires on (Harbor's names).
    public internal(set) var eventTypes: [String]
    /// Who created it.
    public internal(set) var creator: String
    /// When it was created.
    public internal(set) var creationTime: String
    /// When it last changed.
    public internal(set) var updateTime: String
    /// Whether it fires.
    public internal(set) var enabled: Bool
}

/// The payload formats of one notify type.
public struct PayloadFormatsView: Codable, Sendable {
    /// The target type.
    public internal(set) var notifyType: String
    /// Its payload formats.
    public internal(set) var formats: [String]
}

/// What webhook policies can use (Harbor's `SupportedWebhookEventTypes`).
public struct SupportedWebhookEventsView: Codable, Sendable {
    /// The event types a policy can subscribe to.
    public internal(set) var eventType: [String]
    /// The target types.
    public internal(set) var notifyType: [String]
    /// The payload formats per target type.
    public internal(set) var payloadFormats: [PayloadFormatsView]
}

/// When a policy last fired for an event type (Harbor's `WebhookLastTrigger`).
public struct WebhookLastTriggerView: Codable, Sendable {
    /// The policy's name.
    public internal(set) var policyName: String
    /// The event type.
    public internal(set) var eventType: String
    /// Whether the policy is enabled.
    public internal(set) var enabled: Bool
    /// When the policy was created.
    public internal(set) var creationTime: String
    /// When it last fired for this event type (empty if never).
    public internal(set) var lastTriggerTime: String
}

/// Task counts of an execution (Harbor's `Metrics`).
public struct ExecutionMetricsView: Codable, Sendable {
    /// All tasks.
    public internal(set) var taskCount: Int
    /// Tasks that succeeded.
    public internal(set) var successTaskCount: Int
    /// Tasks that failed.
    public internal(set) var errorTaskCount: Int
    /// Tasks waiting.
    public internal(set) var pendingTaskCount: Int
    /// Tasks running.
    public internal(set) var runningTaskCount: Int
    /// Tasks scheduled.
    public internal(set) var scheduledTaskCount: Int
    /// Tasks stopped.
    public internal(set) var stoppedTaskCount: Int
}

/// An execution (Harbor's `Execution`).
public struct ExecutionView: Codable, Sendable {
    /// The execution's id.
    public internal(set) var id: Int64
    /// What ran it (`WEBHOOK`).
    public internal(set) var vendorType: String
    /// The policy's id.
    public internal(set) var vendorId: Int64
    /// `Running`, `Success`, `Error` or `Stopped`.
    public internal(set) var status: String
    /// Why it ended as it did.
    public internal(set) var statusMessage: String
    /// Its tasks by status.
    public internal(set) var metrics: ExecutionMetricsView
    /// What started it (`EVENT`).
    public internal(set) var trigger: String
    /// The event type and id.
    public internal(set) var extraAttrs: JSONValue
    /// When it started.
    public internal(set) var startTime: String
    /// When it ended (empty while running).
    public internal(set) var endTime: String
}

/// A task of an execution (Harbor's `Task`).
public struct TaskView: Codable, Sendable {
    /// The task's id.
    public internal(set) var id: Int64
    /// Its execution.
    public internal(set) var executionId: Int64
    /// `Pending`, `Running`, `Success`, `Error` or `Stopped`.
    public internal(set) var status: String
    /// The last line of its log.
    public internal(set) var statusMessage: String
    /// How many attempts it made.
    public internal(set) var runCount: Int
    /// The event type, target, payload format, payload and the receiver's last status code.
    public internal(set) var extraAttrs: JSONValue
    /// When it was created.
    public internal(set) var creationTime: String
    /// When it last changed.
    public internal(set) var updateTime: String
    /// When its first attempt started.
    public internal(set) var startTime: String
    /// When it ended (empty while open).
    public internal(set) var endTime: String
}

/// A notification as Harbor's older `/webhook/jobs` shows it (Harbor's `WebhookJob`).
public struct WebhookJobView: Codable, Sendable {
    var id: Int64
    var policyId: Int64
    var eventType: String
    var notifyType: String
    var status: String
    var jobDetail: String
    var creationTime: String
    var updateTime: String
}
