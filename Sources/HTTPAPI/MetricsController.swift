import Auth
import Hummingbird
import Management

/// `GET /metrics`: the Prometheus text format. On the main listener it answers system administrators only (when
/// authentication is on), since it names projects; on a metrics listener of its own it answers anyone who can reach
/// that address, as Harbor's exporter does.
public struct MetricsController: Sendable {
    let render: @Sendable () async -> String
    let authenticator: Authenticator
    let sessions: SessionService
    let auditLog: AuditLogService
    let authEnabled: Bool

    /// Creates the controller; `render` produces the exposition text.
    public init(render: @escaping @Sendable () async -> String, authenticator: Authenticator, sessions: SessionTokens,
                environment: ManagementEnvironment, authEnabled: Bool) {
        self.render = render
        self.authenticator = authenticator
        auditLog = AuditLogService(environment)
        self.sessions = SessionService(authenticator: authenticator, sessions: sessions, users: environment.access, auditLog: auditLog)
        self.authEnabled = authEnabled
    }

    /// Registers `/metrics` on the main listener's router, for system administrators.
    public func register(on router: Router<BerthRequestContext>) {
        let render = self.render
        router.group("/metrics")
            .add(middleware: APIErrorMiddleware())
            .add(middleware: ManagementAuthMiddleware(authenticator: authenticator, sessions: sessions, auditLog: auditLog, enabled: authEnabled))
            .get { _, context in
                guard context.principal.isSystemAdmin else {
                    throw APIError(context.principal.isAuthenticated ? .forbidden : .unauthorized, "metrics are for system administrators")
                }
                return Self.response(await render())
            }
    }

    /// A router for a listener of its own: `/metrics` for anyone.
    public static func openRouter(render: @escaping @Sendable () async -> String) -> Router<BerthRequestContext> {
        let router = Router(context: BerthRequestContext.self)
        router.get("/metrics") { _, _ in response(await render()) }
        return router
    }

    static func response(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: ResponseBody(byteBuffer: .init(string: text)))
    }
}
