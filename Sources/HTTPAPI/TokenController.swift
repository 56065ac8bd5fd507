import OCI
import Auth
import Foundation
import Hummingbird
import Management
import Metadata
import NIOCore

/// The Docker token endpoint, `/service/token`, in both of its forms:
/// - `GET` (token.md): Basic credentials or none; the answer grants the intersection of the requested scopes and
///   what the caller may do.
/// - `POST` (the OAuth2 form, oauth.md, which containerd tries first): `grant_type=password` with username and
///   password, or `grant_type=refresh_token`; `access_type=offline` also returns a refresh token. The same scope
///   rules, throttling and lockout apply.
public struct TokenController: Sendable {
    let authenticator: Authenticator
    let tokenService: TokenService
    let sessions: SessionTokens
    let audit: AuditTrail

    /// Creates the controller.
    public init(authenticator: Authenticator, tokenService: TokenService, sessions: SessionTokens, audit: AuditTrail) {
        self.authenticator = authenticator
        self.tokenService = tokenService
        self.sessions = sessions
        self.audit = audit
    }

    /// Registers the routes.
    public func register(on router: Router<BerthRequestContext>) {
        router.get("/service/token", use: token)
        router.post("/service/token", use: oauthToken)
    }

    struct TokenBody: Encodable {
        let token: String
        let access_token: String
        let expires_in: Int
        let issued_at: String
        let scope: String?
        let refresh_token: String?
    }

    @Sendable func token(_ request: Request, context: BerthRequestContext) async throws -> Response {
        if let service = request.query("service"), !service.isEmpty, service != tokenService.serviceName {
            return Self.error(400, "BAD_REQUEST", "unknown service " + String(service.prefix(100)) + "; this registry is " + tokenService.serviceName)
        }
        let scopes = RegistryScope.parseAll(request.uri.queryParameters.getAll("scope").map { String($0) })
        let principal: Principal
        switch Credentials(request) {
        case .basic(let username, let password):
            switch try await login(username, password, request, context) {
            case .success(let found): principal = found
            case .failure(let failure):
                if case .locked = failure { return Self.error(429, "TOO_MANY_REQUEST", failure.description) }
                if case .directoryUnavailable = failure { return Self.error(503, "SERVICE_UNAVAILABLE", failure.description) }
                return Self.error(401, "UNAUTHORIZED", failure.description, challenge: true)
            }
        case .bearer:
            return Self.error(401, "UNAUTHORIZED", "the token endpoint takes Basic credentials or none", challenge: true)
        case nil:
            if request.headers[.authorization] != nil {
                return Self.error(401, "UNAUTHORIZED", "unreadable Authorization header", challenge: true)
            }
            principal = .anonymous
        }
        return try await answer(principal, scopes: scopes, refreshToken: nil, includeScope: false)
    }

