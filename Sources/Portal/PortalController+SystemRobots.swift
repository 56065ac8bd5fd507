import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// Administration: system robot accounts, which may act in every project (or in listed ones) and at system level.
/// System administrators create them (the secret is shown once), disable and enable them, refresh their secrets and
/// delete them; the robot service and its grant rules decide, as for `/api/v2.0/robots`.
extension PortalController {
    /// The system-level actions the portal offers a system robot.
    static let systemRobotActions: [(resource: String, action: String, label: String)] = [
        ("project", "list", "List projects"), ("project", "create", "Create projects"), ("catalog", "read", "Read the registry catalog"),
        ("audit-log", "list", "Read the audit log"), ("user", "list", "List users"), ("jobservice-monitor", "list", "Watch the job queue"),
    ]

    @Sendable func systemRobotList(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await systemRobotsPage(request, context, visitor, draft: nil)
    }

    @Sendable func createSystemRobot(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let draft = SystemRobotDraft(form)
        do {
            guard draft.duration.isEmpty || (draft.duration.count <= 6 && Int64(draft.duration) != nil) else {
                throw APIError.badRequest("Expiration must be a number of days, or -1 for never.")
            }
            let projectAccess = Self.chosenAccess(form, field: "access")
            let systemAccess = Self.chosenAccess(form, field: "system_access")
            guard !projectAccess.isEmpty || !systemAccess.isEmpty else { throw APIError.badRequest("Choose at least one thing the robot may do.") }
            let projects: [String]? = draft.allProjects ? nil : draft.projectList
            if projects?.isEmpty == true && !projectAccess.isEmpty { throw APIError.badRequest("Name the projects the robot works in, or choose all projects.") }
            let created = try await robots.create(.systemRobot(name: draft.name, description: draft.description, durationDays: Int64(draft.duration) ?? 0,
                                                               projects: projects, projectAccess: projectAccess, systemAccess: systemAccess),
                                                  caller(visitor, request, context))
            return secretPage("Robot account created", name: created.name, secret: created.secret, back: "/harbor/robot-accounts", status: .created,
                              visitor, request)
        } catch let error as APIError {
            return try await systemRobotsPage(request, context, visitor, draft: draft, problem: error.message, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func setSystemRobotState(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        do {
            guard let disabled = form["disable"].flatMap(Bool.init) else { throw APIError.badRequest("Choose whether the robot is disabled.") }
            try await robots.update(id: try await systemRobotID(visitor, request, context), .state(disabled: disabled), caller(visitor, request, context))
            return Self.redirect("/harbor/robot-accounts")
        } catch let error as APIError {
            return try await systemRobotsPage(request, context, visitor, draft: nil, problem: error.message, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func refreshSystemRobotSecret(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        do {
            let caller = caller(visitor, request, context)
            let robot = try await robots.get(id: try Self.robotID(context), caller)
            guard robot.isSystemLevel else { throw APIError.notFound("system robot \(robot.id)") }
            let refreshed = try await robots.refreshSecret(id: robot.id, RobotSecretRequest(), caller)
            return secretPage("New secret for \(robot.name)", name: robot.name, secret: refreshed.secret, back: "/harbor/robot-accounts", status: .ok,
                              visitor, request)
        } catch let error as APIError {
            return try await systemRobotsPage(request, context, visitor, draft: nil, problem: error.message, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func deleteSystemRobot(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        do {
            try await robots.delete(id: try await systemRobotID(visitor, request, context), caller(visitor, request, context))
            return Self.redirect("/harbor/robot-accounts")
        } catch let error as APIError {
            return try await systemRobotsPage(request, context, visitor, draft: nil, problem: error.message, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    /// The `:robot` id, once the robot service confirmed it is a system robot the caller may manage (this page never
    /// acts on a project robot).
    func systemRobotID(_ visitor: PortalVisitor, _ request: Request, _ context: BerthRequestContext) async throws -> Int64 {
        let robot = try await robots.get(id: try Self.robotID(context), caller(visitor, request, context))
        guard robot.isSystemLevel else { throw APIError.notFound("system robot \(robot.id)") }
        return robot.id
    }

    func systemRobotsPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, draft: SystemRobotDraft?, problem: String? = nil,
                          status: HTTPResponse.Status = .ok) async throws -> Response {
        let pageNumber = PortalFormat.pageNumber(request)
        do {
            let query = ListQuery(filters: [ListQuery.Filter(key: "level", match: .exact("system"))],
                                  offset: (pageNumber - 1) * PortalFormat.pageSize, limit: PortalFormat.pageSize)
            let page = try await robots.list(query: query, caller(visitor, request, context))
            let rows = page.items.map { robot in
                SystemRobotRow(id: robot.id, name: robot.name, enabled: robot.disable ? "Disabled" : "Enabled", disabled: robot.disable,
                               projects: Self.coverage(robot), access: robot.permissions.flatMap { $0.access.map { "\($0.resource):\($0.action)" } }
                                   .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.sorted().joined(separator: ", "),
                               expires: Self.expiry(robot.expiresAt), description: robot.description, created: PortalFormat.shownTime(robot.creationTime),
                               stateAction: "/harbor/robot-accounts/\(robot.id)/state", secretAction: "/harbor/robot-accounts/\(robot.id)/secret",
                               deleteAction: "/harbor/robot-accounts/\(robot.id)/delete")
            }
            let projectChoices = Self.robotActions.map { entry in
                let value = "\(entry.resource):\(entry.action)"
                return AccessChoice(value: value, label: entry.label, checked: draft.map { $0.access.contains(value) } ?? entry.preset)
            }
            let systemChoices = Self.systemRobotActions.map { entry in
                let value = "\(entry.resource):\(entry.action)"
                return AccessChoice(value: value, label: entry.label, checked: draft?.systemAccess.contains(value) ?? false)
            }
            let content = SystemRobotsPage(frame: frame(visitor), tabs: adminTabs(active: "robots"), problem: problem, formOpen: draft != nil,
                                           draftName: draft?.name ?? "", draftDescription: draft?.description ?? "", draftDuration: draft?.duration ?? "30",
                                           allProjects: draft?.allProjects ?? true, draftProjects: draft?.projects ?? "", projectChoices: projectChoices,
                                           systemChoices: systemChoices, rows: rows, hasRows: !rows.isEmpty,
                                           pager: PortalFormat.pager(request, page: pageNumber, total: page.total, shown: rows.count))
            return finish(renderer.page("system-robots", content, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    /// Where a system robot works: "All projects", the projects it names, and "System" for system permissions.
    static func coverage(_ robot: RobotView) -> String {
        robot.permissions.map { $0.kind == "system" ? "System" : $0.namespace == "*" ? "All projects" : $0.namespace }.joined(separator: ", ")
    }
}

/// What was typed into the "New system robot" form.
struct SystemRobotDraft {
    let name: String
    let description: String
    let duration: String
    let allProjects: Bool
    let projects: String
    let access: Set<String>
    let systemAccess: Set<String>

    init(_ form: FormFields) {
        name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        description = form["description"] ?? ""
        duration = (form["duration"] ?? "").trimmingCharacters(in: .whitespaces)
        allProjects = form["coverage"] != "listed"
        projects = form["projects"] ?? ""
        access = Set(form.all("access").prefix(32))
        systemAccess = Set(form.all("system_access").prefix(32))
    }

    /// The listed project names (comma or space separated, at most 100).
    var projectList: [String] {
        Array(projects.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init).prefix(100))
    }
}

/// One system robot with its enable/disable, secret and delete forms.
struct SystemRobotRow: Sendable {
    let id: Int64
    let name: String
    let enabled: String
    let disabled: Bool
    let projects: String
    let access: String
    let expires: String
    let description: String
    let created: String
    let stateAction: String
    let secretAction: String
    let deleteAction: String
}

/// Administration: system robot accounts.
struct SystemRobotsPage: Sendable {
    let frame: Frame
    let tabs: [ProjectTab]
    let problem: String?
    let formOpen: Bool
    let draftName: String
    let draftDescription: String
    let draftDuration: String
    let allProjects: Bool
    let draftProjects: String
    let projectChoices: [AccessChoice]
    let systemChoices: [AccessChoice]
    let rows: [SystemRobotRow]
    let hasRows: Bool
    let pager: Pager?
}
