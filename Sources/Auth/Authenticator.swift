import APIInput
import Crypto
import Foundation
import Logging
import Metadata
import Synchronization

/// Why credentials were refused. The messages never say which part was wrong.
public enum AuthenticationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Unknown account, wrong password or secret, disabled or expired robot.
    case invalidCredentials
    /// Too many failures: the account or address is locked for a while.
    case locked(retryAfterSeconds: Int)
    /// The directory (LDAP) could not be asked; nothing is known about the credentials.
    case directoryUnavailable

    /// A message for the client.
    public var description: String {
        switch self {
        case .invalidCredentials: return "invalid username or password"
        case .locked(let seconds): return "too many failed logins; try again in \(seconds) seconds"
        case .directoryUnavailable: return "the login directory (LDAP) cannot be reached; try again later"
        }
    }
}

/// Something that can check a password against a directory (LDAP) and report the user's groups.
public protocol DirectoryAuthenticating: Sendable {
    /// The directory's answer for `username`/`password`: nil when the directory does not accept them.
    func authenticate(username: String, password: String) async throws -> DirectoryUser?
    /// Whether members of the group `dn` are system administrators.
    func isAdminGroup(_ dn: String) -> Bool
}

/// A user as the directory describes them after a successful bind.
public struct DirectoryUser: Sendable, Equatable {
    /// The login name.
    public var username: String
    /// The user's DN.
    public var dn: String
    /// E-mail, if the directory has one.
    public var email: String?
    /// Display name.
    public var realname: String
    /// DNs of the groups the user belongs to.
    public var groupDNs: [String]
    /// Whether one of the groups is the configured admin group.
    public var isAdmin: Bool

    /// Creates a directory user.
    public init(username: String, dn: String, email: String?, realname: String, groupDNs: [String], isAdmin: Bool) {
        self.username = username
        self.dn = dn
        self.email = email
        self.realname = realname
        self.groupDNs = groupDNs
        self.isAdmin = isAdmin
    }
}

/// Turns a username and password (or robot name and secret) into a `Principal`, with throttling of failures.
public struct Authenticator: Sendable {
    let users: any UserStore
    let groups: any UserGroupStore
    let robots: any RobotStore
    let hashing: SecretHashing
    let throttle: LoginThrottle
    let directory: (any DirectoryAuthenticating)?
    let logger: Logger
    /// Local logins: the bcrypt hash each matched.
    let verified = RecentLogins<String>()
    /// Directory logins.
    let directoryLogins = RecentLogins<DirectoryLogin>()
    /// The robot name prefix (`robot$`).
    public static let robotPrefix = "robot$"

    /// Creates the authenticator.
    public init(users: any UserStore, groups: any UserGroupStore, robots: any RobotStore, hashing: SecretHashing,
                throttle: LoginThrottle, directory: (any DirectoryAuthenticating)?, logger: Logger) {
        self.users = users
        self.groups = groups
        self.robots = robots
        self.hashing = hashing
        self.throttle = throttle
        self.directory = directory
        self.logger = logger
    }

    /// Checks credentials presented from `address`. Throws `AuthenticationFailure` when they are refused.
    public func authenticate(username: String, password: String, address: String) async throws -> Principal {
        // Credentials this process verified a moment ago pass without the throttle's reads: they are known good,
        // and a guess (which is never in the cache) still meets the throttle below.
        if let principal = try await recentlyVerified(username: username, password: password) { return principal }
        let now = Clock.nowMilliseconds()
        let hadFailures: Bool
        switch try await throttle.check(account: username, address: address, now: now) {
        case .locked(let until):
            throw AuthenticationFailure.locked(retryAfterSeconds: Int(max(1, (until - now + 999) / 1000)))
        case .proceed(let delay, let hasFailures):
            hadFailures = hasFailures
            if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
        }
        if let principal = try await check(username: username, password: password) {
            if hadFailures { try await throttle.recordSuccess(account: username, address: address) }
            return principal
        }
        try await throttle.recordFailure(account: username, address: address, now: Clock.nowMilliseconds())
        logger.notice("login refused", metadata: ["user": "\(username.prefix(128))", "address": "\(address)"])
        throw AuthenticationFailure.invalidCredentials
    }