    @Sendable func oauthToken(_ request: Request, context: BerthRequestContext) async throws -> Response {
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: 64 * 1024) } catch {
            guard let failure = BodyFailure(error) else { throw error }
            if case .tooLarge = failure { return Self.oauthError(413, "invalid_request", "the form is larger than 64 KiB") }
            return Self.oauthError(400, "invalid_request", failure.message)
        }
        let form = FormFields.parse(String(buffer: body))
        guard let service = form["service"], !service.isEmpty else { return Self.oauthError(400, "invalid_request", "service is required") }
        guard service == tokenService.serviceName else {
            return Self.oauthError(400, "invalid_request", "unknown service " + String(service.prefix(100)) + "; this registry is " + tokenService.serviceName)
        }
        guard let clientID = form["client_id"], !clientID.isEmpty else { return Self.oauthError(400, "invalid_request", "client_id is required") }
        let scopes = RegistryScope.parseAll(form.all("scope"))
        switch form["grant_type"] {
        case "password":
            guard let username = form["username"], !username.isEmpty, let password = form["password"] else {
                return Self.oauthError(400, "invalid_request", "the password grant needs username and password")
            }
            let principal: Principal
            switch try await login(username, password, request, context) {
            case .success(let found): principal = found
            case .failure(let failure):
                if case .locked = failure { return Self.oauthError(429, "invalid_grant", failure.description) }
                if case .directoryUnavailable = failure { return Self.oauthError(503, "temporarily_unavailable", failure.description) }
                return Self.oauthError(401, "invalid_grant", failure.description)
            }
            var refreshToken: String? = nil
            if form["access_type"] == "offline", let account = principal.account {
                refreshToken = try await sessions.issueRefreshToken(for: account, directoryAdmin: principal.isSystemAdmin)
            }
            return try await answer(principal, scopes: scopes, refreshToken: refreshToken, includeScope: true)
        case "refresh_token":
            guard let refreshToken = form["refresh_token"], !refreshToken.isEmpty else {
                return Self.oauthError(400, "invalid_request", "the refresh_token grant needs refresh_token")
            }
            // The account is read afresh: a deleted user or a disabled robot gets nothing, and permissions are today's.
            guard let holder = try await sessions.account(forRefreshToken: refreshToken),
                  case let principal = try await authenticator.principal(forAccount: holder.account), principal.isAuthenticated else {
                return Self.oauthError(400, "invalid_grant", "the refresh token is unknown, expired or revoked")
            }
            return try await answer(principal, scopes: scopes, refreshToken: refreshToken, includeScope: true)
        case nil, "":
            return Self.oauthError(400, "invalid_request", "grant_type is required")
        case let other?:
            return Self.oauthError(400, "unsupported_grant_type", "grant_type \(String(other.prefix(40))) is not supported; use password or refresh_token")
        }
    }

    /// Checks credentials and records the login either way.
    private func login(_ username: String, _ password: String, _ request: Request, _ context: BerthRequestContext) async throws
        -> Result<Principal, AuthenticationFailure>
    {
        let address = request.clientAddress(context)
        do {
            let principal = try await authenticator.authenticate(username: username, password: password, address: address)
            await audit.recordLater(AuditRecord(projectID: nil, operation: "login", resourceType: "user", resource: principal.name,
                                                username: principal.name, clientIP: address, success: true, createdAt: Clock.nowMilliseconds()))
            return .success(principal)
        } catch let failure as AuthenticationFailure {
            await audit.record(AuditRecord(projectID: nil, operation: "login", resourceType: "user", resource: String(username.prefix(255)),
                                           username: String(username.prefix(255)), clientIP: address, success: false, createdAt: Clock.nowMilliseconds()))
            return .failure(failure)
        }
    }

    /// The granted scopes, signed, as JSON.
    private func answer(_ principal: Principal, scopes: [RegistryScope], refreshToken: String?, includeScope: Bool) async throws -> Response {
        let granted = try await tokenService.grant(scopes, to: principal)
        let issued = try await tokenService.issue(to: principal, access: granted)
        let scope = granted.filter { !$0.actions.isEmpty }.map(\.description).joined(separator: " ")
        let body = TokenBody(token: issued.token, access_token: issued.token, expires_in: issued.expiresIn,
                             issued_at: ISO8601DateFormatter().string(from: issued.issuedAt), scope: includeScope ? scope : nil,
                             refresh_token: refreshToken)
        let data = try JSONEncoder().encode(body)
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: Int, _ code: String, _ message: String, challenge: Bool = false) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: ["errors": [["code": code, "message": message]]])) ?? Data()
        var headers: HTTPFields = [.contentType: "application/json"]
        if challenge { headers[.wwwAuthenticate] = "Basic realm=\"berth\"" }
        return Response(status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// An OAuth2 error answer (RFC 6749 §5.2).
    static func oauthError(_ status: Int, _ code: String, _ description: String) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: ["error": code, "error_description": description])) ?? Data()
        return Response(status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
