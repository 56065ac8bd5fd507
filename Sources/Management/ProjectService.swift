import Auth
import Metadata
import OCI

/// Projects in the management API: list, read, create, update, delete, deletability, summary and metadata.
public struct ProjectService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// Metadata keys Harbor defines for projects; others are refused.
    static let metadataKeys: Set<String> = [
        "public", "enable_content_trust", "enable_content_trust_cosign", "prevent_vul", "severity", "auto_scan",
        "auto_sbom_generation", "reuse_sys_cve_allowlist", "retention_id", "proxy_speed_kb",
    ]

    /// Projects the caller may see.
    public func list(_ caller: Caller, query: ListQuery) async throws -> ListPage<ProjectView> {
        let visibility = env.policy.visibility(of: caller.principal)
        let page = try await env.access.projects(query, visibility: visibility)
        let member = AccessPolicy.member(caller.principal)
        let facts = try await env.access.listFacts(of: page.items, userID: member?.userID, groupIDs: member?.groupIDs ?? [])
        let views = page.items.map { project in
            Self.view(project, roles: AccessPolicy.roles(fromIDs: facts.roles[project.id] ?? []).map(\.rawValue),
                      owner: project.ownerID.flatMap { facts.ownerNames[$0] }, repositoryCount: facts.repositoryCounts[project.name] ?? 0)
        }
        return ListPage(items: views, total: page.total)
    }

    /// Whether a project with this name exists (`HEAD /projects`), for signed-in callers choosing a new project's name;
    /// anonymous callers get 401, so they cannot find out which private projects exist.
    public func exists(named name: String, _ caller: Caller) async throws -> Bool {
        try env.requireAuthenticated(caller)
        return try await env.access.project(named: name) != nil
    }

    /// One project.
    public func get(_ nameOrID: String, isName: Bool, _ caller: Caller) async throws -> ProjectView {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.project, .read))
        return try await view(project, caller)
    }

    /// What the caller may do in a project they can see (the portal shows only the forms they may use; the services
    /// still check every change themselves).
    public func permissions(in name: String, _ caller: Caller) async throws -> Set<Permission> {
        let project = try await env.readableProject(name, isName: true, caller)
        return try await env.policy.permissions(of: caller.principal, in: project)
    }

    /// Creates a project owned by the caller (who becomes its project admin).
    public func create(_ request: ProjectRequest, _ caller: Caller) async throws -> ProjectRecord {
        try env.requireAuthenticated(caller)
        try env.requireSystem(Permission(.project, .create), caller)
        guard let name = request.projectName, !name.isEmpty else { throw APIError.badRequest("project_name is required") }
        guard Self.isValidName(name) else {
            throw APIError.badRequest("project name must be 1–255 lower-case letters and digits, optionally joined by single . _ or -")
        }
        try Self.checkStorageLimit(request.storageLimit)
        var metadata = try Self.checkedMetadata(request.metadata ?? [:])
        if let isPublic = request.public { metadata["public"] = isPublic ? "true" : "false" }
        if metadata["public"] == nil { metadata["public"] = "false" }
        var ownerID: Int64? = nil
        if case .user(let user) = caller.principal { ownerID = user.id }
        let now = Clock.nowMilliseconds()
        // A proxy-cache project (Harbor's `registry_id`): only system administrators make one, of a registered registry.
        if let registryID = request.registryId {
            try env.requireSystem(Permission(.registry, .read), caller)
            guard registryID > 0, try await env.remoteRegistries?.registry(id: registryID) != nil else {
                throw APIError.badRequest("registry \(registryID) does not exist")
            }
            if let speed = metadata["proxy_speed_kb"], Int(speed).map({ $0 >= -1 && $0 <= 1_000_000_000 }) != true {
                throw APIError.badRequest("proxy_speed_kb must be -1 (no limit) up to 1000000000")
            }
        }
        // Only those who may change quotas choose a limit other than the default (no limit).
        let storageLimit = request.storageLimit ?? -1
        if storageLimit != -1 { try env.requireSystem(Permission(.quota, .update), caller) }
        let allowlist = try Self.checkedAllowlist(request.cveAllowlist, now: now)
        let project: ProjectRecord
        do {
            project = try await env.access.createProject(
                ProjectRecord(name: name, ownerID: ownerID, metadata: metadata, createdAt: now, updatedAt: now, cveAllowlist: allowlist,
                              registryID: request.registryId, storageLimit: storageLimit),
                ownerRole: ownerID == nil ? nil : ProjectRole.projectAdmin.rawValue)
        } catch let conflict as MetadataConflict {
            throw APIError(.conflict, conflict.description)
        }
        await env.recordChange(caller, "create", "project", name, projectID: project.id)
        return project
    }

    /// Changes a project's metadata (publicity and the rest).
    public func update(_ nameOrID: String, isName: Bool, _ request: ProjectRequest, _ caller: Caller) async throws {
        var project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.project, .update))
        try Self.checkStorageLimit(request.storageLimit)
        let changes = try Self.checkedMetadata(request.metadata ?? [:])
        project.metadata.merge(changes) { _, new in new }
        if let isPublic = request.public { project.metadata["public"] = isPublic ? "true" : "false" }
        project.updatedAt = Clock.nowMilliseconds()
        if let allowlist = try Self.checkedAllowlist(request.cveAllowlist, now: project.updatedAt) { project.cveAllowlist = allowlist }
        try await env.access.updateProject(project)
        await env.recordChange(caller, "update", "project", project.name, projectID: project.id)
    }

    /// Deletes an empty project; refused (412) while it holds repositories.
    public func delete(_ nameOrID: String, isName: Bool, _ caller: Caller) async throws {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.project, .delete))
        guard try await env.access.deleteProjectIfEmpty(id: project.id, name: project.name) else {
            throw APIError(.preconditionFailed, "project \(project.name) still holds repositories and cannot be deleted")
        }
        try await RobotService(env).forgetProject(id: project.id)
        await env.recordChange(caller, "delete", "project", project.name, projectID: project.id)
    }

    /// Whether the project can be deleted now.
    public func deletable(_ nameOrID: String, isName: Bool, _ caller: Caller) async throws -> ProjectDeletableView {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.project, .delete))
        let count = try await env.access.repositoryCount(project: project.name)
        return count == 0 ? ProjectDeletableView(deletable: true, message: nil)
            : ProjectDeletableView(deletable: false, message: "the project contains \(count) repositories, it cannot be deleted")
    }

    /// Repository and member counts.
    public func summary(_ nameOrID: String, isName: Bool, _ caller: Caller) async throws -> ProjectSummaryView {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.project, .read))
        let members = try await env.access.memberCounts(projectID: project.id)
        func count(_ role: ProjectRole) -> Int { members[role.rawValue] ?? 0 }
        let quota = try await env.quotas?.quota(project: project.name)
        return ProjectSummaryView(
            repoCount: try await env.access.repositoryCount(project: project.name), projectAdminCount: count(.projectAdmin),
            maintainerCount: count(.maintainer), developerCount: count(.developer), guestCount: count(.guest),
            limitedGuestCount: count(.limitedGuest),
            quota: quota.map { .init(hard: .init(storage: $0.hardLimit), used: .init(storage: $0.used)) })
    }

    /// The project at a glance: counts, stored bytes, and artifacts pushed on each of the last `days` UTC days (1–366).
    public func overview(_ name: String, days: Int, _ caller: Caller) async throws -> ProjectOverview {
        let project = try await env.readableProject(name, isName: true, caller, requiring: Permission(.project, .read))
        let days = Int64(min(max(days, 1), 366))
        let today = Clock.nowMilliseconds() / 86_400_000
        let first = today - days + 1
        let activity = try await env.artifacts.projectActivity(project: project.name, since: first * 86_400_000)
        let members = try await env.access.memberCounts(projectID: project.id)
        return ProjectOverview(repositoryCount: try await env.access.repositoryCount(project: project.name), artifactCount: activity.artifactCount,
                               storedBytes: activity.storedBytes, membersByRole: members,
                               pushesPerDay: (first ... today).map { ($0, activity.pushesPerDay[$0] ?? 0) })
    }

    /// The project's metadata (`GET /projects/{p}/metadatas`), or one key of it.
    public func metadata(_ nameOrID: String, isName: Bool, key: String?, _ caller: Caller) async throws -> [String: String] {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.metadata, .read))
        guard let key else { return project.metadata }
        guard let value = project.metadata[key] else { throw APIError.notFound("metadata \(key.prefix(100))") }
        return [key: value]
    }

    /// Adds or changes metadata keys (`POST`/`PUT /projects/{p}/metadatas`).
    public func setMetadata(_ nameOrID: String, isName: Bool, _ values: [String: String], _ caller: Caller) async throws {
        var project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.metadata, .update))
        project.metadata.merge(try Self.checkedMetadata(values)) { _, new in new }
        project.updatedAt = Clock.nowMilliseconds()
        try await env.access.updateProject(project)
        await env.recordChange(caller, "update", "project", project.name, projectID: project.id)
    }

    /// Removes a metadata key (`public` cannot be removed).
    public func deleteMetadata(_ nameOrID: String, isName: Bool, key: String, _ caller: Caller) async throws {
        var project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.metadata, .update))
        guard key != "public" else { throw APIError.badRequest("the public flag cannot be removed; set it to true or false") }
        guard project.metadata.removeValue(forKey: key) != nil else { throw APIError.notFound("metadata \(key.prefix(100))") }
        project.updatedAt = Clock.nowMilliseconds()
        try await env.access.updateProject(project)
    }

    func view(_ project: ProjectRecord, _ caller: Caller) async throws -> ProjectView {
        let roles = try await env.policy.roles(of: caller.principal, in: project).map(\.rawValue)
        let owner = try await project.ownerID.asyncMap { try await env.access.user(id: $0)?.username } ?? nil
        return Self.view(project, roles: roles, owner: owner, repositoryCount: try await env.access.repositoryCount(project: project.name))
    }

    /// The API's view of a project, given the caller's roles in it (sorted), its owner's name and its repository count.
    static func view(_ project: ProjectRecord, roles: [Int], owner: String?, repositoryCount: Int) -> ProjectView {
        ProjectView(
            projectId: project.id, ownerId: project.ownerID, name: project.name, creationTime: APITime.string(project.createdAt),
            updateTime: APITime.string(project.updatedAt), deleted: false, ownerName: owner, togglable: true,
            currentUserRoleId: Self.highestRole(roles), currentUserRoleIds: roles,
            repoCount: repositoryCount, metadata: project.metadata,
            cveAllowlist: CVEAllowlistView(id: project.id, projectId: project.id, items: (project.cveAllowlist?.items ?? []).map { .init(cveId: $0) },
                                           expiresAt: project.cveAllowlist?.expiresAt,
                                           creationTime: APITime.string(project.createdAt),
                                           updateTime: APITime.string(project.cveAllowlist?.updatedAt ?? project.updatedAt)),
            registryId: project.registryID)
    }

    /// A `cve_allowlist` as given: CVE ids of at most 64 characters without spaces or control characters, at most
    /// 10,000 of them, and an expiry that is a time (or absent).
    static func checkedAllowlist(_ request: ProjectRequest.Allowlist?, now: Int64) throws -> CVEAllowlist? {
        guard let request else { return nil }
        var ids: [String] = []
        for item in request.items ?? [] {
            guard let id = item.cveId?.trimmingCharacters(in: .whitespaces), (1 ... 64).contains(id.utf8.count),
                  id.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                throw APIError.badRequest("cve_allowlist items need a cve_id of 1-64 printable characters")
            }
            if !ids.contains(id) { ids.append(id) }
        }
        guard ids.count <= 10_000 else { throw APIError.badRequest("cve_allowlist takes at most 10000 items") }
        if let expiry = request.expiresAt, !(0 ... 253_402_300_799).contains(expiry) {
            throw APIError.badRequest("cve_allowlist.expires_at must be seconds since 1970 (or absent for no expiry)")
        }
        return CVEAllowlist(items: ids, expiresAt: request.expiresAt, updatedAt: now)
    }

    /// Harbor's "highest" role id (project admin, maintainer, developer, guest, limited guest), 0 for none.
    static func highestRole(_ roles: [Int]) -> Int {
        for role in [ProjectRole.projectAdmin, .maintainer, .developer, .guest, .limitedGuest] where roles.contains(role.rawValue) {
            return role.rawValue
        }
        return 0
    }

    /// Harbor's project name rule, `^[a-z0-9]+(?:[._-][a-z0-9]+)*$`, 1–255 characters: separators only singly and
    /// between letters or digits (`a..b`, `-a`, `a-` are refused).
    static func isValidName(_ name: String) -> Bool {
        guard (1 ... 255).contains(name.utf8.count) else { return false }
        var previousWasSeparator = true
        for byte in name.utf8 {
            let isAlnum = (0x61 ... 0x7A).contains(byte) || (0x30 ... 0x39).contains(byte)
            let isSeparator = byte == 0x2E || byte == 0x5F || byte == 0x2D
            guard isAlnum || (isSeparator && !previousWasSeparator) else { return false }
            previousWasSeparator = isSeparator
        }
        return !previousWasSeparator
    }

    /// Harbor's `storage_limit`: -1 for no limit, else a number of bytes.
    static func checkStorageLimit(_ limit: Int64?) throws {
        guard let limit else { return }
        guard limit >= -1, limit <= QuotaService.maximumLimit else {
            throw APIError.badRequest("storage_limit must be -1 (no limit) or a number of bytes up to \(QuotaService.maximumLimit)")
        }
    }

    static func checkedMetadata(_ values: [String: String]) throws -> [String: String] {
        for (key, value) in values {
            guard metadataKeys.contains(key) else { throw APIError.badRequest("unknown project metadata key \(key.prefix(100))") }
            if ["public", "enable_content_trust", "enable_content_trust_cosign", "prevent_vul", "auto_scan", "auto_sbom_generation",
                "reuse_sys_cve_allowlist"].contains(key) {
                guard ["true", "false"].contains(value.lowercased()) else { throw APIError.badRequest("\(key) must be \"true\" or \"false\"") }
            }
            if key == "severity", !["none", "low", "medium", "high", "critical"].contains(value.lowercased()) {
                throw APIError.badRequest("severity must be none, low, medium, high or critical")
            }
        }
        return values.mapValues { $0.lowercased() == "true" || $0.lowercased() == "false" ? $0.lowercased() : $0 }
    }
}

extension Optional {
    /// `map` with an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
