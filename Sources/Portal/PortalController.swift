import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management
import NIOCore

/// The web portal under `/harbor` (Harbor's paths): server-rendered pages that call the same services as
/// `/api/v2.0`, so a visitor sees and may do exactly what the API allows them. Handlers parse the request, make one
/// service call and render a page; every form carries the visitor's CSRF token. The pages live in extensions by area
/// (projects, repositories, artifacts, members, robot accounts, logs, the account, users and the other administration
/// pages); this file holds the routes and what they share.
public struct PortalController: Sendable {
    let projects: ProjectService
    let repositories: RepositoryService
    let members: MemberService
    let robots: RobotService
    let webhooks: WebhookService
    let immutableTags: ImmutableTagService
    let retention: RetentionService
    let labels: LabelService
    let registries: RemoteRegistryService
    let replications: ReplicationService
    let quotas: QuotaService
    let garbageCollection: GarbageCollectionService
    let auditLogs: AuditLogService
    let users: UserService
    let groups: UserGroupService
    let statistics: StatisticService
    let ldap: LDAPService
    let jobs: JobServiceAPI
    let system: SystemService
    let scans: ScanService
    let scanners: ScannerService
    let scanAll: ScanAllService
    let advisories: AdvisoryService
    let securityHub: SecurityHubService
    let sessions: SessionService
    let authEnabled: Bool
    let version: String
    let serverURL: ServerURL
    /// The SHA-256 fingerprint (`sha256:…`) of the CA that getcert hands out, when Berth has one.
    let caFingerprint: @Sendable () -> String?
    let renderer = PortalRenderer()
    let assets = PortalAssets()

    /// Creates the controller.
    public init(environment: ManagementEnvironment, ldap: LDAPService, jobs: JobServiceAPI, sessions: SessionService, authEnabled: Bool,
                version: String, serverURL: ServerURL, caFingerprint: @escaping @Sendable () -> String? = { nil }) {
        projects = ProjectService(environment)
        repositories = RepositoryService(environment)
        members = MemberService(environment)
        robots = RobotService(environment)
        webhooks = WebhookService(environment)
        immutableTags = ImmutableTagService(environment)
        retention = RetentionService(environment)
        labels = LabelService(environment)
        registries = RemoteRegistryService(environment)
        replications = ReplicationService(environment)
        quotas = QuotaService(environment)
        garbageCollection = GarbageCollectionService(environment)
        auditLogs = AuditLogService(environment)
        users = UserService(environment)
        groups = UserGroupService(environment)
        statistics = StatisticService(environment)
        system = SystemService(environment)
        scans = ScanService(environment)
        scanners = ScannerService(environment)
        scanAll = ScanAllService(environment)
        advisories = AdvisoryService(environment)
        securityHub = SecurityHubService(environment)
        self.ldap = ldap
        self.jobs = jobs
        self.caFingerprint = caFingerprint
        self.sessions = sessions
        self.authEnabled = authEnabled
        self.version = version
        self.serverURL = serverURL
    }

