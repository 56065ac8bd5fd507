import Crypto
import Foundation
import Metadata

/// Portal sessions and OAuth2 refresh tokens, kept on the server: the client holds a random 256-bit value, the
/// metadata database holds its SHA-256 with the account and expiry. Every instance sees the same rows, so signing out,
/// a password change, disabling or deleting the account ends a session everywhere at once.
public struct SessionTokens: Sendable {
    /// What a portal session says.
    public struct Session: Sendable, Equatable {
        /// The user's id.
        public var userID: Int64
        /// System administrator through the LDAP admin group at sign-in.
        public var directoryAdmin: Bool
        /// Expiry, seconds since 1970.
        public var expires: Int64
        /// The token unsafe requests must echo in `X-Harbor-CSRF-Token`.
        public var csrf: String
    }

    let store: any SessionStore
    /// Portal session lifetime.
    public let lifetimeSeconds: Int64
    /// Refresh token lifetime.
    public let refreshLifetimeSeconds: Int64

    /// Sessions in `store`: portal sessions last an hour, refresh tokens a week unless told otherwise.
    public init(store: any SessionStore, lifetimeSeconds: Int64 = 3600, refreshLifetimeSeconds: Int64 = 7 * 86_400) {
        self.store = store
        self.lifetimeSeconds = lifetimeSeconds
        self.refreshLifetimeSeconds = refreshLifetimeSeconds
    }

    /// Starts a portal session for a user; returns the cookie value and the session (with its fresh CSRF token).
    public func start(userID: Int64, directoryAdmin: Bool) async throws -> (cookie: String, session: Session) {
        let cookie = Self.randomValue()
        let csrf = Self.randomValue(bytes: 16)
        let now = Clock.nowMilliseconds()
        let expires = now + lifetimeSeconds * 1000
        try await store.createSession(SessionRecord(tokenHash: Self.hash(cookie), kind: "portal", userID: userID, robotID: nil, csrf: csrf,
                                                    directoryAdmin: directoryAdmin, createdAt: now, expiresAt: expires))
        return (cookie, Session(userID: userID, directoryAdmin: directoryAdmin, expires: expires / 1000, csrf: csrf))
    }

    /// The live portal session a cookie value stands for.
    public func verify(_ cookie: String) async throws -> Session? {
        guard Self.isWellFormed(cookie), let record = try await store.session(tokenHash: Self.hash(cookie), kind: "portal", now: Clock.nowMilliseconds()),
              let userID = record.userID else { return nil }
        return Session(userID: userID, directoryAdmin: record.directoryAdmin, expires: record.expiresAt / 1000, csrf: record.csrf)
    }

    /// Ends the session a cookie value stands for (signing out).
    public func end(_ cookie: String) async throws {
        guard Self.isWellFormed(cookie) else { return }
        try await store.deleteSession(tokenHash: Self.hash(cookie))
    }

    /// Ends every session and refresh token of a user (password changed, account deleted).
    public func endAll(userID: Int64) async throws { try await store.deleteSessions(userID: userID) }

    /// Ends every refresh token of a robot (disabled, secret refreshed, deleted).
    public func endAll(robotID: Int64) async throws { try await store.deleteSessions(robotID: robotID) }

    /// Issues an OAuth2 refresh token for an account.
    public func issueRefreshToken(for account: AccountReference, directoryAdmin: Bool) async throws -> String {
        let token = Self.randomValue()
        let now = Clock.nowMilliseconds()
        var userID: Int64? = nil, robotID: Int64? = nil
        switch account {
        case .user(let id): userID = id
        case .robot(let id): robotID = id
        }
        try await store.createSession(SessionRecord(tokenHash: Self.hash(token), kind: "refresh", userID: userID, robotID: robotID, csrf: "",
                                                    directoryAdmin: directoryAdmin, createdAt: now, expiresAt: now + refreshLifetimeSeconds * 1000))
        return token
    }

    /// The account a live refresh token was issued to.
    public func account(forRefreshToken token: String) async throws -> (account: AccountReference, directoryAdmin: Bool)? {
        guard Self.isWellFormed(token), let record = try await store.session(tokenHash: Self.hash(token), kind: "refresh", now: Clock.nowMilliseconds()) else {
            return nil
        }
        if let id = record.userID { return (.user(id), record.directoryAdmin) }
        if let id = record.robotID { return (.robot(id), false) }
        return nil
    }

    /// 32 random bytes (or `bytes`), base64url without padding.
    public static func randomValue(bytes: Int = 32) -> String {
        let key = SymmetricKey(size: SymmetricKeySize(bitCount: bytes * 8))
        return key.withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Whether a value has the shape of one Berth handed out (so no database lookup is spent on junk).
    static func isWellFormed(_ value: String) -> Bool {
        (20 ... 100).contains(value.utf8.count) && value.utf8.allSatisfy { $0 == 0x2D || $0 == 0x5F || (0x30 ... 0x39).contains($0) || (0x41 ... 0x5A).contains($0) || (0x61 ... 0x7A).contains($0) }
    }

    /// Hex SHA-256 of a value.
    static func hash(_ value: String) -> String {
        SHA256.hash(data: Array(value.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
