import Foundation
import NIOHTTP1
import OCI
import Testing

/// Every role (and anonymous, a non-member, a project robot and a system admin) against every row of Harbor's
/// "User Permissions By Role" table that Berth implements, on a private project, through `/v2` with the token flow
/// and through `/api/v2.0`. The expectations are written from Harbor's table, not from Berth's code.
@Suite("Access control matrix")
struct AccessMatrixTests {
    enum Who: String, CaseIterable, Sendable {
        case anonymous, outsider, limitedGuest, guest, developer, maintainer, projectAdmin, robot, sysadmin

        var slug: String { String(rawValue.lowercased().prefix(6)) }
        var roleID: Int? {
            switch self {
            case .projectAdmin: return 1
            case .developer: return 2
            case .guest: return 3
            case .maintainer: return 4
            case .limitedGuest: return 5
            default: return nil
            }
        }
    }

    static let everyRole: Set<Who> = [.limitedGuest, .guest, .developer, .maintainer, .projectAdmin, .sysadmin]
    static let guestsUp: Set<Who> = [.guest, .developer, .maintainer, .projectAdmin, .sysadmin]
    static let developersUp: Set<Who> = [.developer, .maintainer, .projectAdmin, .sysadmin]
    static let maintainersUp: Set<Who> = [.maintainer, .projectAdmin, .sysadmin]
    static let admins: Set<Who> = [.projectAdmin, .sysadmin]

    /// Ids of the per-principal objects the destructive checks act on.
    struct Fixture: Sendable {
        var projectID = 0
        var adminMemberID = 0
        var memberToEdit: [Who: Int] = [:]
        var memberToDelete: [Who: Int] = [:]
        var robotID = 0
        var robotToEdit: [Who: Int] = [:]
        var robotToDelete: [Who: Int] = [:]
        var v1Digest = ""
        var artifactToDelete: [Who: String] = [:]
        var v2ArtifactToDelete: [Who: String] = [:]
    }

    struct Check: Sendable {
        let row: String
        let allowed: Set<Who>
        let run: @Sendable (AccessClient, Who, Fixture) async throws -> Int
    }

