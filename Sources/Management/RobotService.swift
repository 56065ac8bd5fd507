import Auth
import Foundation
import Metadata

/// Robot accounts: system-level (several projects, or every project with namespace `*`) and project-level.
/// Secrets are shown once, at creation or refresh; only a salted hash is stored.
public struct RobotService: Sendable {
    let env: ManagementEnvironment
    /// Lifetime in days of a robot created with duration 0 (Harbor's default, 30).
    public let defaultDurationDays: Int64

    var rules: RobotGrantRules { RobotGrantRules(env: env) }

    /// Creates the service.
    public init(_ env: ManagementEnvironment, defaultDurationDays: Int64 = 30) {
        self.env = env
        self.defaultDurationDays = defaultDurationDays
    }

    /// Robots the caller may list: all for administrators; a project's for those who may list its robots
    /// (`q=Level=project,ProjectID=<id>`).
    public func list(query: ListQuery, _ caller: Caller) async throws -> ListPage<RobotView> {
        var query = Self.normalized(query)
        if !env.policy.allowsSystem(caller.principal, Permission(.robot, .list)) {
            guard let projectText = query.exact("project_id"), let projectID = Int64(projectText),
                  let project = try await env.access.project(id: projectID) else { throw env.denial(caller) }
            try await env.require(Permission(.robot, .list), in: project, caller)
            query.filters.append(ListQuery.Filter(key: "level", match: .exact("project")))
        }
        let page = try await env.access.robots(query)
        var views: [RobotView] = []
        for robot in page.items { views.append(try await view(robot)) }
        return ListPage(items: views, total: page.total)
    }

    /// One robot.
    public func get(id: Int64, _ caller: Caller) async throws -> RobotView {
        let robot = try await manageable(id, .read, caller)
        return try await view(robot)
    }

    /// Creates a robot and returns its secret (the only time it is shown).
    public func create(_ request: RobotRequest, _ caller: Caller) async throws -> RobotCreatedView {
        try env.requireAuthenticated(caller)
        guard let name = request.name, Self.isValidName(name) else {
            throw APIError.badRequest("robot name must be 1–255 lower-case letters, digits and . _ -")
        }
        guard let level = RobotGrantRules.Level(rawValue: request.level ?? "system") else { throw APIError.badRequest("level must be system or project") }
        let requested = request.permissions ?? []
        let project: ProjectRecord?
        switch level {
        case .system:
            try env.requireSystem(Permission(.robot, .create), caller)
            project = nil
        case .project:
            guard requested.count == 1, requested[0].kind == "project", requested[0].namespace != "*" else {
                throw APIError.badRequest("a project robot has exactly one permission entry of kind project naming its project")
            }
            guard let found = try await env.access.project(named: requested[0].namespace) else {
                throw APIError.notFound("project \(requested[0].namespace.prefix(255))")
            }
            try await env.require(Permission(.robot, .create), in: found, caller)
            project = found
        }
        let permissions = try await rules.checked(requested, level: level, ownProject: project, caller)
        let fullName = Authenticator.robotPrefix + (project.map { $0.name + "+" } ?? "") + name
        let duration = try checkedDuration(request.duration)
        let secret = try Self.checkedSecret(request.secret) ?? SecretHashing.randomSecret()
        let now = Clock.nowMilliseconds()
        var creatorRef: Int64 = 0
        if case .user(let user) = caller.principal { creatorRef = user.id }
        if case .robot(let robot) = caller.principal { creatorRef = robot.id }
        let record: RobotRecord
        do {
            record = try await env.access.createRobot(RobotRecord(
                name: fullName, description: request.description ?? "", level: level.rawValue, projectID: project?.id,
                secretHash: SecretHashing.hashSecret(secret), disabled: request.disable ?? false, durationDays: duration,
                expiresAt: Self.expiry(createdAt: now, days: duration), permissionsJSON: try Self.encode(permissions),
                creatorType: caller.principal.isRobot ? "robot" : "local", creatorRef: creatorRef, createdAt: now, updatedAt: now))
        } catch let conflict as MetadataConflict {
            // Harbor's API declares no 409 for robot creation; a taken name is a bad request there.
            throw APIError.badRequest(conflict.description)
        }
        await env.recordChange(caller, "create", "robot", fullName, projectID: project?.id)
        return RobotCreatedView(id: record.id, name: record.name, secret: secret, creationTime: APITime.string(now), expiresAt: record.expiresAt)
    }

