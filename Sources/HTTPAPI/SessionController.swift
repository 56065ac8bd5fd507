import Auth
import Foundation
import Hummingbird
import Management
import Metadata
import NIOCore

/// Portal sign-in as Harbor does it: `POST /c/login` with form fields `principal` and `password` sets an HttpOnly
/// `sid` session cookie and hands out the session's CSRF token (header `X-Harbor-CSRF-Token` and cookie `__csrf`);
/// `/c/log_out` ends the session on the server and clears the cookies. Robot accounts cannot sign in here.
public struct SessionController: Sendable {
    let authenticator: Authenticator
    let sessions: SessionTokens
    let users: any UserStore
    let auditLog: AuditLogService
    let serverURL: ServerURL

    /// Creates the controller.
    public init(authenticator: Authenticator, sessions: SessionTokens, users: any UserStore, auditLog: AuditLogService, serverURL: ServerURL) {
        self.serverURL = serverURL
        self.authenticator = authenticator
        self.sessions = sessions
        self.users = users
        self.auditLog = auditLog
    }

    /// Registers `/c/login` and `/c/log_out`.
    public func register(on router: Router<BerthRequestContext>) {
        let group = router.group("/c").add(middleware: APIErrorMiddleware())
        group.post("login", use: login)
        group.get("log_out", use: logout)
        group.post("log_out", use: logout)
    }

    @Sendable func login(_ request: Request, context: BerthRequestContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 16)
        let form = FormFields.parse(String(buffer: body))
        guard let username = form["principal"], let password = form["password"], !username.isEmpty else {
            throw APIError.badRequest("principal and password are required")
        }
        let address = request.clientAddress(context)
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
        var response = Response(status: .ok, headers: [HeaderNames.csrfToken: session.csrf, .contentLength: "0"])
        let secure = serverURL.isSecure(request)
        response.setCookie(Cookie(name: "sid", value: cookie, maxAge: Int(sessions.lifetimeSeconds), path: "/", secure: secure, httpOnly: true, sameSite: .lax))
        response.setCookie(Cookie(name: "__csrf", value: session.csrf, maxAge: Int(sessions.lifetimeSeconds), path: "/", secure: secure, httpOnly: false, sameSite: .strict))
        return response
    }

    @Sendable func logout(_ request: Request, context: BerthRequestContext) async throws -> Response {
        // The session ends on the server, so a copy of the cookie kept elsewhere stops working too.
        if let cookie = request.cookies["sid"]?.value, !cookie.isEmpty { try await sessions.end(cookie) }
        var response = Response(status: .ok, headers: [.contentLength: "0"])
        response.setCookie(Cookie(name: "sid", value: "", maxAge: 0, path: "/", httpOnly: true))
        response.setCookie(Cookie(name: "__csrf", value: "", maxAge: 0, path: "/", httpOnly: false))
        return response
    }
}
