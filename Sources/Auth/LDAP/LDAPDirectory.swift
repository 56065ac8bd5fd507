import Foundation
import Logging
import NIOCore
import NIOSSL

/// LDAP/AD settings, with Harbor's meanings.
public struct LDAPSettings: Sendable, Equatable {
    /// `ldap://host:port` or `ldaps://host:port`.
    public var url = ""
    /// Upgrade an `ldap://` connection with StartTLS.
    public var startTLS = false
    /// DN used to search for users (empty: anonymous search).
    public var searchDN = ""
    /// Its password.
    public var searchPassword = ""
    /// Where users are searched.
    public var baseDN = ""
    /// Extra filter users must match, e.g. `(objectClass=person)`.
    public var filter = ""
    /// Attribute holding the login name (`uid`, or `sAMAccountName` on AD).
    public var uidAttribute = "uid"
    /// `base`, `onelevel` or `subtree`.
    public var scope = "subtree"
    /// Seconds to wait for the server.
    public var timeoutSeconds = 5
    /// Whether the server certificate is verified.
    public var verifyCertificate = true
    /// Extra CA certificates (PEM file) to trust.
    public var caFile = ""
    /// Where groups are searched.
    public var groupBaseDN = ""
    /// Filter groups must match, e.g. `(objectClass=groupOfNames)`.
    public var groupFilter = ""
    /// Attribute holding a group's name (`cn`).
    public var groupNameAttribute = "cn"
    /// `base`, `onelevel` or `subtree` for groups.
    public var groupScope = "subtree"
    /// Members of this group DN are system administrators.
    public var groupAdminDN = ""
    /// The user attribute listing the user's groups (`memberOf`); when users lack it, groups are searched by `member`.
    public var groupMembershipAttribute = "memberOf"

    /// Creates empty settings.
    public init() {}

    /// Whether LDAP is configured at all.
    public var isEnabled: Bool { !url.isEmpty }
}

/// A directory user as `/ldap/users/search` lists it.
public struct LDAPUserInfo: Sendable, Equatable {
    /// Login name.
    public var username: String
    /// Display name.
    public var realname: String
    /// E-mail.
    public var email: String
    /// DN.
    public var dn: String
}

/// A directory group as `/ldap/groups/search` lists it.
public struct LDAPGroupInfo: Sendable, Equatable {
    /// Name.
    public var name: String
    /// DN.
    public var dn: String
}

/// Users and groups in an LDAP directory: authentication with a search-then-bind, and the searches the management
/// API offers. Each operation opens its own connection.
public struct LDAPDirectory: DirectoryAuthenticating {
    /// The settings in use.
    public let settings: LDAPSettings
    let url: LDAPURL
    let tls: TLSConfiguration
    let group: any EventLoopGroup
    let logger: Logger