    /// Changes description, duration, disabled flag and permissions (name and level stay). New permissions pass the
    /// same rules as at creation.
    public func update(id: Int64, _ request: RobotRequest, _ caller: Caller) async throws {
        var robot = try await manageable(id, .update, caller)
        // Re-enabling, extending or otherwise keeping alive a robot is handing on what it holds.
        try await requireCallerHolds(robot, caller)
        if let level = request.level, level != robot.level { throw APIError.badRequest("a robot's level cannot change") }
        if let description = request.description { robot.description = description }
        if let disable = request.disable { robot.disabled = disable }
        if request.duration != nil {
            robot.durationDays = try checkedDuration(request.duration)
            robot.expiresAt = Self.expiry(createdAt: robot.createdAt, days: robot.durationDays)
        }
        if let requested = request.permissions {
            let level = RobotGrantRules.Level(rawValue: robot.level) ?? .project
            var own: ProjectRecord? = nil
            if level == .project {
                guard let projectID = robot.projectID, let project = try await env.access.project(id: projectID) else {
                    throw APIError.notFound("the project of robot \(robot.name)")
                }
                own = project
            }
            robot.permissionsJSON = try Self.encode(try await rules.checked(requested, level: level, ownProject: own, caller))
        }
        robot.updatedAt = Clock.nowMilliseconds()
        try await env.access.updateRobot(robot)
        // Refresh tokens hold the permissions of the moment they are used, but a disabled robot keeps none.
        if robot.disabled { try await env.access.deleteSessions(robotID: robot.id) }
        await env.recordChange(caller, "update", "robot", robot.name, projectID: robot.projectID)
    }

    /// Sets a new secret (the given one, or a generated one) and returns it.
    public func refreshSecret(id: Int64, _ request: RobotSecretRequest, _ caller: Caller) async throws -> RobotSecretView {
        var robot = try await manageable(id, .update, caller)
        // A new secret is the robot's permissions in the caller's hands: only for callers who hold them all.
        try await requireCallerHolds(robot, caller)
        let secret = try Self.checkedSecret(request.secret) ?? SecretHashing.randomSecret()
        robot.secretHash = SecretHashing.hashSecret(secret)
        robot.updatedAt = Clock.nowMilliseconds()
        try await env.access.updateRobot(robot)
        try await env.access.deleteSessions(robotID: robot.id)
        await env.recordChange(caller, "update", "robot", "\(robot.name) secret", projectID: robot.projectID)
        return RobotSecretView(secret: secret)
    }

    /// Deletes a robot.
    public func delete(id: Int64, _ caller: Caller) async throws {
        let robot = try await manageable(id, .delete, caller)
        try await env.access.deleteSessions(robotID: id)
        guard try await env.access.deleteRobot(id: id) else { throw APIError.notFound("robot \(id)") }
        await env.recordChange(caller, "delete", "robot", robot.name, projectID: robot.projectID)
    }

    /// Removes a deleted project from every system robot's permissions. Grants are bound to project ids, so this is
    /// tidying (the API no longer shows the entry), not what keeps the project's successor safe.
    func forgetProject(id projectID: Int64) async throws {
        let robots = try await env.access.robots(ListQuery(filters: [ListQuery.Filter(key: "level", match: .exact("system"))], limit: 1_000_000))
        for var robot in robots.items {
            let entries = Self.entries(of: robot)
            let kept = entries.filter { $0.projectID != projectID || !$0.namesOneProject }
            guard kept.count != entries.count else { continue }
            robot.permissionsJSON = try Self.encode(kept)
            robot.updatedAt = Clock.nowMilliseconds()
            try await env.access.updateRobot(robot)
        }
    }

    /// Binds permission entries stored before grants carried project ids to the project their namespace names now
    /// (dropping those whose project no longer exists). Runs at start; does nothing once every entry is bound.
    public static func bindUnboundGrants(in store: SQLAccessStore) async throws {
        let robots = try await store.robots(ListQuery(limit: 1_000_000))
        for var robot in robots.items {
            let entries = entries(of: robot)
            guard entries.contains(where: { $0.namesOneProject && $0.projectID == nil }) else { continue }
            var bound: [RobotPermissionEntry] = []
            for var entry in entries {
                if entry.namesOneProject, entry.projectID == nil {
                    guard let project = try await store.project(named: entry.namespace) else { continue }
                    entry.projectID = project.id
                }
                bound.append(entry)
            }
            robot.permissionsJSON = try encode(bound)
            try await store.updateRobot(robot)
        }
    }

