/// What the members tab is filled with.

/// A role in a role picker.
struct RoleChoice: Sendable {
    let id: Int
    let name: String
    let selected: Bool
}

/// One member, with the role and remove forms for project admins.
struct MemberRow: Sendable {
    let id: Int64
    let name: String
    let type: String
    let role: String
    let canManage: Bool
    let roleAction: String
    let deleteAction: String
    let roles: [RoleChoice]
}

/// A project's members.
struct MembersPage: Sendable {
    let frame: Frame
    let project: String
    let access: String
    let tabs: [ProjectTab]
    let filter: String
    let problem: String?
    let canAdd: Bool
    let draftName: String
    let canAddGroups: Bool
    let draftGroup: String
    let roles: [RoleChoice]
    let rows: [MemberRow]
    let hasRows: Bool
    let pager: Pager?
}
