/// `POST /projects` and `PUT /projects/{p}` bodies.
public struct ProjectRequest: Decodable, Sendable {
    /// The `cve_allowlist` object (its id, project id and times are Berth's to set, so they are ignored).
    public struct Allowlist: Decodable, Sendable {
        struct Item: Decodable, Sendable { var cveId: String? }
        var items: [Item]?
        var expiresAt: Int64?
    }
    var projectName: String?
    var `public`: Bool?
    var metadata: [String: String]?
    var storageLimit: Int64?
    var cveAllowlist: Allowlist?
    var registryId: Int64?

    /// A request as the portal's "New project" form makes it (no quota or allowlist yet); `registryID` makes it a
    /// proxy cache of that registry.
    public init(projectName: String, isPublic: Bool, registryID: Int64? = nil) {
        self.projectName = projectName
        self.public = isPublic
        self.registryId = registryID
    }

    /// A change of the project's scanning settings (`auto_scan`, `prevent_vul`, `severity`, …) and its CVE allowlist, as
    /// the portal's configuration form makes it.
    public static func scanning(metadata: [String: String], allowlistedCVEs: [String], allowlistExpiresAt: Int64?) -> ProjectRequest {
        var request = ProjectRequest(projectName: "", isPublic: false)
        request.projectName = nil
        request.public = nil
        request.metadata = metadata
        request.cveAllowlist = Allowlist(items: allowlistedCVEs.map { Allowlist.Item(cveId: $0) }, expiresAt: allowlistExpiresAt)
        return request
    }

    /// A change that only makes a project public or private.
    public static func visibility(isPublic: Bool) -> ProjectRequest {
        var request = ProjectRequest(projectName: "", isPublic: isPublic)
        request.projectName = nil
        return request
    }
}

/// `POST /users` body.
public struct UserCreationRequest: Decodable, Sendable {
    var username: String?
    var email: String?
    var realname: String?
    var comment: String?
    var password: String?

    /// A new local user with a password.
    public init(username: String?, email: String?, realname: String?, password: String?) {
        self.username = username
        self.email = email
        self.realname = realname
        self.comment = nil
        self.password = password
    }
}

/// `PUT /users/{id}` body.
public struct UserProfileRequest: Decodable, Sendable {
    var email: String?
    var realname: String?
    var comment: String?

    /// A change of e-mail (empty removes it) and full name.
    public init(email: String, realname: String) {
        self.email = email
        self.realname = realname
    }
}

/// `PUT /users/{id}/password` body.
public struct PasswordRequest: Decodable, Sendable {
    var oldPassword: String?
    var newPassword: String?

    /// A request to change the password from `oldPassword` to `newPassword`.
    public init(oldPassword: String?, newPassword: String?) {
        self.oldPassword = oldPassword
        self.newPassword = newPassword
    }
}

/// `PUT /users/{id}/sysadmin` body.
public struct SysadminRequest: Decodable, Sendable {
    var sysadminFlag: Bool?

    /// Makes a user a system administrator (`true`) or not.
    public init(sysadminFlag: Bool) { self.sysadminFlag = sysadminFlag }
}

/// `POST /projects/{p}/members` body.
public struct MemberRequest: Decodable, Sendable {
    struct UserRef: Decodable, Sendable {
        var userId: Int64?
        var username: String?
    }
    struct GroupRef: Decodable, Sendable {
        var id: Int64?
        var groupName: String?
        var groupType: Int?
        var ldapGroupDn: String?
    }
    var roleId: Int?
    var memberUser: UserRef?
    var memberGroup: GroupRef?

    /// A request that makes user `username` a member with role `roleId`.
    public init(username: String, roleId: Int?) {
        self.roleId = roleId
        memberUser = UserRef(userId: nil, username: username)
        memberGroup = nil
    }

    /// A request that makes a group a member with role `roleId`: `group` is an LDAP DN (it holds `=`) or the name of
    /// a group Berth already knows.
    public init(group: String, roleId: Int?) {
        self.roleId = roleId
        memberUser = nil
        memberGroup = group.contains("=") ? GroupRef(id: nil, groupName: nil, groupType: 1, ldapGroupDn: group)
            : GroupRef(id: nil, groupName: group, groupType: 1, ldapGroupDn: nil)
    }
}

/// `PUT /projects/{p}/members/{id}` body.
public struct RoleRequest: Decodable, Sendable {
    var roleId: Int?

    /// A request for role `roleId`.
    public init(roleId: Int?) { self.roleId = roleId }
}

/// `POST /robots` and `PUT /robots/{id}` bodies.
public struct RobotRequest: Decodable, Sendable {
    var name: String?
    var description: String?
    var secret: String?
    var level: String?
    var disable: Bool?
    var duration: Int64?
    var permissions: [RobotPermissionView]?

    /// A project robot that may do `access` (resource and action pairs, Harbor's names) in `project`; it expires after
    /// `durationDays` (-1 never, 0 the default).
    public static func projectRobot(name: String, description: String, durationDays: Int64, project: String,
                                    access: [(resource: String, action: String)]) -> RobotRequest {
        RobotRequest(name: name, description: description, secret: nil, level: "project", disable: false, duration: durationDays,
                     permissions: [RobotPermissionView(kind: "project", namespace: project,
                                                       access: access.map { AccessView(resource: $0.resource, action: $0.action, effect: nil) })])
    }