    /// Checks the settings and prepares TLS.
    public init(settings: LDAPSettings, group: any EventLoopGroup, logger: Logger) throws {
        self.settings = settings
        self.url = try LDAPURL(settings.url)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = settings.verifyCertificate ? .fullVerification : .none
        if !settings.caFile.isEmpty {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(settings.caFile))
            } catch {
                throw LDAPError.configuration("cannot read the CA file \(settings.caFile)")
            }
        }
        self.tls = tls
        self.group = group
        self.logger = logger
        _ = try Self.scope(settings.scope)
        _ = try Self.scope(settings.groupScope)
        if !settings.filter.isEmpty { _ = try LDAPFilter(parsing: settings.filter) }
        if !settings.groupFilter.isEmpty { _ = try LDAPFilter(parsing: settings.groupFilter) }
    }

    static func scope(_ text: String) throws -> LDAPMessages.Scope {
        switch text.lowercased() {
        case "base", "0": return .base
        case "onelevel", "one", "1": return .oneLevel
        case "subtree", "sub", "2", "": return .subtree
        default: throw LDAPError.configuration("scope must be base, onelevel or subtree")
        }
    }

    /// Connects, binds with the search DN, runs `body`, and closes.
    func withSearchConnection<R>(_ body: (LDAPConnection) async throws -> R) async throws -> R {
        let connection = try await LDAPConnection.connect(to: url, tls: tls, startTLS: settings.startTLS,
                                                          timeout: .seconds(max(1, settings.timeoutSeconds)), group: group)
        do {
            if !settings.searchDN.isEmpty {
                guard try await connection.bind(dn: settings.searchDN, password: settings.searchPassword) else {
                    throw LDAPError.operation("bind as the search DN", code: 49, message: "invalid credentials")
                }
            }
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Connects and binds with the search DN (`/ldap/ping`).
    public func ping() async throws {
        try await withSearchConnection { _ in }
    }

    public func isAdminGroup(_ dn: String) -> Bool { !settings.groupAdminDN.isEmpty && Self.sameDN(dn, settings.groupAdminDN) }

    /// Finds the user, binds as them with `password`, and reads their groups. Nil when the user is unknown or the
    /// password is wrong.
    public func authenticate(username: String, password: String) async throws -> DirectoryUser? {
        guard !password.isEmpty else { return nil }  // an empty password would be an unauthenticated bind
        return try await withSearchConnection { connection in
            let entries = try await connection.search(base: settings.baseDN, scope: try Self.scope(settings.scope),
                                                      filter: try userFilter(exactly: username), attributes: userAttributes, sizeLimit: 2)
            guard entries.count == 1, let entry = entries.first else {
                if entries.count > 1 { logger.warning("LDAP user search matched several entries", metadata: ["user": "\(username.prefix(128))"]) }
                return nil
            }
            guard try await connection.bind(dn: entry.dn, password: password) else { return nil }
            // Read groups with the search identity again (the user may not be allowed to search).
            if !settings.searchDN.isEmpty { _ = try await connection.bind(dn: settings.searchDN, password: settings.searchPassword) }
            let groups = try await groupDNs(of: entry, connection)
            let admin = !settings.groupAdminDN.isEmpty && groups.contains { Self.sameDN($0, settings.groupAdminDN) }
            return DirectoryUser(username: entry.values(settings.uidAttribute).first ?? username, dn: entry.dn,
                                 email: entry.values("mail").first, realname: entry.values("displayName").first ?? entry.values("cn").first ?? username,
                                 groupDNs: groups, isAdmin: admin)
        }
    }

    /// Users whose login name contains `name` (every user when empty).
    public func searchUsers(_ name: String) async throws -> [LDAPUserInfo] {
        try await withSearchConnection { connection in
            let match = name.isEmpty ? "(\(settings.uidAttribute)=*)" : "(\(settings.uidAttribute)=*\(LDAPFilter.escape(name))*)"
            let filter = try LDAPFilter(parsing: settings.filter.isEmpty ? match : "(&\(Self.wrapped(settings.filter))\(match))")
            return try await connection.search(base: settings.baseDN, scope: try Self.scope(settings.scope), filter: filter,
                                               attributes: userAttributes, sizeLimit: 500)
                .map { LDAPUserInfo(username: $0.values(settings.uidAttribute).first ?? "", realname: $0.values("displayName").first ?? $0.values("cn").first ?? "",
                                    email: $0.values("mail").first ?? "", dn: $0.dn) }
        }
    }

    /// Groups whose name contains `name`, or the group with DN `dn`.
    public func searchGroups(name: String, dn: String) async throws -> [LDAPGroupInfo] {
        guard !settings.groupBaseDN.isEmpty || !dn.isEmpty else { throw LDAPError.configuration("no group base DN is configured") }
        return try await withSearchConnection { connection in
            let base = dn.isEmpty ? settings.groupBaseDN : dn
            let scope: LDAPMessages.Scope = dn.isEmpty ? try Self.scope(settings.groupScope) : .base
            let nameMatch = name.isEmpty ? "(\(settings.groupNameAttribute)=*)" : "(\(settings.groupNameAttribute)=*\(LDAPFilter.escape(name))*)"
            let filter = try LDAPFilter(parsing: settings.groupFilter.isEmpty ? nameMatch : "(&\(Self.wrapped(settings.groupFilter))\(nameMatch))")
            return try await connection.search(base: base, scope: scope, filter: filter, attributes: [settings.groupNameAttribute], sizeLimit: 500)
                .map { LDAPGroupInfo(name: $0.values(settings.groupNameAttribute).first ?? "", dn: $0.dn) }
        }
    }

    private var userAttributes: [String] {
        [settings.uidAttribute, "cn", "displayName", "mail", settings.groupMembershipAttribute].filter { !$0.isEmpty }
    }

    private func userFilter(exactly username: String) throws -> LDAPFilter {
        let match = "(\(settings.uidAttribute)=\(LDAPFilter.escape(username)))"
        return try LDAPFilter(parsing: settings.filter.isEmpty ? match : "(&\(Self.wrapped(settings.filter))\(match))")
    }

    private func groupDNs(of entry: LDAPMessages.Entry, _ connection: LDAPConnection) async throws -> [String] {
        if !settings.groupMembershipAttribute.isEmpty {
            let listed = entry.values(settings.groupMembershipAttribute)
            if !listed.isEmpty || settings.groupBaseDN.isEmpty { return listed }
        }
        guard !settings.groupBaseDN.isEmpty else { return [] }
        let member = "(|(member=\(LDAPFilter.escape(entry.dn)))(uniqueMember=\(LDAPFilter.escape(entry.dn))))"
        let filter = try LDAPFilter(parsing: settings.groupFilter.isEmpty ? member : "(&\(Self.wrapped(settings.groupFilter))\(member))")
        return try await connection.search(base: settings.groupBaseDN, scope: try Self.scope(settings.groupScope), filter: filter,
                                           attributes: ["1.1"]).map(\.dn)
    }

    /// A filter with its outer parentheses.
    static func wrapped(_ filter: String) -> String {
        let trimmed = filter.trimmingCharacters(in: .whitespaces)
        return trimmed.hasPrefix("(") ? trimmed : "(\(trimmed))"
    }

    /// DNs compared without case and without spaces around separators.
    static func sameDN(_ a: String, _ b: String) -> Bool {
        func normal(_ dn: String) -> String {
            dn.split(separator: ",").map { $0.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "=") }
                .joined(separator: ",").lowercased()
        }
        return normal(a) == normal(b)
    }
}
