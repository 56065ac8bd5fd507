/// Who is making a request, once credentials have been checked.
public enum Principal: Sendable, Equatable {
    /// No credentials.
    case anonymous
    /// A user account (local or LDAP).
    case user(UserIdentity)
    /// A robot account.
    case robot(RobotIdentity)
    /// Authorization is switched off (`auth.enabled: false`): everything is allowed.
    case unrestricted

    /// The name recorded in audit logs and tokens.
    public var name: String {
        switch self {
        case .anonymous: return "anonymous"
        case .user(let user): return user.username
        case .robot(let robot): return robot.name
        case .unrestricted: return "anonymous"
        }
    }

    /// Whether this principal holds every permission.
    public var isSystemAdmin: Bool {
        switch self {
        case .user(let user): return user.sysadmin
        case .unrestricted: return true
        case .anonymous, .robot: return false
        }
    }

    /// The account behind the principal, by id (nil for anonymous and unrestricted).
    public var account: AccountReference? {
        switch self {
        case .user(let user): return .user(user.id)
        case .robot(let robot): return .robot(robot.id)
        case .anonymous, .unrestricted: return nil
        }
    }

    /// Whether credentials were presented and checked.
    public var isAuthenticated: Bool {
        switch self {
        case .anonymous: return false
        default: return true
        }
    }
}

/// A signed-in user.
public struct UserIdentity: Sendable, Equatable {
    /// The user's id.
    public let id: Int64
    /// The user's name.
    public let username: String
    /// System administrator (from the account, or from the LDAP admin group at login).
    public let sysadmin: Bool
    /// The user groups (LDAP groups known to Berth) the user belongs to.
    public let groupIDs: [Int64]

    /// Creates an identity.
    public init(id: Int64, username: String, sysadmin: Bool, groupIDs: [Int64]) {
        self.id = id
        self.username = username
        self.sysadmin = sysadmin
        self.groupIDs = groupIDs
    }
}

/// A robot account, with its grants.
public struct RobotIdentity: Sendable, Equatable {
    /// The robot's id.
    public let id: Int64
    /// Full name (`robot$…`).
    public let name: String
    /// What it may do, per project.
    public let grants: RobotGrants

    /// Creates an identity.
    public init(id: Int64, name: String, grants: RobotGrants) {
        self.id = id
        self.name = name
        self.grants = grants
    }
}

/// An account by id, as tokens carry it: `user:<id>` or `robot:<id>`. Names can be reused and can look alike; ids
/// cannot.
public enum AccountReference: Sendable, Equatable, CustomStringConvertible {
    /// A user account.
    case user(Int64)
    /// A robot account.
    case robot(Int64)

    /// Parses `user:<id>` or `robot:<id>`.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let id = Int64(parts[1]) else { return nil }
        switch parts[0] {
        case "user": self = .user(id)
        case "robot": self = .robot(id)
        default: return nil
        }
    }

    /// `user:<id>` or `robot:<id>`.
    public var description: String {
        switch self {
        case .user(let id): return "user:\(id)"
        case .robot(let id): return "robot:\(id)"
        }
    }
}
