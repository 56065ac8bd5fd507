import APIInput
import Foundation
import Auth
import Metadata

/// User groups (LDAP groups), managed by system administrators.
public struct UserGroupService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// All groups.
    public func list(query: ListQuery, _ caller: Caller) async throws -> ListPage<UserGroupView> {
        try env.requireSystem(Permission(.userGroup, .list), caller)
        let page = try await env.access.groups(query)
        return ListPage(items: page.items.map(Self.view), total: page.total)
    }

    /// Groups whose name contains `name` (any signed-in user may search, to add members).
    public func search(name: String, query: ListQuery, _ caller: Caller) async throws -> ListPage<UserGroupView> {
        try env.requireAuthenticated(caller)
        var query = query
        query.filters = [ListQuery.Filter(key: "group_name", match: .fuzzy(name))]
        let page = try await env.access.groups(query)
        return ListPage(items: page.items.map(Self.view), total: page.total)
    }

    /// One group.
    public func get(id: Int64, _ caller: Caller) async throws -> UserGroupView {
        try env.requireSystem(Permission(.userGroup, .read), caller)
        guard let group = try await env.access.group(id: id) else { throw APIError.notFound("user group \(id)") }
        return Self.view(group)
    }

    /// Creates an LDAP group entry.
    public func create(_ request: UserGroupRequest, _ caller: Caller) async throws -> UserGroupRecord {
        try env.requireSystem(Permission(.userGroup, .create), caller)
        guard let dn = request.ldapGroupDn, !dn.isEmpty else { throw APIError.badRequest("ldap_group_dn is required") }
        guard (request.groupType ?? UserGroupRecord.ldapType) == UserGroupRecord.ldapType else {
            throw APIError.badRequest("only LDAP groups (group_type 1) are supported")
        }
        let found = try await env.directoryGroup(dn: dn)
        let name = try Self.checkedName(request.groupName.flatMap { $0.isEmpty ? nil : $0 } ?? (found.name.isEmpty ? Self.commonName(of: found.dn) : found.name))
        do {
            let group = try await env.access.createGroup(UserGroupRecord(
                name: name, type: UserGroupRecord.ldapType, ldapDN: found.dn, createdAt: Clock.nowMilliseconds()))
            await env.recordChange(caller, "create", "user_group", group.name)
            return group
        } catch let conflict as MetadataConflict {
            throw APIError(.conflict, conflict.description)
        }
    }

    /// Renames a group.
    public func update(id: Int64, _ request: UserGroupRequest, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.userGroup, .update), caller)
        guard let requested = request.groupName, !requested.isEmpty else { throw APIError.badRequest("group_name is required") }
        let name = try Self.checkedName(requested)
        guard try await env.access.renameGroup(id: id, name: name, now: Clock.nowMilliseconds()) else { throw APIError.notFound("user group \(id)") }
        await env.recordChange(caller, "update", "user_group", name)
    }

    /// Deletes a group and its memberships.
    public func delete(id: Int64, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.userGroup, .delete), caller)
        // Harbor's API declares no 404 here: deleting a group that is not there is a bad request.
        guard try await env.access.deleteGroup(id: id) else { throw APIError.badRequest("there is no user group \(id)") }
        await env.recordChange(caller, "delete", "user_group", String(id))
    }

    /// A group name as given, refused (400) when it is too long or holds control or invisible characters.
    static func checkedName(_ name: String) throws -> String {
        guard (1 ... 255).contains(name.count), AccountName.problem(with: name) == nil else {
            throw APIError.badRequest("group_name must be 1–255 characters without control or invisible characters")
        }
        return name
    }

    /// The first RDN's value of a DN (`cn=developers,ou=groups,…` → `developers`).
    static func commonName(of dn: String) -> String {
        let first = dn.split(separator: ",").first.map(String.init) ?? dn
        guard let equals = first.firstIndex(of: "=") else { return first }
        return String(first[first.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
    }

    static func view(_ group: UserGroupRecord) -> UserGroupView {
        UserGroupView(id: group.id, groupName: group.name, groupType: group.type, ldapGroupDn: group.ldapDN)
    }
}
