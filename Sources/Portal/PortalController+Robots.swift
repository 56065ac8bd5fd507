import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// A project's robot accounts: the list for maintainers and project admins; project admins create robots (the secret
/// is shown once, on the page that answers the form) and delete them.
extension PortalController {
    /// The actions a project robot can be given from the portal, as Harbor's portal offers them.
    static let robotActions: [(resource: String, action: String, label: String, preset: Bool)] = [
        ("repository", "pull", "Pull images", true), ("repository", "push", "Push images", true),
        ("artifact", "list", "List artifacts", false), ("artifact", "delete", "Delete artifacts", false),
        ("tag", "create", "Create tags", false), ("tag", "delete", "Delete tags", false),
    ]

    @Sendable func robotList(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await robotsPage(request, context, visitor, draft: nil)
    }

    @Sendable func createRobot(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let project = Self.parameter(context, "project")
        let chosen = Set(form.all("access").prefix(32))
        let draft = RobotDraft(name: (form["name"] ?? "").trimmingCharacters(in: .whitespaces), description: form["description"] ?? "",
                               duration: (form["duration"] ?? "").trimmingCharacters(in: .whitespaces), access: chosen)
        do {
            guard draft.duration.isEmpty || (draft.duration.count <= 6 && Int64(draft.duration) != nil) else {
                throw APIError.badRequest("Expiration must be a number of days, or -1 for never.")
            }
            let access = Self.chosenAccess(form)
            guard !access.isEmpty else { throw APIError.badRequest("Choose at least one thing the robot may do.") }
            let created = try await robots.create(.projectRobot(name: draft.name, description: draft.description, durationDays: Int64(draft.duration) ?? 0,
                                                                project: project, access: access), caller(visitor, request, context))
            return secretPage("Robot account created", name: created.name, secret: created.secret, back: "/harbor/projects/\(project)/robot-account",
                              status: .created, visitor, request)
        } catch let error as APIError {
            return try await robotsPage(request, context, visitor, draft: draft, problem: error.message, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func deleteRobot(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        let project = Self.parameter(context, "project")
        do {
            try await robots.delete(id: try Self.robotID(context), caller(visitor, request, context))
            return Self.redirect("/harbor/projects/\(project)/robot-account")
        } catch let error as APIError {
            return try await robotsPage(request, context, visitor, draft: nil, problem: error.message, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func setRobotState(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let project = Self.parameter(context, "project")
        do {
            guard let disabled = form["disable"].flatMap(Bool.init) else { throw APIError.badRequest("Choose whether the robot is disabled.") }
            try await robots.update(id: try Self.robotID(context), .state(disabled: disabled), caller(visitor, request, context))
            return Self.redirect("/harbor/projects/\(project)/robot-account")
        } catch let error as APIError {
            return try await robotsPage(request, context, visitor, draft: nil, problem: error.message, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    /// A new secret for a robot, shown once on the answer (the old one stops working at once).
    @Sendable func refreshRobotSecret(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        let project = Self.parameter(context, "project")
        do {
            let id = try Self.robotID(context)
            let caller = caller(visitor, request, context)
            let robot = try await robots.get(id: id, caller)
            // The robot must belong to this page's project, so the answer never shows another project's robot.
            guard robot.permissions.contains(where: { $0.kind == "project" && $0.namespace == project }) else { throw APIError.notFound("robot \(id)") }
            let refreshed = try await robots.refreshSecret(id: id, RobotSecretRequest(), caller)
            return secretPage("New secret for \(robot.name)", name: robot.name, secret: refreshed.secret, back: "/harbor/projects/\(project)/robot-account",
                              status: .ok, visitor, request)
        } catch let error as APIError {
            return try await robotsPage(request, context, visitor, draft: nil, problem: error.message, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    /// New permissions and description for a project robot (project admins who hold what it is given).
    @Sendable func updateRobotAccess(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let project = Self.parameter(context, "project")
        do {
            let access = Self.chosenAccess(form)
            guard !access.isEmpty else { throw APIError.badRequest("Choose at least one thing the robot may do.") }
            try await robots.update(id: try Self.robotID(context), .projectAccess(description: form["description"] ?? "", project: project, access: access),
                                    caller(visitor, request, context))
            return Self.redirect("/harbor/projects/\(project)/robot-account")
        } catch let error as APIError {
            return try await robotsPage(request, context, visitor, draft: nil, problem: error.message, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    /// The `resource:action` pairs a robot form ticked (at most 32, malformed ones dropped).
    static func chosenAccess(_ form: FormFields, field: String = "access") -> [(resource: String, action: String)] {
        Set(form.all(field).prefix(32)).sorted().compactMap { entry in
            let parts = entry.split(separator: ":", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }
    }

    /// The page that shows a robot's secret this once (after creating it or refreshing the secret), with a login command.
    func secretPage(_ heading: String, name: String, secret: String, back: String, status: HTTPResponse.Status, _ visitor: PortalVisitor,
                    _ request: Request) -> Response {
        let page = RobotCreatedPage(frame: frame(visitor), heading: heading, name: name, secret: secret,
                                    login: "podman login \(registryHost(request)) --username '\(name)' --password-stdin", back: back)
        return finish(renderer.page("robot-created", page, status: status), visitor, request)
    }

    /// The `:robot` path parameter as a robot id.
    static func robotID(_ context: BerthRequestContext) throws -> Int64 { try identifier(context, "robot", what: "robot") }

    /// What was typed into the "New robot account" form, to show it again when the service refused it.
    struct RobotDraft {
        let name: String
        let description: String
        let duration: String
        let access: Set<String>
    }

    func robotsPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, draft: RobotDraft?, problem: String? = nil,
                    status: HTTPResponse.Status = .ok) async throws -> Response {
        let projectName = Self.parameter(context, "project")
        let pageNumber = PortalFormat.pageNumber(request)
        do {
            let (caller, project, permissions) = try await projectScope(projectName, visitor, request, context)
            let query = ListQuery(filters: [ListQuery.Filter(key: "level", match: .exact("project")),
                                            ListQuery.Filter(key: "project_id", match: .exact(String(project.projectId)))],
                                  offset: (pageNumber - 1) * PortalFormat.pageSize, limit: PortalFormat.pageSize)
            let page = try await robots.list(query: query, caller)
            let canDelete = permissions.contains(Permission(.robot, .delete))
            let canUpdate = permissions.contains(Permission(.robot, .update))
            let rows = page.items.map { robot in
                let held = Set(robot.permissions.flatMap { $0.access.map { "\($0.resource):\($0.action)" } })
                return RobotRow(id: robot.id, name: robot.name, enabled: robot.disable ? "Disabled" : "Enabled", expires: Self.expiry(robot.expiresAt),
                         access: robot.permissions.flatMap { $0.access.map { "\($0.resource):\($0.action)" } }.sorted().joined(separator: ", "),
                         description: robot.description, created: PortalFormat.shownTime(robot.creationTime), disabled: robot.disable,
                         canUpdate: canUpdate, stateAction: "/harbor/projects/\(project.name)/robot-account/\(robot.id)/state",
                         secretAction: "/harbor/projects/\(project.name)/robot-account/\(robot.id)/secret", canDelete: canDelete,
                         deleteAction: "/harbor/projects/\(project.name)/robot-account/\(robot.id)/delete",
                         accessAction: "/harbor/projects/\(project.name)/robot-account/\(robot.id)/permissions",
                         choices: Self.robotActions.map { AccessChoice(value: "\($0.resource):\($0.action)", label: $0.label, checked: held.contains("\($0.resource):\($0.action)")) })
            }
            let choices = Self.robotActions.map { entry in
                let value = "\(entry.resource):\(entry.action)"
                return AccessChoice(value: value, label: entry.label, checked: draft.map { $0.access.contains(value) } ?? entry.preset)
            }
            let content = RobotsPage(frame: frame(visitor), project: project.name, access: PortalFormat.access(project.metadata),
                                     tabs: tabs(project.name, active: "robots", permissions), problem: problem,
                                     canCreate: permissions.contains(Permission(.robot, .create)), draftName: draft?.name ?? "",
                                     draftDescription: draft?.description ?? "", draftDuration: draft?.duration ?? "30", choices: choices,
                                     rows: rows, hasRows: !rows.isEmpty,
                                     pager: PortalFormat.pager(request, page: pageNumber, total: page.total, shown: rows.count))
            return finish(renderer.page("robots", content, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    /// When a robot expires (Unix seconds; -1 is never).
    static func expiry(_ seconds: Int64) -> String {
        guard seconds >= 0 else { return "Never" }
        guard seconds < 253_402_300_800 else { return "9999-12-31" }
        return PortalFormat.shownTime(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds))))
    }
}
