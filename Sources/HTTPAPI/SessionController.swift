import Foundation
import Hummingbird
import Management
import NIOCore

/// Portal sign-in as Harbor does it: `POST /c/login` with form fields `principal` and `password` sets an HttpOnly
/// `sid` session cookie and hands out the session's CSRF token (header `X-Harbor-CSRF-Token` and cookie `__csrf`);
/// `/c/log_out` ends the session on the server and clears the cookies. Robot accounts cannot sign in here.
public struct SessionController: Sendable {
    let service: SessionService
    let serverURL: ServerURL

    /// Creates the controller.
    public init(service: SessionService, serverURL: ServerURL) {
        self.service = service
        self.serverURL = serverURL
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
        guard let username = form["principal"], let password = form["password"] else {
            throw APIError.badRequest("principal and password are required")
        }
        let started = try await service.signIn(username: username, password: password, address: request.clientAddress(context))
        var response = Response(status: .ok, headers: [HeaderNames.csrfToken: started.csrf, .contentLength: "0"])
        Self.setSessionCookies(on: &response, started, lifetime: service.lifetimeSeconds, secure: serverURL.isSecure(request))
        return response
    }

    @Sendable func logout(_ request: Request, context: BerthRequestContext) async throws -> Response {
        if let cookie = request.cookies["sid"]?.value { try await service.signOut(cookie) }
        var response = Response(status: .ok, headers: [.contentLength: "0"])
        Self.clearSessionCookies(on: &response)
        return response
    }

    /// Sets the HttpOnly `sid` cookie and the script-readable `__csrf` cookie of a new session.
    public static func setSessionCookies(on response: inout Response, _ started: SessionService.Started, lifetime: Int64, secure: Bool) {
        response.setCookie(Cookie(name: "sid", value: started.cookie, maxAge: Int(lifetime), path: "/", secure: secure, httpOnly: true, sameSite: .lax))
        response.setCookie(Cookie(name: "__csrf", value: started.csrf, maxAge: Int(lifetime), path: "/", secure: secure, httpOnly: false, sameSite: .strict))
    }

    /// Clears both session cookies.
    public static func clearSessionCookies(on response: inout Response) {
        response.setCookie(Cookie(name: "sid", value: "", maxAge: 0, path: "/", httpOnly: true))
        response.setCookie(Cookie(name: "__csrf", value: "", maxAge: 0, path: "/", httpOnly: false))
    }
}