    private func recentlyVerified(username: String, password: String) async throws -> Principal? {
        guard !username.hasPrefix(Self.robotPrefix), !password.isEmpty, let account = try await users.user(named: username) else { return nil }
        let key = verified.key(username: account.username, password: password)
        switch account.source {
        case .local:
            guard let hash = account.passwordHash, verified.value(for: key) == hash else { return nil }
            return .user(UserIdentity(id: account.id, username: account.username, sysadmin: account.sysadmin, groupIDs: []))
        case .ldap:
            // The directory's verdict is remembered; project roles through groups are looked up as always.
            guard let login = directoryLogins.value(for: key), login.userID == account.id else { return nil }
            let groupIDs = try await groups.groupIDs(ofUser: account.id)
            return .user(UserIdentity(id: account.id, username: account.username, sysadmin: account.sysadmin || login.directoryAdmin, groupIDs: groupIDs))
        }
    }

    private func check(username: String, password: String) async throws -> Principal? {
        guard !username.isEmpty, !password.isEmpty else { return nil }
        if username.hasPrefix(Self.robotPrefix) { return try await checkRobot(name: username, secret: password) }
        let account = try await users.user(named: username)
        if let account, account.source == .local {
            // `authenticate` already consulted the cache of verified passwords; this is the bcrypt path.
            guard try await hashing.verifyPassword(password, hash: account.passwordHash), let hash = account.passwordHash else { return nil }
            verified.insert(verified.key(username: account.username, password: password), hash)
            return .user(UserIdentity(id: account.id, username: account.username, sysadmin: account.sysadmin, groupIDs: []))
        }
        if let directory {
            let found: DirectoryUser?
            do {
                found = try await directory.authenticate(username: username, password: password)
            } catch {
                logger.error("LDAP authentication failed", metadata: ["error": "\(error)"])
                throw AuthenticationFailure.directoryUnavailable
            }
            guard let found else { return nil }
            // A directory name Berth could not show safely, or one that looks like an existing account's, is not let in.
            if let problem = AccountName.problem(with: found.username) {
                logger.warning("directory user refused: the name \(problem)", metadata: ["dn": "\(found.dn.prefix(255))"])
                return nil
            }
            let identity: UserIdentity
            do {
                identity = try await provision(found, existing: account)
            } catch is MetadataConflict {
                logger.warning("directory user refused: the name looks like an existing user's", metadata: ["dn": "\(found.dn.prefix(255))"])
                return nil
            }
            directoryLogins.insert(verified.key(username: identity.username, password: password),
                                   DirectoryLogin(userID: identity.id, directoryAdmin: found.isAdmin))
            return .user(identity)
        }
        // Spend the same time as a real check so timing does not reveal whether the account exists.
        _ = try await hashing.verifyPassword(password, hash: nil)
        return nil
    }

    private func checkRobot(name: String, secret: String) async throws -> Principal? {
        guard let robot = try await robots.robot(named: name) else {
            _ = SecretHashing.verifySecret(secret, hash: "sha256$00$00")
            return nil
        }
        guard SecretHashing.verifySecret(secret, hash: robot.secretHash), !robot.disabled else { return nil }
        if robot.expiresAt != -1, robot.expiresAt <= Int64(Date().timeIntervalSince1970) { return nil }
        let entries = (try? JSONDecoder().decode([RobotPermissionEntry].self, from: Data(robot.permissionsJSON.utf8))) ?? []
        return .robot(RobotIdentity(id: robot.id, name: robot.name, grants: RobotGrants(entries)))
    }