    /// Registers `/` (to the portal) and the portal's pages under `/harbor`. A repository is one path segment with its
    /// slashes percent-encoded (`team/a%2Fb`), as in Harbor's portal.
    public func register(on router: Router<BerthRequestContext>) {
        router.get("/") { _, _ in Self.redirect("/harbor/projects") }
        let portal = router.group("/harbor").add(middleware: PortalSecurityHeaders())
        portal.get("") { _, _ in Self.redirect("/harbor/projects") }
        portal.get("sign-in", use: signInForm)
        portal.post("sign-in", use: signIn)
        portal.post("sign-out", use: signOut)
        portal.get("projects", use: projectList)
        portal.post("projects", use: createProject)
        portal.get("projects/:project", use: projectHome)
        portal.get("projects/:project/summary", use: projectSummary)
        portal.get("projects/:project/repositories", use: repositoryList)
        portal.get("projects/:project/repositories/:repository", use: repositoryPage)
        portal.post("projects/:project/repositories/:repository/description", use: updateDescription)
        portal.post("projects/:project/repositories/:repository/delete", use: deleteRepository)
        portal.get("projects/:project/repositories/:repository/artifacts-tab/artifacts/:digest", use: artifactPage)
        portal.post("projects/:project/repositories/:repository/artifacts-tab/artifacts/:digest/tags", use: addTag)
        portal.post("projects/:project/repositories/:repository/artifacts-tab/artifacts/:digest/delete", use: deleteArtifact)
        portal.post("projects/:project/repositories/:repository/artifacts-tab/artifacts/:digest/scan", use: scanArtifact)
        portal.post("projects/:project/repositories/:repository/artifacts-tab/artifacts/:digest/tags/:tag/delete", use: deleteTag)
        portal.post("projects/:project/repositories/:repository/artifacts-tab/artifacts/:digest/labels", use: addArtifactLabel)
        portal.post("projects/:project/repositories/:repository/artifacts-tab/artifacts/:digest/labels/:label/delete", use: removeArtifactLabel)
        portal.get("projects/:project/members", use: memberList)
        portal.post("projects/:project/members", use: addMember)
        portal.post("projects/:project/members/:member/role", use: changeMemberRole)
        portal.post("projects/:project/members/:member/delete", use: removeMember)
        portal.get("projects/:project/robot-account", use: robotList)
        portal.post("projects/:project/robot-account", use: createRobot)
        portal.post("projects/:project/robot-account/:robot/delete", use: deleteRobot)
        portal.post("projects/:project/robot-account/:robot/state", use: setRobotState)
        portal.post("projects/:project/robot-account/:robot/secret", use: refreshRobotSecret)
        portal.post("projects/:project/robot-account/:robot/permissions", use: updateRobotAccess)
        portal.get("projects/:project/webhook", use: webhookList)
        portal.post("projects/:project/webhook", use: createWebhook)
        portal.get("projects/:project/webhook/:policy", use: webhookPolicyPage)
        portal.post("projects/:project/webhook/:policy", use: updateWebhook)
        portal.post("projects/:project/webhook/:policy/state", use: setWebhookState)
        portal.post("projects/:project/webhook/:policy/delete", use: deleteWebhook)
        portal.get("projects/:project/webhook/:policy/executions/:execution", use: webhookExecutionPage)
        portal.get("projects/:project/tag-immutability", use: immutableRuleList)
        portal.post("projects/:project/tag-immutability", use: createImmutableRule)
        portal.post("projects/:project/tag-immutability/:rule/state", use: setImmutableRuleState)
        portal.post("projects/:project/tag-immutability/:rule/delete", use: deleteImmutableRule)
        portal.get("projects/:project/tag-retention", use: retentionTab)
        portal.get("projects/:project/labels", use: projectLabels)
        portal.post("projects/:project/labels", use: createProjectLabel)
        portal.post("projects/:project/labels/:label/delete", use: deleteProjectLabel)
        portal.get("labels", use: globalLabels)
        portal.post("labels", use: createGlobalLabel)
        portal.post("labels/:label/delete", use: deleteGlobalLabel)
        portal.post("projects/:project/tag-retention/rules", use: addRetentionRule)
        portal.post("projects/:project/tag-retention/rules/:rule/state", use: setRetentionRuleState)
        portal.post("projects/:project/tag-retention/rules/:rule/delete", use: deleteRetentionRule)
        portal.post("projects/:project/tag-retention/schedule", use: setRetentionSchedule)
        portal.post("projects/:project/tag-retention/run", use: runRetention)
        portal.get("projects/:project/tag-retention/executions/:execution", use: retentionExecutionPage)
        portal.post("projects/:project/tag-retention/executions/:execution/stop", use: stopRetention)
        portal.get("projects/:project/logs", use: projectLogs)
        portal.get("projects/:project/configs", use: projectConfiguration)
        portal.post("projects/:project/configs", use: updateProjectConfiguration)
        portal.post("projects/:project/delete", use: deleteProject)
        portal.get("account", use: accountPage)
        portal.post("account/password", use: changePassword)
        portal.post("account/profile", use: updateProfile)
        portal.get("about", use: aboutPage)
        portal.get("users", use: userList)
        portal.post("users", use: createUser)
        portal.post("users/:user/admin", use: setUserAdmin)
        portal.post("users/:user/password", use: resetUserPassword)
        portal.post("users/:user/delete", use: deleteUser)
        portal.get("robot-accounts", use: systemRobotList)
        portal.post("robot-accounts", use: createSystemRobot)
        portal.post("robot-accounts/:robot/state", use: setSystemRobotState)
        portal.post("robot-accounts/:robot/secret", use: refreshSystemRobotSecret)
        portal.post("robot-accounts/:robot/delete", use: deleteSystemRobot)
        portal.get("storage", use: storagePage)
        portal.get("groups", use: groupList)
        portal.post("groups", use: createGroup)
        portal.post("groups/:group/name", use: renameGroup)
        portal.post("groups/:group/delete", use: deleteGroup)
        portal.get("logs", use: systemLogs)
        portal.get("registries", use: registriesList)
        portal.post("registries", use: createRegistry)
        portal.post("registries/test", use: testRegistry)
        portal.post("registries/:registry/delete", use: deleteRegistry)
        portal.get("replications", use: replicationList)
        portal.post("replications", use: createReplicationRule)
        portal.post("replications/:policy/start", use: startReplication)
        portal.post("replications/:policy/delete", use: deleteReplicationRule)
        portal.get("replications/executions/:execution", use: replicationExecutionPage)
        portal.post("replications/executions/:execution/stop", use: stopReplication)
        portal.get("project-quotas", use: projectQuotas)
        portal.get("gc", use: cleanUp)
        portal.post("gc/run", use: runGarbageCollection)
        portal.post("gc/schedule", use: setGarbageCollectionSchedule)
        portal.post("gc/:run/stop", use: stopGarbageCollection)
        portal.get("gc/:run/log", use: garbageCollectionLog)
        portal.post("project-quotas/:quota", use: setProjectQuota)
        portal.get("job-service-dashboard", use: jobQueue)
        portal.post("job-service-dashboard/jobs/:job/stop", use: stopJob)
        portal.get("interrogation-services", use: interrogationServices)
        portal.post("interrogation-services/scanners", use: registerScanner)
        portal.post("interrogation-services/scanners/:scanner/default", use: setDefaultScanner)
        portal.post("interrogation-services/scanners/:scanner/delete", use: deleteScanner)
        portal.post("interrogation-services/sources/:source/delete", use: deleteAdvisorySource)
        portal.post("interrogation-services/scan-all", use: runScanAll)
        portal.post("interrogation-services/schedule", use: setScanAllSchedule)
        portal.get("security-hub", use: securityHub)
        portal.get("configs", use: configurationPage)
        portal.post("configs/ldap-test", use: testLDAP)
        portal.get("assets/:file", use: asset)
        portal.get("**", use: notFound)
    }