    /// A stored robot's permission entries.
    static func entries(of robot: RobotRecord) -> [RobotPermissionEntry] {
        (try? JSONDecoder().decode([RobotPermissionEntry].self, from: Data(robot.permissionsJSON.utf8))) ?? []
    }

    /// Throws unless the caller holds every permission the robot has now (the same rules as granting them).
    private func requireCallerHolds(_ robot: RobotRecord, _ caller: Caller) async throws {
        let level = RobotGrantRules.Level(rawValue: robot.level) ?? .project
        var own: ProjectRecord? = nil
        if level == .project, let projectID = robot.projectID { own = try await env.access.project(id: projectID) }
        let current = Self.entries(of: robot).map { entry in
            RobotPermissionView(kind: entry.kind, namespace: entry.namespace,
                                access: entry.access.map { AccessView(resource: $0.resource, action: $0.action, effect: $0.effect) })
        }
        do {
            _ = try await rules.checked(current, level: level, ownProject: own, caller)
        } catch let error as APIError where error.code == .forbidden || error.code == .notFound || error.code == .badRequest {
            throw APIError.forbidden("robot \(robot.name) holds permissions you do not hold")
        }
    }

    private func manageable(_ id: Int64, _ action: Action, _ caller: Caller) async throws -> RobotRecord {
        try env.requireAuthenticated(caller)
        guard let robot = try await env.access.robot(id: id) else { throw APIError.notFound("robot \(id)") }
        if env.policy.allowsSystem(caller.principal, Permission(.robot, action)) { return robot }
        guard robot.level == "project", let projectID = robot.projectID, let project = try await env.access.project(id: projectID) else {
            throw env.denial(caller)
        }
        try await env.require(Permission(.robot, action), in: project, caller)
        return robot
    }

    /// The longest lifetime a robot may be given, in days (100 years); longer ones are refused, never overflowed.
    public static let maximumDurationDays: Int64 = 36_500

    private func checkedDuration(_ requested: Int64?) throws -> Int64 {
        let duration = requested ?? 0
        guard duration == -1 || (0 ... Self.maximumDurationDays).contains(duration) else {
            throw APIError.badRequest("duration must be -1 (never expires) or a number of days from 0 to \(Self.maximumDurationDays)")
        }
        return duration == 0 ? defaultDurationDays : duration
    }

    static func checkedSecret(_ secret: String?) throws -> String? {
        guard let secret, !secret.isEmpty else { return nil }
        if let problem = PasswordPolicy.problem(with: secret) { throw APIError.badRequest("secret: \(problem)") }
        return secret
    }

    /// Expiry in seconds since 1970; `days` has been bounded by `checkedDuration`, so this cannot overflow.
    static func expiry(createdAt: Int64, days: Int64) -> Int64 {
        days == -1 ? -1 : createdAt / 1000 + days * 86_400
    }

    static func encode(_ entries: [RobotPermissionEntry]) throws -> String {
        String(decoding: try JSONEncoder().encode(entries), as: UTF8.self)
    }

    static func isValidName(_ name: String) -> Bool {
        (1 ... 255).contains(name.utf8.count)
            && name.utf8.allSatisfy { (0x61 ... 0x7A).contains($0) || (0x30 ... 0x39).contains($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// Accepts Harbor's capitalised query keys (`Level`, `ProjectID`) as well as snake case.
    static func normalized(_ query: ListQuery) -> ListQuery {
        var query = query
        query.filters = query.filters.map { filter in
            var filter = filter
            switch filter.key {
            case "Level": filter.key = "level"
            case "ProjectID", "project_id", "projectid": filter.key = "project_id"
            case "Name": filter.key = "name"
            default: break
            }
            return filter
        }
        return query
    }

    func view(_ robot: RobotRecord) async throws -> RobotView {
        let entries = Self.entries(of: robot)
        return RobotView(
            id: robot.id, name: robot.name, description: robot.description, level: robot.level, duration: robot.durationDays,
            editable: true, disable: robot.disabled, expiresAt: robot.expiresAt,
            permissions: entries.map { RobotPermissionView(kind: $0.kind, namespace: $0.namespace,
                                                           access: $0.access.map { AccessView(resource: $0.resource, action: $0.action, effect: $0.effect) }) },
            creatorType: robot.creatorType, creatorRef: robot.creatorRef, creationTime: APITime.string(robot.createdAt),
            updateTime: APITime.string(robot.updatedAt))
    }
}

extension Principal {
    /// Whether this is a robot account.
    var isRobot: Bool {
        if case .robot = self { return true }
        return false
    }
}
