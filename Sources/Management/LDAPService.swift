import APIInput
import Auth
import Foundation
import Logging
import Metadata
import NIOCore

/// `/ldap/ping`, `/ldap/users/search`, `/ldap/groups/search` and `/ldap/users/import` for system administrators.
public struct LDAPService: Sendable {
    let env: ManagementEnvironment
    let directory: LDAPDirectory?
    let group: any EventLoopGroup
    let logger: Logger

    /// Creates the service; `directory` is nil when LDAP is not configured.
    public init(_ env: ManagementEnvironment, directory: LDAPDirectory?, group: any EventLoopGroup, logger: Logger) {
        self.env = env
        self.directory = directory
        self.group = group
        self.logger = logger
    }

    /// Harbor's `LdapConf` body: settings to try before saving them.
    public struct Settings: Decodable, Sendable {
        var ldapUrl: String?
        var ldapSearchDn: String?
        var ldapSearchPassword: String?
        var ldapBaseDn: String?
        var ldapFilter: String?
        var ldapUid: String?
        var ldapScope: Int?
        var ldapConnectionTimeout: Int?
        var ldapVerifyCert: Bool?
    }

    /// `LdapPingResult`.
    public struct PingResult: Codable, Sendable {
        /// Whether Berth connected and bound.
        public internal(set) var success: Bool
        /// Why not.
        public internal(set) var message: String
    }

    /// `LdapUser`.
    public struct User: Codable, Sendable {
        var username: String
        var realname: String
        var email: String
    }

    /// A group found in the directory.
    public struct Group: Codable, Sendable {
        var groupName: String
        var ldapGroupDn: String
        var groupType: Int
    }

    /// The LDAP settings in force with the search password removed, and whether one is set (system administrators);
    /// nil when LDAP is not configured.
    public func configuration(_ caller: Caller) throws -> (settings: LDAPSettings, hasSearchPassword: Bool)? {
        try env.requireSystem(Permission(.configuration, .read), caller)
        guard var settings = directory?.settings, settings.isEnabled else { return nil }
        let hasPassword = !settings.searchPassword.isEmpty
        settings.searchPassword = ""
        return (settings, hasPassword)
    }

    /// Connects and binds with the configured settings, or with `overrides` laid over them.
    public func ping(_ overrides: Settings?, _ caller: Caller) async throws -> PingResult {
        try env.requireSystem(Permission(.ldapUser, .list), caller)
        var settings = directory?.settings ?? LDAPSettings()
        if let o = overrides {
            if let v = o.ldapUrl { settings.url = v }
            if let v = o.ldapSearchDn { settings.searchDN = v }
            if let v = o.ldapSearchPassword { settings.searchPassword = v }
            if let v = o.ldapBaseDn { settings.baseDN = v }
            if let v = o.ldapFilter { settings.filter = v }
            if let v = o.ldapUid { settings.uidAttribute = v }
            if let v = o.ldapScope { settings.scope = String(v) }
            if let v = o.ldapConnectionTimeout { settings.timeoutSeconds = v }
            if let v = o.ldapVerifyCert { settings.verifyCertificate = v }
        }
        guard settings.isEnabled else { return PingResult(success: false, message: "LDAP is not configured") }
        do {
            try await LDAPDirectory(settings: settings, group: group, logger: logger).ping()
            return PingResult(success: true, message: "")
        } catch {
            return PingResult(success: false, message: String(describing: error))
        }
    }

    /// Directory users whose login name contains `username`.
    public func searchUsers(_ username: String, _ caller: Caller) async throws -> [User] {
        try env.requireSystem(Permission(.ldapUser, .list), caller)
        let directory = try configured()
        do {
            return try await directory.searchUsers(username).map { User(username: $0.username, realname: $0.realname, email: $0.email) }
        } catch let error as LDAPError {
            throw APIError(.internalError, error.description)
        }
    }

    /// Directory groups by name or DN.
    public func searchGroups(name: String, dn: String, _ caller: Caller) async throws -> [Group] {
        try env.requireSystem(Permission(.ldapUser, .list), caller)
        let directory = try configured()
        do {
            return try await directory.searchGroups(name: name, dn: dn).map { Group(groupName: $0.name, ldapGroupDn: $0.dn, groupType: UserGroupRecord.ldapType) }
        } catch let error as LDAPError {
            if case .configuration(let what) = error { throw APIError.badRequest(what) }
            throw APIError(.internalError, error.description)
        }
    }

    /// Creates Berth users for directory users, so they can be added to projects before their first login.
    /// Returns the uids that could not be imported, with the reason.
    public func importUsers(_ uids: [String], _ caller: Caller) async throws -> [(uid: String, error: String)] {
        try env.requireSystem(Permission(.ldapUser, .create), caller)
        let directory = try configured()
        var failed: [(String, String)] = []
        for uid in uids {
            let matches = try await directory.searchUsers(uid).filter { $0.username == uid }
            guard let found = matches.first else { failed.append((uid, "not found in the directory")); continue }
            if try await env.access.user(named: uid) != nil { failed.append((uid, "already exists")); continue }
            if let problem = AccountName.problem(with: found.username) { failed.append((uid, "the name \(problem)")); continue }
            let now = Clock.nowMilliseconds()
            do {
                _ = try await env.access.createUser(UserRecord(
                    username: found.username, email: found.email.isEmpty ? nil : found.email, realname: found.realname, comment: "from LDAP",
                    passwordHash: nil, source: .ldap, ldapDN: found.dn, sysadmin: false, createdAt: now, updatedAt: now))
            } catch is MetadataConflict {
                failed.append((uid, "a user with this name, a name that looks the same, or this e-mail address exists"))
                continue
            }
            await env.recordChange(caller, "create", "user", found.username)
        }
        return failed
    }

    private func configured() throws -> LDAPDirectory {
        guard let directory else { throw APIError.badRequest("LDAP is not configured") }
        return directory
    }
}