    @Sendable func asset(_ request: Request, context: BerthRequestContext) async throws -> Response {
        assets.response(for: context.parameters.get("file") ?? "") ?? Response(status: .notFound)
    }

    @Sendable func notFound(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return failure(APIError.notFound("page \(request.uri.path)"), visitor, request)
    }

    // MARK: What every page shares

    func visit(_ request: Request) async throws -> PortalVisitor {
        try await PortalVisitor.resolve(request, sessions: sessions, authEnabled: authEnabled)
    }

    func caller(_ visitor: PortalVisitor, _ request: Request, _ context: BerthRequestContext) -> Caller {
        Caller(principal: visitor.principal, clientIP: request.clientAddress(context))
    }

    func frame(_ visitor: PortalVisitor) -> Frame {
        Frame(stylesheet: assets.stylesheetPath, script: assets.scriptPath, signedIn: visitor.signedIn, authEnabled: authEnabled, username: visitor.username,
              isAdmin: visitor.principal.isSystemAdmin, csrf: visitor.csrf, version: version)
    }

    func finish(_ response: Response, _ visitor: PortalVisitor, _ request: Request) -> Response {
        visitor.finish(response, secure: serverURL.isSecure(request))
    }

    /// The registry's address as clients name it in image references (`host:port`).
    func registryHost(_ request: Request) -> String {
        SystemService.hostAndPort(of: serverURL.base(request))
    }

    /// The project a project page shows, with the caller and what they may do in it (for the forms and tabs offered).
    func projectScope(_ name: String, _ visitor: PortalVisitor, _ request: Request, _ context: BerthRequestContext) async throws
        -> (caller: Caller, project: ProjectView, permissions: Set<Permission>) {
        let caller = caller(visitor, request, context)
        let project = try await projects.get(name, isName: true, caller)
        return (caller, project, try await projects.permissions(in: project.name, caller))
    }

