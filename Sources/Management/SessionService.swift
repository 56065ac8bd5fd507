import Auth
import Metadata

/// Portal sessions, for `/c/login` and the portal's own sign-in form alike: signing in with a user's password (never a
/// robot's; failures recorded in the audit log and counted by the lockout), resuming a session from its cookie, and
/// signing out (the session ends on the server, so a copied cookie stops working too).
public struct SessionService: Sendable {
    let authenticator: Authenticator
    let sessions: SessionTokens
    let users: any UserStore
    let auditLog: AuditLogService

    /// Creates the service.
    public init(authenticator: Authenticator, sessions: SessionTokens, users: any UserStore, auditLog: AuditLogService) {
        self.authenticator = authenticator
        self.sessions = sessions
        self.users = users
        self.auditLog = auditLog
    }

    /// A session just started: the value of the `sid` cookie and the session's CSRF token.
    public struct Started: Sendable {
        /// The `sid` cookie's value (a secret).
        public let cookie: String
        /// The token changes must carry.
        public let csrf: String
    }

    /// How long a session lasts, in seconds.
    public var lifetimeSeconds: Int64 { sessions.lifetimeSeconds }

    /// Signs a user in; throws `APIError` (401 wrong credentials or a robot, 429 locked, 503 directory unreachable).
    public func signIn(username: String, password: String, address: String) async throws -> Started {
        guard !username.isEmpty else { throw APIError.badRequest("principal and password are required") }
        guard !username.hasPrefix(Authenticator.robotPrefix) else {
            await auditLog.recordLogin(username: username, success: false, clientIP: address)
            throw APIError(.unauthorized, "robot accounts cannot sign in to the portal")
        }
        let principal: Principal
        do {
            principal = try await authenticator.authenticate(username: username, password: password, address: address)
        } catch let failure as AuthenticationFailure {
            await auditLog.recordLogin(username: username, success: false, clientIP: address)
            switch failure {
            case .locked: throw APIError(.tooManyRequests, failure.description)
            case .directoryUnavailable: throw APIError(.unavailable, failure.description)
            case .invalidCredentials: throw APIError(.unauthorized, failure.description)
            }
        }
        guard case .user(let identity) = principal, let record = try await users.user(id: identity.id) else {
            throw APIError(.unauthorized, "only users can sign in to the portal")
        }
        await auditLog.recordLogin(username: record.username, success: true, clientIP: address)
        let (cookie, session) = try await sessions.start(userID: record.id, directoryAdmin: identity.sysadmin && !record.sysadmin)
        return Started(cookie: cookie, csrf: session.csrf)
    }

    /// The principal and CSRF token of the session behind `cookie`, or nil when it has ended or never existed.
    public func resume(_ cookie: String) async throws -> (principal: Principal, csrf: String)? {
        guard !cookie.isEmpty, let session = try await sessions.verify(cookie), let principal = try await authenticator.principal(forSession: session) else {
            return nil
        }
        return (principal, session.csrf)
    }

    /// Ends the session behind `cookie`.
    public func signOut(_ cookie: String) async throws {
        guard !cookie.isEmpty else { return }
        try await sessions.end(cookie)
    }
}
