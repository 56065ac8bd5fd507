import Auth
import Metadata

/// Project members: users and user groups with a role.
public struct MemberService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// The project's members.
    public func list(_ nameOrID: String, isName: Bool, query: ListQuery, _ caller: Caller) async throws -> ListPage<MemberView> {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.member, .list))
        let page = try await env.access.members(projectID: project.id, query)
        return ListPage(items: page.items.map(Self.view), total: page.total)
    }

    /// One member.
    public func get(_ nameOrID: String, isName: Bool, id: Int64, _ caller: Caller) async throws -> MemberView {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.member, .read))
        guard let member = try await env.access.member(id: id, projectID: project.id) else { throw APIError.notFound("member \(id)") }
        return Self.view(member)
    }

    /// Adds a user (by id or name) or a group (by id, by the name of a known group, or by LDAP DN, created on first use)
    /// with a role.
    public func add(_ nameOrID: String, isName: Bool, _ request: MemberRequest, _ caller: Caller) async throws -> MemberRecord {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.member, .create))
        let role = try Self.role(request.roleId)
        let entity: (MemberEntityType, Int64, String)
        if let user = request.memberUser {
            let record: UserRecord?
            if let id = user.userId, id > 0 { record = try await env.access.user(id: id) } else if let name = user.username {
                record = try await env.access.user(named: name)
            } else { throw APIError.badRequest("member_user needs user_id or username") }
            guard let record else { throw APIError.notFound("user") }
            entity = (.user, record.id, record.username)
        } else if let group = request.memberGroup {
            entity = try await resolveGroup(group)
        } else {
            throw APIError.badRequest("member_user or member_group is required")
        }
        let member: MemberRecord
        do {
            member = try await env.access.addMember(
                MemberRecord(projectID: project.id, entityType: entity.0, entityID: entity.1, entityName: entity.2, role: role.rawValue),
                now: Clock.nowMilliseconds())
        } catch let conflict as MetadataConflict {
            throw APIError(.conflict, conflict.description)
        }
        await env.recordChange(caller, "create", "member", "\(entity.2) as \(role.name)", projectID: project.id)
        return member
    }

    /// Changes a member's role.
    public func update(_ nameOrID: String, isName: Bool, id: Int64, _ request: RoleRequest, _ caller: Caller) async throws {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.member, .update))
        let role = try Self.role(request.roleId)
        guard let member = try await env.access.member(id: id, projectID: project.id) else { throw APIError.notFound("member \(id)") }
        guard try await env.access.updateMemberRole(id: id, projectID: project.id, role: role.rawValue, now: Clock.nowMilliseconds()) else {
            throw APIError.notFound("member \(id)")
        }
        await env.recordChange(caller, "update", "member", "\(member.entityName) as \(role.name)", projectID: project.id)
    }

    /// Removes a member.
    public func delete(_ nameOrID: String, isName: Bool, id: Int64, _ caller: Caller) async throws {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.member, .delete))
        guard let member = try await env.access.member(id: id, projectID: project.id),
              try await env.access.deleteMember(id: id, projectID: project.id) else { throw APIError.notFound("member \(id)") }
        await env.recordChange(caller, "delete", "member", member.entityName, projectID: project.id)
    }

    private func resolveGroup(_ group: MemberRequest.GroupRef) async throws -> (MemberEntityType, Int64, String) {
        if let id = group.id, id > 0 {
            guard let record = try await env.access.group(id: id) else { throw APIError.notFound("user group \(id)") }
            return (.group, record.id, record.name)
        }
        if (group.ldapGroupDn ?? "").isEmpty, let name = group.groupName, !name.isEmpty {
            // A group already known to Berth, by its name (names are not unique: a shared one needs the DN).
            let found = try await env.access.groups(ListQuery(filters: [ListQuery.Filter(key: "group_name", match: .exact(name))], limit: 2)).items
            guard let first = found.first else { throw APIError.notFound("user group \(name.prefix(255))") }
            guard found.count == 1 else { throw APIError(.conflict, "several user groups are named \(name.prefix(255)); give the group's LDAP DN") }
            return (.group, first.id, first.name)
        }
        guard let dn = group.ldapGroupDn, !dn.isEmpty else { throw APIError.badRequest("member_group needs id, group_name or ldap_group_dn") }
        guard (group.groupType ?? UserGroupRecord.ldapType) == UserGroupRecord.ldapType else {
            throw APIError.badRequest("only LDAP groups (group_type 1) are supported")
        }
        // A group named by DN becomes a global user group: only the directory may vouch for it.
        let found = try await env.directoryGroup(dn: dn)
        if let existing = try await env.access.groups(withDNs: [found.dn]).first { return (.group, existing.id, existing.name) }
        let name = try UserGroupService.checkedName(group.groupName.flatMap { $0.isEmpty ? nil : $0 } ?? (found.name.isEmpty ? UserGroupService.commonName(of: found.dn) : found.name))
        do {
            let created = try await env.access.createGroup(UserGroupRecord(name: name, type: UserGroupRecord.ldapType, ldapDN: found.dn,
                                                                           createdAt: Clock.nowMilliseconds()))
            return (.group, created.id, created.name)
        } catch is MetadataConflict {
            // Created by a concurrent request.
            guard let existing = try await env.access.groups(withDNs: [found.dn]).first else { throw APIError(.conflict, "user group \(found.dn.prefix(255)) changed meanwhile") }
            return (.group, existing.id, existing.name)
        }
    }

    static func role(_ id: Int?) throws -> ProjectRole {
        guard let id, let role = ProjectRole(rawValue: id) else {
            throw APIError.badRequest("role_id must be 1 (project admin), 2 (developer), 3 (guest), 4 (maintainer) or 5 (limited guest)")
        }
        return role
    }

    static func view(_ member: MemberRecord) -> MemberView {
        MemberView(id: member.id, projectId: member.projectID, entityName: member.entityName,
                   roleName: ProjectRole(rawValue: member.role)?.name ?? "unknown", roleId: member.role, entityId: member.entityID,
                   entityType: member.entityType.rawValue)
    }
}