    /// The project-wide tab bar, with `active` marked.
    func tabs(_ project: String, active: String, _ permissions: Set<Permission>) -> [ProjectTab] {
        var tabs = [ProjectTab(title: "Summary", href: "/harbor/projects/\(project)/summary", active: active == "summary"),
                    ProjectTab(title: "Repositories", href: "/harbor/projects/\(project)/repositories", active: active == "repositories")]
        if permissions.contains(Permission(.member, .list)) {
            tabs.append(ProjectTab(title: "Members", href: "/harbor/projects/\(project)/members", active: active == "members"))
        }
        if permissions.contains(Permission(.robot, .list)) {
            tabs.append(ProjectTab(title: "Robot accounts", href: "/harbor/projects/\(project)/robot-account", active: active == "robots"))
        }
        if permissions.contains(Permission(.notificationPolicy, .list)) {
            tabs.append(ProjectTab(title: "Webhooks", href: "/harbor/projects/\(project)/webhook", active: active == "webhooks"))
        }
        if permissions.contains(Permission(.label, .list)) {
            tabs.append(ProjectTab(title: "Labels", href: "/harbor/projects/\(project)/labels", active: active == "labels"))
        }
        if permissions.contains(Permission(.tagRetention, .list)) {
            tabs.append(ProjectTab(title: "Tag retention", href: "/harbor/projects/\(project)/tag-retention", active: active == "retention"))
        }
        if permissions.contains(Permission(.immutableTag, .list)) {
            tabs.append(ProjectTab(title: "Tag immutability", href: "/harbor/projects/\(project)/tag-immutability", active: active == "immutability"))
        }
        if permissions.contains(Permission(.log, .list)) {
            tabs.append(ProjectTab(title: "Logs", href: "/harbor/projects/\(project)/logs", active: active == "logs"))
        }
        if permissions.contains(Permission(.metadata, .read)) {
            tabs.append(ProjectTab(title: "Configuration", href: "/harbor/projects/\(project)/configs", active: active == "configs"))
        }
        return tabs
    }

    /// An error page; an anonymous visitor who was refused is sent to sign in first.
    func failure(_ error: APIError, _ visitor: PortalVisitor, _ request: Request) -> Response {
        let here = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        if authEnabled && !visitor.signedIn && (error.code == .unauthorized || error.code == .forbidden || error.code == .notFound) {
            // Anonymous visitors get the same answer for a private project and a missing one, as on the API.
            if error.code != .notFound || here.hasPrefix("/harbor/projects/") {
                return Self.redirect("/harbor/sign-in?next=" + (here.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
            }
        }
        let heading: String
        switch error.code {
        case .notFound: heading = "Not found"
        case .forbidden: heading = "Not allowed"
        case .unauthorized: heading = "Sign in required"
        default: heading = "Something went wrong"
        }
        let page = ErrorPage(frame: frame(visitor), heading: heading, message: error.message, signInHint: false, next: "")
        return finish(renderer.page("error", page, status: HTTPResponse.Status(code: error.code.httpStatus)), visitor, request)
    }

    func forbiddenForm(_ visitor: PortalVisitor, _ request: Request) -> Response {
        let page = ErrorPage(frame: frame(visitor), heading: "Form expired",
                             message: "The form was missing its security token or came from another site. Go back, reload the page and try again.",
                             signInHint: false, next: "")
        return finish(renderer.page("error", page, status: .forbidden), visitor, request)
    }

    /// The posted form of a change, once its CSRF token checked out; nil when it did not (answer `forbiddenForm`).
    func changeForm(_ request: Request, _ visitor: PortalVisitor) async throws -> FormFields? {
        let form = try await Self.form(request)
        return visitor.accepts(form) ? form : nil
    }

    /// A change posted from a page's form: checks the form's CSRF token, makes the change (which answers where to
    /// send the browser next) and redirects there; when the service refuses, `refused` shows the page again with why.
    func formChange(_ request: Request, _ context: BerthRequestContext, change: (FormFields, Caller) async throws -> String,
                    refused: (PortalVisitor, FormFields, APIError) async throws -> Response) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        do {
            return Self.redirect(try await change(form, caller(visitor, request, context)))
        } catch let error as APIError {
            return try await refused(visitor, form, error)
        }
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .contentLength: "0"])
    }

    /// A form body (at most 64 KiB).
    static func form(_ request: Request) async throws -> FormFields {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 16)
        return FormFields.parse(String(buffer: body))
    }

    /// Path parameter `name` as a record id (a positive number); anything else is a 404 naming `what`.
    static func identifier(_ context: BerthRequestContext, _ name: String, what: String) throws -> Int64 {
        let text = parameter(context, name)
        guard text.count <= 18, let id = Int64(text), id > 0 else { throw APIError.notFound("\(what) \(text.prefix(20))") }
        return id
    }

    /// Path parameter `name`, percent-decoded as the API decodes it (a repository's slashes arrive as `%2F`).
    static func parameter(_ context: BerthRequestContext, _ name: String) -> String {
        context.decodedParameter(name) ?? ""
    }
}