    /// A change that only disables (`true`) or enables a robot.
    public static func state(disabled: Bool) -> RobotRequest {
        RobotRequest(name: nil, description: nil, secret: nil, level: nil, disable: disabled, duration: nil, permissions: nil)
    }

    /// A change of a project robot's description and of what it may do in `project` (its own project).
    public static func projectAccess(description: String, project: String, access: [(resource: String, action: String)]) -> RobotRequest {
        RobotRequest(name: nil, description: description, secret: nil, level: nil, disable: nil, duration: nil,
                     permissions: [RobotPermissionView(kind: "project", namespace: project,
                                                       access: access.map { AccessView(resource: $0.resource, action: $0.action, effect: nil) })])
    }

    /// A system robot that may do `projectAccess` in each of `projects` (nil: in every project, now and later) and
    /// `systemAccess` at system level; it expires after `durationDays` (-1 never, 0 the default).
    public static func systemRobot(name: String, description: String, durationDays: Int64, projects: [String]?,
                                   projectAccess: [(resource: String, action: String)], systemAccess: [(resource: String, action: String)]) -> RobotRequest {
        func entries(_ access: [(resource: String, action: String)]) -> [AccessView] {
            access.map { AccessView(resource: $0.resource, action: $0.action, effect: nil) }
        }
        var permissions: [RobotPermissionView] = []
        if !projectAccess.isEmpty {
            permissions += (projects ?? ["*"]).map { RobotPermissionView(kind: "project", namespace: $0, access: entries(projectAccess)) }
        }
        if !systemAccess.isEmpty { permissions.append(RobotPermissionView(kind: "system", namespace: "/", access: entries(systemAccess))) }
        return RobotRequest(name: name, description: description, secret: nil, level: "system", disable: false, duration: durationDays,
                            permissions: permissions)
    }
}

/// `PATCH /robots/{id}` body (refresh the secret; a given secret is used, else one is generated).
public struct RobotSecretRequest: Decodable, Sendable {
    var secret: String?

    /// A request for a generated secret.
    public init() { secret = nil }
}

/// `PUT /projects/{p}/repositories/{r}` body.
public struct RepositoryUpdateRequest: Decodable, Sendable {
    var description: String?

    /// A request that sets the description.
    public init(description: String?) { self.description = description }
}

/// `POST …/artifacts/{ref}/tags` body.
public struct TagRequest: Decodable, Sendable {
    var name: String?

    /// A request for tag `name`.
    public init(name: String?) { self.name = name }
}

/// `POST …/artifacts/{reference}/scan` body (Harbor's `ScanType`; optional).
public struct ScanTypeRequest: Decodable, Sendable {
    /// `vulnerability` (the default) or `sbom`.
    public var scanType: String?

    /// A request for a scan of `scanType`.
    public init(scanType: String?) { self.scanType = scanType }
}

/// `POST /usergroups` and `PUT /usergroups/{id}` bodies.
public struct UserGroupRequest: Decodable, Sendable {
    var groupName: String?
    var groupType: Int?
    var ldapGroupDn: String?

    /// An LDAP group by its DN, named `name` (nil or empty: the directory's name for it); for a rename, only `name`.
    public init(name: String?, ldapDN: String?) {
        groupName = name
        groupType = ldapDN == nil ? nil : 1
        ldapGroupDn = ldapDN
    }
}

/// A webhook policy as clients send it (Harbor's `WebhookPolicy`; id, project and times are ignored).
public struct WebhookPolicyRequest: Decodable, Sendable {
    /// A target as sent.
    struct Target: Decodable, Sendable {
        var type: String?
        var address: String?
        var authHeader: String?
        var skipCertVerify: Bool?
        var payloadFormat: String?
    }
    var name: String?
    var description: String?
    var eventTypes: [String]?
    var targets: [Target]?
    var enabled: Bool?

    /// A policy named `name` that sends events of `eventTypes` to one receiver of `type` (`http`, `slack`) at `address`
    /// (with `authHeader` as its `Authorization` header when not empty); fields left nil keep their values on an update.
    public static func single(name: String?, description: String?, eventTypes: [String]?, type: String, address: String?, authHeader: String?,
                              skipCertVerify: Bool?, payloadFormat: String?, enabled: Bool?) -> WebhookPolicyRequest {
        let target = address.map { Target(type: type, address: $0, authHeader: authHeader, skipCertVerify: skipCertVerify, payloadFormat: payloadFormat) }
        return WebhookPolicyRequest(name: name, description: description, eventTypes: eventTypes, targets: target.map { [$0] }, enabled: enabled)
    }

    /// A change that only enables or disables a policy.
    public static func state(enabled: Bool) -> WebhookPolicyRequest {
        WebhookPolicyRequest(name: nil, description: nil, eventTypes: nil, targets: nil, enabled: enabled)
    }
}
