import OCI

/// Where a user account comes from.
public enum UserSource: String, Sendable, Equatable {
    /// Created in Berth, with a bcrypt password hash.
    case local
    /// Created on first login from the LDAP directory; the directory checks the password.
    case ldap
}

/// A user account row.
public struct UserRecord: Sendable, Equatable {
    /// Database id (`user_id` in the API).
    public var id: Int64
    /// Login name, unique regardless of case.
    public var username: String
    /// E-mail address, unique regardless of case when present.
    public var email: String?
    /// Full name.
    public var realname: String
    /// Free text.
    public var comment: String
    /// bcrypt hash of the password (local users only).
    public var passwordHash: String?
    /// Local or LDAP.
    public var source: UserSource
    /// The directory entry of an LDAP user.
    public var ldapDN: String?
    /// Whether the user is a system administrator.
    public var sysadmin: Bool
    /// Creation time, ms since 1970.
    public var createdAt: Int64
    /// Last change, ms since 1970.
    public var updatedAt: Int64

    /// Creates a record.
    public init(id: Int64 = 0, username: String, email: String?, realname: String, comment: String, passwordHash: String?,
                source: UserSource, ldapDN: String?, sysadmin: Bool, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.username = username
        self.email = email
        self.realname = realname
        self.comment = comment
        self.passwordHash = passwordHash
        self.source = source
        self.ldapDN = ldapDN
        self.sysadmin = sysadmin
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A user group (an LDAP group that can be a project member).
public struct UserGroupRecord: Sendable, Equatable {
    /// Harbor's group type for LDAP groups.
    public static let ldapType = 1
    /// Database id.
    public var id: Int64
    /// Display name.
    public var name: String
    /// Group type (1 = LDAP).
    public var type: Int
    /// The group's DN in the directory.
    public var ldapDN: String?
    /// Creation time, ms since 1970.
    public var createdAt: Int64

    /// Creates a record.
    public init(id: Int64 = 0, name: String, type: Int, ldapDN: String?, createdAt: Int64) {
        self.id = id
        self.name = name
        self.type = type
        self.ldapDN = ldapDN
        self.createdAt = createdAt
    }
}

/// A project row. Its settings (`public` and the rest of Harbor's project metadata) are string pairs.
public struct ProjectRecord: Sendable, Equatable {
    /// Database id (`project_id` in the API).
    public var id: Int64
    /// Name: the first component of every repository in the project.
    public var name: String
    /// The creating user, when known.
    public var ownerID: Int64?
    /// Harbor's project metadata (`public`, `auto_scan`, …) with string values.
    public var metadata: [String: String]
    /// Creation time, ms since 1970.
    public var createdAt: Int64
    /// Last change, ms since 1970.
    public var updatedAt: Int64
    /// CVEs the project accepts (used by scanning policies), if it has its own list.
    public var cveAllowlist: CVEAllowlist?
    /// For a proxy-cache project: the remote registry it caches.
    public var registryID: Int64?
    /// The storage limit its quota starts with (bytes; -1 for none). Read only when the project is created; the
    /// quota holds the limit in force.
    public var storageLimit: Int64

    /// Creates a record.
    public init(id: Int64 = 0, name: String, ownerID: Int64?, metadata: [String: String], createdAt: Int64, updatedAt: Int64,
                cveAllowlist: CVEAllowlist? = nil, registryID: Int64? = nil, storageLimit: Int64 = -1) {
        self.registryID = registryID
        self.storageLimit = storageLimit
        self.id = id
        self.name = name
        self.ownerID = ownerID
        self.metadata = metadata
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.cveAllowlist = cveAllowlist
    }

    /// Whether anyone, anonymous included, may list and pull.
    public var isPublic: Bool { metadata["public"]?.lowercased() == "true" }
}

/// A list of CVE ids that scanning policies let pass, optionally until a time.
public struct CVEAllowlist: Codable, Sendable, Equatable {
    /// The CVE ids (`CVE-2024-1234`).
    public var items: [String]
    /// Expiry in seconds since 1970, if any.
    public var expiresAt: Int64?
    /// Last change, ms since 1970.
    public var updatedAt: Int64

    /// Creates a list.
    public init(items: [String], expiresAt: Int64?, updatedAt: Int64) {
        self.items = items
        self.expiresAt = expiresAt
        self.updatedAt = updatedAt
    }
}

/// What a project member is.
public enum MemberEntityType: String, Sendable, Equatable {
    /// A user (`u`).
    case user = "u"
    /// A user group (`g`).
    case group = "g"
}

/// A project membership: a user or group with a role.
public struct MemberRecord: Sendable, Equatable {
    /// Database id.
    public var id: Int64
    /// The project.
    public var projectID: Int64
    /// User or group.
    public var entityType: MemberEntityType
    /// The user's or group's id.
    public var entityID: Int64
    /// The user's or group's name (filled in by joins).
    public var entityName: String
    /// Harbor's role id (1 project admin, 2 developer, 3 guest, 4 maintainer, 5 limited guest).
    public var role: Int

    /// Creates a record.
    public init(id: Int64 = 0, projectID: Int64, entityType: MemberEntityType, entityID: Int64, entityName: String, role: Int) {
        self.id = id
        self.projectID = projectID
        self.entityType = entityType
        self.entityID = entityID
        self.entityName = entityName
        self.role = role
    }
}

/// A robot account row. Its permissions are stored as JSON in Harbor's `RobotPermission` shape.
public struct RobotRecord: Sendable, Equatable {
    /// Database id.
    public var id: Int64
    /// Full name, with the `robot$` prefix (and `project+` for project robots).
    public var name: String
    /// Free text.
    public var description: String
    /// `system` or `project`.
    public var level: String
    /// The project of a project-level robot.
    public var projectID: Int64?
    /// Salted hash of the secret.
    public var secretHash: String
    /// Whether the robot is switched off.
    public var disabled: Bool
    /// Lifetime in days; -1 means never expires.
    public var durationDays: Int64
    /// Expiry in seconds since 1970; -1 means never.
    public var expiresAt: Int64
    /// Permissions as JSON.
    public var permissionsJSON: String
    /// Who created it (`local` user or `robot`).
    public var creatorType: String
    /// The creating user's or robot's id.
    public var creatorRef: Int64
    /// Creation time, ms since 1970.
    public var createdAt: Int64
    /// Last change, ms since 1970.
    public var updatedAt: Int64

    /// Creates a record.
    public init(id: Int64 = 0, name: String, description: String, level: String, projectID: Int64?, secretHash: String,
                disabled: Bool, durationDays: Int64, expiresAt: Int64, permissionsJSON: String, creatorType: String,
                creatorRef: Int64, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.name = name
        self.description = description
        self.level = level
        self.projectID = projectID
        self.secretHash = secretHash
        self.disabled = disabled
        self.durationDays = durationDays
        self.expiresAt = expiresAt
        self.permissionsJSON = permissionsJSON
        self.creatorType = creatorType
        self.creatorRef = creatorRef
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One audit log entry: who did what to which resource, when and from where.
public struct AuditRecord: Sendable, Equatable {
    /// Database id.
    public var id: Int64
    /// The project the resource belongs to, if any.
    public var projectID: Int64?
    /// `create`, `delete`, `pull`, `update`, `login`, …
    public var operation: String
    /// `artifact`, `repository`, `project`, `user`, `robot`, `member`, …
    public var resourceType: String
    /// The resource's name (for example `library/app:latest` or `library/app@sha256:…`).
    public var resource: String
    /// Who (a username, `robot$…`, or `anonymous`).
    public var username: String
    /// The client's address.
    public var clientIP: String
    /// Whether the operation succeeded (failed logins are recorded too).
    public var success: Bool
    /// When, ms since 1970.
    public var createdAt: Int64

    /// Creates a record.
    public init(id: Int64 = 0, projectID: Int64?, operation: String, resourceType: String, resource: String,
                username: String, clientIP: String, success: Bool, createdAt: Int64) {
        self.id = id
        self.projectID = projectID
        self.operation = operation
        self.resourceType = resourceType
        self.resource = resource
        self.username = username
        self.clientIP = clientIP
        self.success = success
        self.createdAt = createdAt
    }
}

/// A repository as the management API shows it.
public struct RepositoryInfo: Sendable, Equatable {
    /// Database id.
    public var id: Int64
    /// Full name.
    public var name: String
    /// Project name.
    public var projectName: String
    /// Free text set through the API.
    public var description: String
    /// Number of manifests.
    public var artifactCount: Int64
    /// How often manifests were pulled from it.
    public var pullCount: Int64
    /// Its project's id.
    public var projectID: Int64
    /// Creation time, ms since 1970.
    public var createdAt: Int64
    /// Last push, ms since 1970.
    public var updatedAt: Int64

    /// Creates a record.
    public init(id: Int64, name: String, projectName: String, description: String, artifactCount: Int64, pullCount: Int64 = 0,
                projectID: Int64 = 0, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.name = name
        self.projectName = projectName
        self.description = description
        self.artifactCount = artifactCount
        self.pullCount = pullCount
        self.projectID = projectID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A tag as the management API shows it.
public struct TagInfo: Sendable, Equatable {
    /// Database id.
    public var id: Int64
    /// The tag.
    public var name: String
    /// When it was last pointed at its manifest, ms since 1970.
    public var updatedAt: Int64
    /// When a pull last named it, ms since 1970.
    public var pullTime: Int64?

    /// Creates a record.
    public init(id: Int64, name: String, updatedAt: Int64, pullTime: Int64?) {
        self.id = id
        self.name = name
        self.updatedAt = updatedAt
        self.pullTime = pullTime
    }
}

/// A manifest with its tags, as the management API's artifact list shows it.
public struct ArtifactInfo: Sendable, Equatable {
    /// Database id.
    public var id: Int64
    /// The repository's id.
    public var repositoryID: Int64
    /// The manifest.
    public var manifest: ManifestRecord
    /// Push time, ms since 1970.
    public var pushedAt: Int64
    /// When it was last pulled, ms since 1970.
    public var pullTime: Int64?
    /// Tags pointing at it.
    public var tags: [TagInfo]
    /// Size of the manifest plus the blobs it refers to.
    public var totalSize: Int64

    /// Creates a record.
    public init(id: Int64, repositoryID: Int64, manifest: ManifestRecord, pushedAt: Int64, pullTime: Int64? = nil, tags: [TagInfo], totalSize: Int64) {
        self.id = id
        self.repositoryID = repositoryID
        self.manifest = manifest
        self.pushedAt = pushedAt
        self.pullTime = pullTime
        self.tags = tags
        self.totalSize = totalSize
    }
}

/// Pulls of one manifest (by digest, and the tag a pull named if any) gathered over a moment.
public struct PullCount: Sendable, Equatable {
    /// The repository.
    public var repositoryName: String
    /// The manifest pulled.
    public var digest: Digest
    /// The tag that named it, if a pull named one.
    public var tag: String?
    /// How many pulls.
    public var count: Int64
    /// The latest of them, ms since 1970.
    public var lastAt: Int64

    /// Creates a count.
    public init(repositoryName: String, digest: Digest, tag: String?, count: Int64, lastAt: Int64) {
        self.repositoryName = repositoryName
        self.digest = digest
        self.tag = tag
        self.count = count
        self.lastAt = lastAt
    }
}

/// A server-side session: a portal sign-in (`portal`) or an OAuth2 refresh token (`refresh`). Only the SHA-256 of the
/// secret value the client holds is stored.
public struct SessionRecord: Sendable, Equatable {
    /// Hex SHA-256 of the secret value.
    public var tokenHash: String
    /// `portal` or `refresh`.
    public var kind: String
    /// The user it belongs to (one of user and robot is set).
    public var userID: Int64?
    /// The robot it belongs to.
    public var robotID: Int64?
    /// The CSRF token unsafe portal requests must echo ("" for refresh tokens).
    public var csrf: String
    /// System administrator through the LDAP admin group at sign-in.
    public var directoryAdmin: Bool
    /// Creation time, ms since 1970.
    public var createdAt: Int64
    /// Expiry, ms since 1970.
    public var expiresAt: Int64

    /// Creates a record.
    public init(tokenHash: String, kind: String, userID: Int64?, robotID: Int64?, csrf: String, directoryAdmin: Bool, createdAt: Int64, expiresAt: Int64) {
        self.tokenHash = tokenHash
        self.kind = kind
        self.userID = userID
        self.robotID = robotID
        self.csrf = csrf
        self.directoryAdmin = directoryAdmin
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// The bytes one project stores.
public struct ProjectStorage: Sendable, Equatable {
    /// The project's name.
    public var project: String
    /// Its bytes: each blob and manifest once, however many of its repositories hold it.
    public var bytes: Int64

    /// Creates the figure.
    public init(project: String, bytes: Int64) {
        self.project = project
        self.bytes = bytes
    }
}

/// What a project holds and how busy it has been (the portal's project summary).
public struct ProjectActivity: Sendable, Equatable {
    /// Artifacts (manifests) in the project's repositories.
    public var artifactCount: Int
    /// Bytes the project stores: each blob and manifest once, however many of its repositories hold it.
    public var storedBytes: Int64
    /// Artifacts first pushed on each UTC day (days since 1970), for the days asked about that saw any.
    public var pushesPerDay: [Int64: Int]

    /// Creates the figures.
    public init(artifactCount: Int, storedBytes: Int64, pushesPerDay: [Int64: Int]) {
        self.artifactCount = artifactCount
        self.storedBytes = storedBytes
        self.pushesPerDay = pushesPerDay
    }
}

/// What a page of projects shows besides the projects: the caller's roles, repository counts and owner names.
public struct ProjectListFacts: Sendable, Equatable {
    /// Role ids the user holds, by project id (projects without one are absent).
    public var roles: [Int64: [Int]]
    /// Repositories by project name (projects without any are absent).
    public var repositoryCounts: [String: Int]
    /// User names by user id.
    public var ownerNames: [Int64: String]

    /// Creates the facts.
    public init(roles: [Int64: [Int]], repositoryCounts: [String: Int], ownerNames: [Int64: String]) {
        self.roles = roles
        self.repositoryCounts = repositoryCounts
        self.ownerNames = ownerNames
    }
}
