@testable import Auth
import Testing

@Suite("Permission table")
struct PermissionTableTests {
    @Test("roles nest as in Harbor: each role holds what the role below it holds")
    func rolesNest() {
        let limited = PermissionTable.permissions(of: .limitedGuest)
        let guest = PermissionTable.permissions(of: .guest)
        let developer = PermissionTable.permissions(of: .developer)
        let maintainer = PermissionTable.permissions(of: .maintainer)
        let admin = PermissionTable.permissions(of: .projectAdmin)
        #expect(limited.isStrictSubset(of: guest))
        #expect(guest.isStrictSubset(of: developer))
        #expect(developer.isStrictSubset(of: maintainer))
        #expect(maintainer.isStrictSubset(of: admin))
        #expect(admin == PermissionTable.projectPermissions)
    }

    @Test("rows from Harbor's table: pull for all, push from developer, delete from maintainer, members and robots for admins")
    func harborRows() {
        #expect(PermissionTable.permissions(of: .limitedGuest).contains(Permission(.repository, .pull)))
        #expect(!PermissionTable.permissions(of: .limitedGuest).contains(Permission(.member, .list)))
        #expect(!PermissionTable.permissions(of: .limitedGuest).contains(Permission(.log, .list)))
        #expect(PermissionTable.permissions(of: .guest).contains(Permission(.member, .list)))
        #expect(!PermissionTable.permissions(of: .guest).contains(Permission(.repository, .push)))
        #expect(PermissionTable.permissions(of: .developer).contains(Permission(.repository, .push)))
        #expect(!PermissionTable.permissions(of: .developer).contains(Permission(.artifact, .delete)))
        #expect(PermissionTable.permissions(of: .maintainer).contains(Permission(.artifact, .delete)))
        #expect(PermissionTable.permissions(of: .maintainer).contains(Permission(.robot, .list)))
        #expect(!PermissionTable.permissions(of: .maintainer).contains(Permission(.robot, .create)))
        #expect(!PermissionTable.permissions(of: .maintainer).contains(Permission(.project, .delete)))
        #expect(PermissionTable.permissions(of: .projectAdmin).contains(Permission(.member, .create)))
    }

    @Test("a public project lets anyone read and pull but not push or see members")
    func publicProject() {
        #expect(PermissionTable.publicProject.contains(Permission(.repository, .pull)))
        #expect(!PermissionTable.publicProject.contains(Permission(.repository, .push)))
        #expect(!PermissionTable.publicProject.contains(Permission(.member, .list)))
        #expect(PermissionTable.publicProject.isSubset(of: PermissionTable.permissions(of: .limitedGuest)))
    }

    @Test("robot grants: push implies pull, * covers every project, deny is ignored, unknown resources are skipped, project grants bind to ids")
    func robotGrants() {
        let grants = RobotGrants([
            RobotPermissionEntry(kind: "project", namespace: "team", access: [.init(resource: "repository", action: "push"),
                                                                              .init(resource: "helm-chart", action: "read")], projectID: 7),
            RobotPermissionEntry(kind: "project", namespace: "*", access: [.init(resource: "artifact", action: "list")]),
            RobotPermissionEntry(kind: "project", namespace: "other", access: [.init(resource: "repository", action: "pull", effect: "deny")], projectID: 8),
            RobotPermissionEntry(kind: "project", namespace: "unbound", access: [.init(resource: "repository", action: "pull")]),
            RobotPermissionEntry(kind: "system", namespace: "/", access: [.init(resource: "audit-log", action: "list")]),
        ])
        #expect(grants.permissions(inProject: 7) == [Permission(.repository, .push), Permission(.repository, .pull), Permission(.artifact, .list)])
        #expect(grants.permissions(inProject: 8) == [Permission(.artifact, .list)])
        // A project of the same name with another id (recreated after a deletion) inherits nothing.
        #expect(grants.permissions(inProject: 9) == [Permission(.artifact, .list)])
        #expect(grants.projects.keys.sorted() == [7, 8])
        #expect(grants.system == [Permission(.auditLog, .list)])
        #expect(grants.coversAllProjects)
    }
}
