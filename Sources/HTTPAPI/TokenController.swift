import Auth
import Foundation
import Hummingbird
import Management
import Metadata
import NIOCore

/// `GET /service/token`: the Docker token endpoint. Anonymous callers get a token for what anonymous may do;
/// callers with Basic credentials get the intersection of what they asked for and what they may do.
public struct TokenController: Sendable {
    let authenticator: Authenticator
    let tokenService: TokenService
    let audit: AuditTrail

    /// Creates the controller.
    public init(authenticator: Authenticator, tokenService: TokenService, audit: AuditTrail) {
        self.authenticator = authenticator
        self.tokenService = tokenService
        self.audit = audit
    }

    /// Registers the route.
    public func register(on router: Router<BerthRequestContext>) {
        router.get("/service/token", use: token)
    }

    struct TokenBody: Encodable {
        let token: String
        let access_token: String
        let expires_in: Int
        let issued_at: String
    }

    @Sendable func token(_ request: Request, context: BerthRequestContext) async throws -> Response {
        if let service = request.query("service"), !service.isEmpty, service != tokenService.serviceName {
            return Self.error(400, "BAD_REQUEST", "unknown service " + String(service.prefix(100)) + "; this registry is " + tokenService.serviceName)
        }
        let scopes = RegistryScope.parseAll(request.uri.queryParameters.getAll("scope").map { String($0) })
        let principal: Principal
        switch Credentials(request) {
        case .basic(let username, let password):
            let address = request.clientAddress(context)
            do {
                principal = try await authenticator.authenticate(username: username, password: password, address: address)
            } catch let failure as AuthenticationFailure {
                await audit.record(AuditRecord(projectID: nil, operation: "login", resourceType: "user", resource: String(username.prefix(255)),
                                               username: String(username.prefix(255)), clientIP: address, success: false, createdAt: Clock.nowMilliseconds()))
                if case .locked = failure { return Self.error(429, "TOO_MANY_REQUEST", failure.description) }
                if case .directoryUnavailable = failure { return Self.error(503, "SERVICE_UNAVAILABLE", failure.description) }
                return Self.error(401, "UNAUTHORIZED", failure.description, challenge: true)
            }
            await audit.recordLater(AuditRecord(projectID: nil, operation: "login", resourceType: "user", resource: principal.name,
                                                username: principal.name, clientIP: address, success: true, createdAt: Clock.nowMilliseconds()))
        case .bearer:
            return Self.error(401, "UNAUTHORIZED", "the token endpoint takes Basic credentials or none", challenge: true)
        case nil:
            if request.headers[.authorization] != nil {
                return Self.error(401, "UNAUTHORIZED", "unreadable Authorization header", challenge: true)
            }
            principal = .anonymous
        }
        let granted = try await tokenService.grant(scopes, to: principal)
        let issued = try await tokenService.issue(to: principal, access: granted)
        let formatter = ISO8601DateFormatter()
        let body = TokenBody(token: issued.token, access_token: issued.token, expires_in: issued.expiresIn, issued_at: formatter.string(from: issued.issuedAt))
        let data = try JSONEncoder().encode(body)
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: Int, _ code: String, _ message: String, challenge: Bool = false) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: ["errors": [["code": code, "message": message]]])) ?? Data()
        var headers: HTTPFields = [.contentType: "application/json"]
        if challenge { headers[.wwwAuthenticate] = "Basic realm=\"berth\"" }
        return Response(status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
