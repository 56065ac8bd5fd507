import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// Who is looking at a portal page, and the token their forms must carry. A signed-in visitor's token is the
/// session's CSRF token (the same one `/api/v2.0` checks); anyone else's is a random value in an HttpOnly,
/// SameSite=Strict cookie of its own (so even the sign-in form cannot be posted from another site).
struct PortalVisitor: Sendable {
    /// The cookie that carries the token of visitors who are not signed in.
    static let formCookie = "__portal_form"
    /// The length of a form token: 16 random bytes in base64url.
    static let formTokenLength = 22

    let principal: Principal
    let signedIn: Bool
    let csrf: String
    /// A new form cookie to set with the response (for visitors who had none).
    let newFormCookie: String?

    /// Resolves the visitor of `request`: a live session's user, everything when authorization is off, else anonymous.
    static func resolve(_ request: Request, sessions: SessionService, authEnabled: Bool) async throws -> PortalVisitor {
        if authEnabled, let cookie = request.cookies["sid"]?.value, let session = try await sessions.resume(cookie) {
            return PortalVisitor(principal: session.principal, signedIn: true, csrf: session.csrf, newFormCookie: nil)
        }
        let principal: Principal = authEnabled ? .anonymous : .unrestricted
        if let existing = request.cookies[formCookie]?.value, existing.count == formTokenLength {
            return PortalVisitor(principal: principal, signedIn: false, csrf: existing, newFormCookie: nil)
        }
        let fresh = SessionTokens.randomValue(bytes: 16)
        return PortalVisitor(principal: principal, signedIn: false, csrf: fresh, newFormCookie: fresh)
    }

    /// The same visitor after their session ended (to render the page that says so).
    static func signedOut(_ visitor: PortalVisitor) -> PortalVisitor {
        PortalVisitor(principal: .anonymous, signedIn: false, csrf: visitor.csrf, newFormCookie: nil)
    }

    /// Whether a posted form carries this visitor's token (compared in constant time).
    func accepts(_ form: FormFields) -> Bool {
        guard newFormCookie == nil, let sent = form["csrf_token"] else { return false }
        return SecretHashing.constantTimeEqual(Array(sent.utf8), Array(csrf.utf8))
    }

    /// The user name shown in the top bar.
    var username: String { signedIn ? principal.name : "" }

    /// Adds the form cookie to `response` when this visitor got a new one.
    func finish(_ response: Response, secure: Bool) -> Response {
        guard let newFormCookie else { return response }
        var response = response
        response.setCookie(Cookie(name: Self.formCookie, value: newFormCookie, path: "/harbor", secure: secure, httpOnly: true, sameSite: .strict))
        return response
    }
}