    /// Creates or refreshes the local record of a directory user and resolves their groups.
    private func provision(_ found: DirectoryUser, existing: UserRecord?) async throws -> UserIdentity {
        let now = Clock.nowMilliseconds()
        var record: UserRecord
        if var existing {
            existing.ldapDN = found.dn
            existing.realname = found.realname
            existing.updatedAt = now
            try await users.updateUser(existing)
            record = existing
        } else {
            record = try await users.createUser(UserRecord(
                username: found.username, email: found.email, realname: found.realname, comment: "from LDAP", passwordHash: nil,
                source: .ldap, ldapDN: found.dn, sysadmin: false, createdAt: now, updatedAt: now))
        }
        try await groups.setDirectoryGroups(userID: record.id, dns: found.groupDNs)
        let groupIDs = try await groups.groupIDs(ofUser: record.id)
        return UserIdentity(id: record.id, username: record.username, sysadmin: record.sysadmin || found.isAdmin, groupIDs: groupIDs)
    }

    /// The principal a portal session stands for; nil when the user is gone.
    public func principal(forSession session: SessionTokens.Session) async throws -> Principal? {
        // Sessions are ended in the database when the password changes or the user is deleted; a missing user still
        // ends one here.
        guard let user = try await users.user(id: session.userID) else { return nil }
        let groupIDs = user.source == .ldap ? try await groups.groupIDs(ofUser: user.id) : []
        return .user(UserIdentity(id: user.id, username: user.username, sysadmin: user.sysadmin || session.directoryAdmin, groupIDs: groupIDs))
    }

    /// The principal a token was issued to, looked up by account id (for audit, catalog filtering and project
    /// ownership); anonymous when there is none or the account is gone or switched off.
    public func principal(forAccount account: AccountReference?) async throws -> Principal {
        switch account {
        case nil:
            return .anonymous
        case .robot(let id):
            guard let robot = try await robots.robot(id: id), !robot.disabled else { return .anonymous }
            let entries = (try? JSONDecoder().decode([RobotPermissionEntry].self, from: Data(robot.permissionsJSON.utf8))) ?? []
            return .robot(RobotIdentity(id: robot.id, name: robot.name, grants: RobotGrants(entries)))
        case .user(let id):
            guard let user = try await users.user(id: id) else { return .anonymous }
            guard user.source == .ldap else { return .user(UserIdentity(id: user.id, username: user.username, sysadmin: user.sysadmin, groupIDs: [])) }
            // A directory user's admin-group membership as recorded at their last login (as their group roles are).
            var directoryAdmin = false
            if let directory { directoryAdmin = try await groups.directoryGroups(ofUser: user.id).contains(where: directory.isAdminGroup) }
            return .user(UserIdentity(id: user.id, username: user.username, sysadmin: user.sysadmin || directoryAdmin,
                                      groupIDs: try await groups.groupIDs(ofUser: user.id)))
        }
    }
}

/// Logins this process verified in the last minute, so clients that send Basic credentials with every request do
/// not pay for bcrypt (local users) or a directory bind and record update (LDAP users) each time. An entry is keyed by
/// a keyed hash of username and password (never the password) and holds what the verification found: the bcrypt hash
/// it matched (it counts only while the stored hash is unchanged, so a password change anywhere ends it), or the
/// directory user's id and admin-group status (a change in the directory applies within the minute).
final class RecentLogins<Value: Sendable>: Sendable {
    private let salt = SymmetricKey(size: .bits256)
    private let entries = Mutex<[String: (value: Value, until: ContinuousClock.Instant)]>([:])
    private static var lifetime: Duration { .seconds(60) }

    /// The cache key for a username and password.
    func key(username: String, password: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array((username.lowercased() + "\u{0}" + password).utf8), using: salt)
        return Data(mac).base64EncodedString()
    }

    /// What the verification under `key` found, if it was less than a minute ago.
    func value(for key: String) -> Value? {
        entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.until > .now else {
                entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    /// Remembers a successful verification.
    func insert(_ key: String, _ value: Value) {
        entries.withLock { entries in
            if entries.count >= 10_000 { entries.removeAll(keepingCapacity: true) }
            entries[key] = (value, .now + Self.lifetime)
        }
    }
}

/// What a directory login established: whose it was and whether the directory made them an administrator.
struct DirectoryLogin: Sendable {
    let userID: Int64
    let directoryAdmin: Bool
}