    static let checks: [Check] = [
        Check(row: "See the project configurations (GET project)", allowed: everyRole) { c, _, _ in try await c.api(.GET, "/projects/priv").status },
        Check(row: "See the project configurations (GET metadatas)", allowed: everyRole) { c, _, _ in try await c.api(.GET, "/projects/priv/metadatas").status },
        Check(row: "Edit the project configurations", allowed: admins) { c, _, _ in
            try await c.api(.PUT, "/projects/priv", json: ["metadata": ["auto_scan": "true"]]).status
        },
        Check(row: "See a list of project members", allowed: guestsUp) { c, _, _ in try await c.api(.GET, "/projects/priv/members").status },
        Check(row: "See a project member", allowed: guestsUp) { c, _, f in try await c.api(.GET, "/projects/priv/members/\(f.adminMemberID)").status },
        Check(row: "Create project members", allowed: admins) { c, who, _ in
            try await c.api(.POST, "/projects/priv/members", json: ["role_id": 3, "member_user": ["username": "new-\(who.slug)"]]).status
        },
        Check(row: "Edit project members", allowed: admins) { c, who, f in
            try await c.api(.PUT, "/projects/priv/members/\(f.memberToEdit[who]!)", json: ["role_id": 2]).status
        },
        Check(row: "Delete project members", allowed: admins) { c, who, f in
            try await c.api(.DELETE, "/projects/priv/members/\(f.memberToDelete[who]!)").status
        },
        Check(row: "See a list of project logs", allowed: guestsUp) { c, _, _ in try await c.api(.GET, "/projects/priv/logs").status },
        Check(row: "See a list of repositories", allowed: everyRole) { c, _, _ in try await c.api(.GET, "/projects/priv/repositories").status },
        Check(row: "See a repository", allowed: everyRole) { c, _, _ in try await c.api(.GET, "/projects/priv/repositories/app").status },
        Check(row: "Create repositories (push into a new one)", allowed: developersUp.union([.robot])) { c, who, _ in
            try await c.pushImage("priv/new-\(who.slug)", tag: "v1", seed: 7000 + UInt64(who.slug.hashValue & 0xffff)).status
        },
        Check(row: "Edit repositories", allowed: maintainersUp) { c, _, _ in
            try await c.api(.PUT, "/projects/priv/repositories/app", json: ["description": "edited"]).status
        },
        Check(row: "Delete repositories", allowed: maintainersUp) { c, who, _ in
            try await c.api(.DELETE, "/projects/priv/repositories/scratch-\(who.slug)").status
        },
        Check(row: "See a list of images", allowed: everyRole.union([.robot])) { c, _, _ in try await c.api(.GET, "/projects/priv/repositories/app/artifacts").status },
        Check(row: "See an image", allowed: everyRole.union([.robot])) { c, _, _ in try await c.api(.GET, "/projects/priv/repositories/app/artifacts/v1").status },
        Check(row: "See an image's tags", allowed: everyRole.union([.robot])) { c, _, _ in
            try await c.api(.GET, "/projects/priv/repositories/app/artifacts/v1/tags").status
        },
        Check(row: "Pull image (/v2 manifest)", allowed: everyRole.union([.robot])) { c, _, _ in
            try await c.registry(.GET, "/v2/priv/app/manifests/v1", headers: [("Accept", MediaType.ociManifest)]).status
        },
        Check(row: "Pull image (/v2 blob)", allowed: everyRole.union([.robot])) { c, _, f in
            try await c.registry(.HEAD, "/v2/priv/app/manifests/\(f.v1Digest)", headers: [("Accept", MediaType.ociManifest)]).status
        },
        Check(row: "Push image (/v2)", allowed: developersUp.union([.robot])) { c, who, _ in
            try await c.pushImage("priv/app", tag: "p-\(who.slug)", seed: 9000 + UInt64(who.slug.hashValue & 0xffff)).status
        },
        Check(row: "Push image (add a tag through the API)", allowed: developersUp) { c, who, _ in
            try await c.api(.POST, "/projects/priv/repositories/app/artifacts/v1/tags", json: ["name": "t-\(who.slug)"]).status
        },
        Check(row: "Delete image (API)", allowed: maintainersUp) { c, who, f in
            try await c.api(.DELETE, "/projects/priv/repositories/del-\(who.slug)/artifacts/\(f.artifactToDelete[who]!)").status
        },
        Check(row: "Delete image (/v2 DELETE)", allowed: maintainersUp) { c, who, f in
            try await c.registry(.DELETE, "/v2/priv/vdel-\(who.slug)/manifests/\(f.v2ArtifactToDelete[who]!)").status
        },
        Check(row: "Delete a tag (API)", allowed: maintainersUp) { c, who, _ in
            try await c.api(.DELETE, "/projects/priv/repositories/app/artifacts/v1/tags/d-\(who.slug)").status
        },
        Check(row: "See a list of project robots", allowed: maintainersUp) { c, _, f in
            try await c.api(.GET, "/robots?q=Level%3Dproject%2CProjectID%3D\(f.projectID)").status
        },
        Check(row: "See a project robot", allowed: maintainersUp) { c, _, f in try await c.api(.GET, "/robots/\(f.robotID)").status },
        Check(row: "Create project robots", allowed: admins) { c, who, _ in
            try await c.api(.POST, "/robots", json: AccessMatrixTests.robotBody("made-\(who.slug)")).status
        },
        Check(row: "Edit project robots", allowed: admins) { c, who, f in
            try await c.api(.PUT, "/robots/\(f.robotToEdit[who]!)", json: ["description": "edited", "level": "project"]).status
        },
        Check(row: "Delete project robots", allowed: admins) { c, who, f in try await c.api(.DELETE, "/robots/\(f.robotToDelete[who]!)").status },
        Check(row: "Delete Project (may delete: _deletable)", allowed: admins) { c, _, _ in try await c.api(.GET, "/projects/priv/_deletable").status },
    ]

    static func robotBody(_ name: String, access: [[String: String]] = [["resource": "repository", "action": "pull"]], duration: Int = -1) -> [String: Any] {
        ["name": name, "level": "project", "duration": duration,
         "permissions": [["kind": "project", "namespace": "priv", "access": access]]]
    }

