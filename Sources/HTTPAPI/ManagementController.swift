import Auth
import Hummingbird
import Management

/// The Harbor-compatible management API (`/api/v2.0`): same paths, parameters, JSON shapes and error format as
/// Harbor's v2.0 API. Each handler parses its inputs, makes one service call and builds the response.
public struct ManagementController: Sendable {
    let projects: ProjectService
    let members: MemberService
    let users: UserService
    let groups: UserGroupService
    let robots: RobotService
    let repositories: RepositoryService
    let webhooks: WebhookService
    let immutableTags: ImmutableTagService
    let retention: RetentionService
    let labels: LabelService
    let scans: ScanService
    let allowlist: SystemAllowlistService
    let scanAll: ScanAllService
    let securityHub: SecurityHubService
    let cveExports: CVEExportService
    let advisories: AdvisoryService
    let scanners: ScannerService
    let remoteRegistries: RemoteRegistryService
    let replication: ReplicationService
    let quotas: QuotaService
    let garbageCollection: GarbageCollectionService
    let auditLogs: AuditLogService
    /// Resumes portal sessions for requests that carry the `sid` cookie.
    let sessionService: SessionService
    let system: SystemService
    let search: SearchService
    let statistics: StatisticService
    let permissionCatalog: PermissionCatalogService
    let ldap: LDAPService
    let jobs: JobServiceAPI?
    let authenticator: Authenticator
    let sessions: SessionTokens
    let authEnabled: Bool
    let serverURL: ServerURL
    let caCertificate: @Sendable () -> String?

    /// Creates the controller over the management services.
    public init(environment: ManagementEnvironment, ldap: LDAPService, jobs: JobServiceAPI? = nil, authenticator: Authenticator,
                sessions: SessionTokens, authEnabled: Bool, serverURL: ServerURL, caCertificate: @escaping @Sendable () -> String? = { nil }) {
        self.serverURL = serverURL
        self.caCertificate = caCertificate
        self.jobs = jobs
        self.sessions = sessions
        self.ldap = ldap
        projects = ProjectService(environment)
        members = MemberService(environment)
        users = UserService(environment)
        groups = UserGroupService(environment)
        robots = RobotService(environment)
        repositories = RepositoryService(environment)
        webhooks = WebhookService(environment)
        immutableTags = ImmutableTagService(environment)
        retention = RetentionService(environment)
        labels = LabelService(environment)
        scans = ScanService(environment)
        allowlist = SystemAllowlistService(environment)
        scanAll = ScanAllService(environment)
        securityHub = SecurityHubService(environment)
        cveExports = CVEExportService(environment)
        advisories = AdvisoryService(environment)
        scanners = ScannerService(environment)
        remoteRegistries = RemoteRegistryService(environment)
        replication = ReplicationService(environment)
        quotas = QuotaService(environment)
        garbageCollection = GarbageCollectionService(environment)
        auditLogs = AuditLogService(environment)
        system = SystemService(environment)
        search = SearchService(environment)
        statistics = StatisticService(environment)
        permissionCatalog = PermissionCatalogService(environment)
        self.authenticator = authenticator
        self.authEnabled = authEnabled
        sessionService = SessionService(authenticator: authenticator, sessions: sessions, users: environment.access, auditLog: auditLogs)
    }

    /// Registers every `/api/v2.0` route on `router`.
    public func register(on router: Router<BerthRequestContext>) {
        let api = router.group("/api/v2.0")
            .add(middleware: APIErrorMiddleware())
            .add(middleware: ManagementAuthMiddleware(authenticator: authenticator, sessions: sessionService, auditLog: auditLogs, enabled: authEnabled))
        api.get("ping") { _, _ in Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: .init(string: "Pong"))) }
        api.get("health") { _, _ in try APIRequest.json(await system.health()) }
        api.get("systeminfo") { request, context in try APIRequest.json(system.info(context.caller(request), baseURL: serverURL.base(request), hasCARoot: caCertificate() != nil)) }
        api.get("systeminfo/getcert") { _, _ in
            // Harbor's download of the CA that signed the registry's certificate, for anyone (nodes fetch it before they can log in).
            guard let pem = caCertificate() else { throw APIError(.notFound, "the registry has no CA certificate to hand out (TLS is off or uses a public CA)") }
            return Response(status: .ok, headers: [.contentType: "application/octet-stream", .contentDisposition: "attachment; filename=ca.crt"],
                            body: ResponseBody(byteBuffer: .init(string: pem)))
        }
        registerInsights(api)
        registerProjects(api)
        registerMembers(api)
        registerUsers(api)
        registerUserGroups(api)
        registerRobots(api)
        registerRepositories(api)
        registerWebhooks(api)
        registerImmutableTags(api)
        registerRetention(api)
        registerLabels(api)
        registerAuditLogs(api)
        registerLDAP(api)
        registerJobs(api)
        registerScanners(api)
        registerRemoteRegistries(api)
        registerReplication(api)
        registerQuotas(api)
        registerGarbageCollection(api)
        for method in [HTTPRequest.Method.get, .head, .post, .put, .patch, .delete, .options] {
            api.on("**", method: method) { request, _ -> Response in
                throw APIError(.notFound, "no such API endpoint: \(request.method) \(String(request.uri.path.prefix(200)))")
            }
        }
    }
}
