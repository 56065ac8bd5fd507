import Auth
import Hummingbird
import Management

/// Resolves the caller of a management-API request from Basic credentials (users and robots) or the portal's `sid`
/// session cookie; nothing means anonymous. Wrong credentials are refused with 401 and recorded as a failed login.
/// Requests authenticated by the cookie that change something must echo the session's CSRF token in
/// `X-Harbor-CSRF-Token`.
struct ManagementAuthMiddleware: RouterMiddleware {
    typealias Context = BerthRequestContext
    let authenticator: Authenticator
    let sessions: SessionService
    let auditLog: AuditLogService
    let enabled: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        guard enabled else {
            context.principal = .unrestricted
            return try await next(request, context)
        }
        switch Credentials(request) {
        case .basic(let username, let password):
            let address = request.clientAddress(context)
            do {
                context.principal = try await authenticator.authenticate(username: username, password: password, address: address)
            } catch let failure as AuthenticationFailure {
                await auditLog.recordLogin(username: username, success: false, clientIP: address)
                if case .locked = failure { throw APIError(.tooManyRequests, failure.description) }
                if case .directoryUnavailable = failure { throw APIError(.unavailable, failure.description) }
                throw APIError(.unauthorized, failure.description)
            }
        case .bearer:
            throw APIError(.unauthorized, "the management API takes Basic credentials")
        case nil:
            if request.headers[.authorization] != nil { throw APIError(.unauthorized, "unreadable Authorization header") }
            if let cookie = request.cookies["sid"]?.value, !cookie.isEmpty {
                guard let (principal, csrf) = try await sessions.resume(cookie) else {
                    throw APIError(.unauthorized, "the session has expired; sign in again")
                }
                if ![.get, .head, .options].contains(request.method) {
                    let sent = request.headers[HeaderNames.csrfToken] ?? ""
                    guard SecretHashing.constantTimeEqual(Array(sent.utf8), Array(csrf.utf8)) else {
                        throw APIError.forbidden("CSRF token missing or wrong; send the X-Harbor-CSRF-Token of the session")
                    }
                }
                context.principal = principal
            } else {
                context.principal = .anonymous
            }
        }
        return try await next(request, context)
    }
}