    @Test("each principal may do exactly what Harbor's table allows in a private project")
    func matrix() async throws {
        try await withSecuredServer { _, admin in
            var accounts: [Who: AccessClient] = [:]
            let fixture = try await Self.prepare(admin, accounts: &accounts)
            var mismatches: [String] = []
            for check in Self.checks {
                for who in Who.allCases {
                    let client = accounts[who]!
                    let status = try await check.run(client, who, fixture)
                    let expected = check.allowed.contains(who)
                    let allowed = (200 ..< 300).contains(status)
                    let refusedProperly = who == .anonymous ? status == 401 : (status == 403 || status == 401)
                    if expected != allowed || (!expected && !refusedProperly) {
                        mismatches.append("\(check.row) as \(who): status \(status), expected \(expected ? "allowed" : "refused")")
                    }
                }
            }
            #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        }
    }

    /// Creates the private project, one user per role, a robot, images, and per-principal targets for destructive checks.
    static func prepare(_ admin: AccessClient, accounts: inout [Who: AccessClient]) async throws -> Fixture {
        var f = Fixture()
        try await admin.apiOK(.POST, "/projects", json: ["project_name": "priv", "metadata": ["public": "false"]])
        let project = try await admin.apiOK(.GET, "/projects/priv") as! [String: Any]
        f.projectID = project["project_id"] as! Int
        let members = try await admin.apiOK(.GET, "/projects/priv/members") as! [[String: Any]]
        f.adminMemberID = members.first { $0["entity_name"] as? String == "admin" }!["id"] as! Int

        let image = try await admin.pushImage("priv/app", tag: "v1", seed: 1)
        #expect(image.status == 201)
        f.v1Digest = image.digest.description

        let password = "Passw0rd-Matrix"
        for who in Who.allCases {
            switch who {
            case .anonymous: accounts[who] = AccessClient(http: admin.http, account: .anonymous)
            case .sysadmin: accounts[who] = admin
            case .robot:
                let created = try await admin.apiOK(.POST, "/robots", json: robotBody("matrix", access: [
                    ["resource": "repository", "action": "push"], ["resource": "artifact", "action": "list"],
                    ["resource": "artifact", "action": "read"], ["resource": "tag", "action": "list"],
                ])) as! [String: Any]
                f.robotID = created["id"] as! Int
                accounts[who] = AccessClient(http: admin.http, account: .basic(created["name"] as! String, created["secret"] as! String))
            default:
                try await admin.apiOK(.POST, "/users", json: ["username": who.rawValue, "password": password, "email": "\(who.rawValue)@example.org"])
                if let role = who.roleID {
                    try await admin.apiOK(.POST, "/projects/priv/members", json: ["role_id": role, "member_user": ["username": who.rawValue]])
                }
                accounts[who] = AccessClient(http: admin.http, account: .basic(who.rawValue, password))
            }
            // Targets each principal's destructive checks act on.
            try await admin.apiOK(.POST, "/users", json: ["username": "new-\(who.slug)", "password": password])
            for (prefix, role) in [("edit", 3), ("gone", 3)] {
                try await admin.apiOK(.POST, "/users", json: ["username": "\(prefix)-\(who.slug)", "password": password])
                try await admin.apiOK(.POST, "/projects/priv/members", json: ["role_id": role, "member_user": ["username": "\(prefix)-\(who.slug)"]])
            }
            let list = try await admin.apiOK(.GET, "/projects/priv/members?page_size=100") as! [[String: Any]]
            f.memberToEdit[who] = list.first { $0["entity_name"] as? String == "edit-\(who.slug)" }!["id"] as? Int
            f.memberToDelete[who] = list.first { $0["entity_name"] as? String == "gone-\(who.slug)" }!["id"] as? Int
            let editRobot = try await admin.apiOK(.POST, "/robots", json: robotBody("edit-\(who.slug)")) as! [String: Any]
            let goneRobot = try await admin.apiOK(.POST, "/robots", json: robotBody("gone-\(who.slug)")) as! [String: Any]
            f.robotToEdit[who] = editRobot["id"] as? Int
            f.robotToDelete[who] = goneRobot["id"] as? Int
            let seed = UInt64(100 + Who.allCases.firstIndex(of: who)! * 3)
            #expect(try await admin.pushImage("priv/scratch-\(who.slug)", tag: "v1", seed: seed).status == 201)
            f.artifactToDelete[who] = try await admin.pushImage("priv/del-\(who.slug)", tag: "v1", seed: seed + 1).digest.description
            f.v2ArtifactToDelete[who] = try await admin.pushImage("priv/vdel-\(who.slug)", tag: "v1", seed: seed + 2).digest.description
            try await admin.apiOK(.POST, "/projects/priv/repositories/app/artifacts/v1/tags", json: ["name": "d-\(who.slug)"])
        }
        return f
    }
}
