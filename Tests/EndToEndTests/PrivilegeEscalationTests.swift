import Foundation
import NIOHTTP1
import Testing

/// Create *and* update paths of every management endpoint that changes access, driven by callers trying to get more
/// than they hold: the project admin who found that `PUT /robots/{id}` skipped the checks `POST` made, robots that may
/// create robots, and users reaching for other projects and accounts. Each row must be refused, and the refusals must
/// leave nothing changed.
@Suite("Privilege escalation")
struct PrivilegeEscalationTests {
    struct Row {
        let what: String
        let actor: String
        let method: HTTPMethod
        let path: String
        let body: [String: Any]?
        /// Allowed answers (4xx for refusals, 2xx for the controls that show the path works at all).
        let expected: Set<Int>

        init(_ what: String, _ actor: String, _ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil, expect expected: Set<Int>) {
            self.what = what
            self.actor = actor
            self.method = method
            self.path = path
            self.body = body
            self.expected = expected
        }
    }

    static func robot(_ name: String, level: String, _ entries: [[String: Any]]) -> [String: Any] {
        ["name": name, "level": level, "duration": -1, "permissions": entries]
    }

    static func entry(_ kind: String, _ namespace: String, _ access: [(String, String)]) -> [String: Any] {
        ["kind": kind, "namespace": namespace, "access": access.map { ["resource": $0.0, "action": $0.1] }]
    }

    @Test("no create or update path lets a caller grant or reach more than it holds")
    func escalations() async throws {
        try await withSecuredServer { _, admin in
            let password = "Escalate-123"
            for user in ["pa", "victim"] {
                try await admin.apiOK(.POST, "/users", json: ["username": user, "password": password, "email": "\(user)@example.org"])
            }
            let pa = AccessClient(http: admin.http, account: .basic("pa", password))
            try await pa.apiOK(.POST, "/projects", json: ["project_name": "mine"])
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "theirs"])
            #expect(try await admin.pushImage("theirs/app", tag: "v1", seed: 1).status == 201)
            let users = try await admin.apiOK(.GET, "/users?page_size=100") as! [[String: Any]]
            func userID(_ name: String) -> Int { users.first { $0["username"] as? String == name }!["user_id"] as! Int }
            let theirsMembers = try await admin.apiOK(.GET, "/projects/theirs/members") as! [[String: Any]]
            let theirsAdminMember = theirsMembers[0]["id"] as! Int

            // The robots the rows act on.
            func create(_ client: AccessClient, _ body: [String: Any]) async throws -> (id: Int, client: AccessClient) {
                let created = try await client.apiOK(.POST, "/robots", json: body) as! [String: Any]
                return (created["id"] as! Int, AccessClient(http: admin.http, account: .basic(created["name"] as! String, created["secret"] as! String)))
            }
            let mineBot = try await create(pa, Self.robot("bot", level: "project", [Self.entry("project", "mine", [("repository", "pull")])]))
            let theirsBot = try await create(admin, Self.robot("bot", level: "project", [Self.entry("project", "theirs", [("repository", "pull")])]))
            let manager = try await create(pa, Self.robot("manager", level: "project", [Self.entry("project", "mine", [
                ("robot", "create"), ("robot", "update"), ("repository", "pull"),
            ])]))
            let sys = try await create(admin, Self.robot("sys", level: "system", [
                Self.entry("system", "/", [("robot", "create"), ("robot", "update")]),
                Self.entry("project", "mine", [("repository", "pull")]),
            ]))
            let sysChild = try await create(sys.client, Self.robot("child", level: "system", [Self.entry("project", "mine", [("repository", "pull")])]))
            let mineDeveloperBot = try await create(pa, Self.robot("sibling", level: "project", [Self.entry("project", "mine", [("repository", "pull")])]))
            let minePusher = try await create(pa, Self.robot("pusher-sibling", level: "project", [Self.entry("project", "mine", [("repository", "push")])]))
            let userAdminBot = try await create(admin, Self.robot("user-admin", level: "system", [Self.entry("system", "/", [("user", "update")])]))
            let actors: [String: AccessClient] = ["admin": admin, "pa": pa, "mineBot": mineBot.client, "manager": manager.client, "sys": sys.client]

            let refused: Set<Int> = [400, 403]
            let rows: [Row] = [
                // The reported chain: a project robot given system rights through PUT.
                Row("project robot turned system-level by PUT", "pa", .PUT, "/robots/\(mineBot.id)",
                    ["permissions": [Self.entry("system", "mine", [("user", "update")])]], expect: refused),
                Row("project robot given a system entry with namespace / by PUT", "pa", .PUT, "/robots/\(mineBot.id)",
                    ["permissions": [Self.entry("system", "/", [("user", "update")])]], expect: refused),
                Row("project robot moved to another project by PUT", "pa", .PUT, "/robots/\(mineBot.id)",
                    ["permissions": [Self.entry("project", "theirs", [("repository", "pull")])]], expect: refused),
                Row("project robot widened to every project by PUT", "pa", .PUT, "/robots/\(mineBot.id)",
                    ["permissions": [Self.entry("project", "*", [("repository", "pull")])]], expect: refused),
                Row("project robot given a second entry by PUT", "pa", .PUT, "/robots/\(mineBot.id)",
                    ["permissions": [Self.entry("project", "mine", [("repository", "pull")]), Self.entry("project", "theirs", [("repository", "pull")])]],
                    expect: refused),
                Row("project robot turned into a system robot by PUT", "pa", .PUT, "/robots/\(mineBot.id)", ["level": "system"], expect: refused),
                Row("system robot created by a project admin", "pa", .POST, "/robots",
                    Self.robot("sneaky", level: "system", [Self.entry("project", "mine", [("repository", "pull")])]), expect: refused),
                Row("project robot created with a system entry", "pa", .POST, "/robots",
                    Self.robot("sneaky", level: "project", [Self.entry("system", "mine", [("user", "update")])]), expect: refused),
                Row("project robot created in a project the caller does not manage", "pa", .POST, "/robots",
                    Self.robot("sneaky", level: "project", [Self.entry("project", "theirs", [("repository", "pull")])]), expect: refused),
                Row("robot created with an unknown resource", "pa", .POST, "/robots",
                    Self.robot("sneaky", level: "project", [Self.entry("project", "mine", [("everything", "pull")])]), expect: [400]),
                Row("another project's robot edited", "pa", .PUT, "/robots/\(theirsBot.id)", ["description": "mine now"], expect: refused),
                Row("another project's robot secret refreshed", "pa", .PATCH, "/robots/\(theirsBot.id)", [:], expect: refused),
                Row("a system robot's secret refreshed by a project admin", "pa", .PATCH, "/robots/\(sys.id)", [:], expect: refused),
                Row("another project's robot deleted", "pa", .DELETE, "/robots/\(theirsBot.id)", expect: refused),
                // Robots that may create robots hand on only what they hold.
                Row("robot creates a robot with push it does not hold", "manager", .POST, "/robots",
                    Self.robot("pusher", level: "project", [Self.entry("project", "mine", [("repository", "push")])]), expect: refused),
                Row("robot updates a sibling to push it does not hold", "manager", .PUT, "/robots/\(mineDeveloperBot.id)",
                    ["permissions": [Self.entry("project", "mine", [("repository", "push")])]], expect: refused),
                Row("robot creates a robot with every action (*) of repository", "manager", .POST, "/robots",
                    Self.robot("star", level: "project", [Self.entry("project", "mine", [("repository", "*")])]), expect: refused),
                Row("system robot creates a robot with a system permission it lacks", "sys", .POST, "/robots",
                    Self.robot("admin-maker", level: "system", [Self.entry("system", "/", [("user", "update")])]), expect: refused),
                Row("system robot creates a robot covering every project", "sys", .POST, "/robots",
                    Self.robot("everywhere", level: "system", [Self.entry("project", "*", [("repository", "pull")])]), expect: refused),
                Row("system robot creates a robot for a project it has no rights in", "sys", .POST, "/robots",
                    Self.robot("elsewhere", level: "system", [Self.entry("project", "theirs", [("repository", "pull")])]), expect: refused),
                Row("system robot creates a robot with push where it holds pull", "sys", .POST, "/robots",
                    Self.robot("pusher", level: "system", [Self.entry("project", "mine", [("repository", "push")])]), expect: refused),
                Row("robot takes over a sibling with more rights by refreshing its secret", "manager", .PATCH, "/robots/\(minePusher.id)", [:],
                    expect: refused),
                Row("robot re-enables a sibling with more rights", "manager", .PUT, "/robots/\(minePusher.id)", ["disable": false], expect: refused),
                Row("system robot takes over a robot with rights it lacks by refreshing its secret", "sys", .PATCH, "/robots/\(userAdminBot.id)", [:],
                    expect: refused),
                Row("system robot updates a robot with rights it lacks", "sys", .PUT, "/robots/\(userAdminBot.id)", ["duration": 5], expect: refused),
                Row("system robot updates its child into another project", "sys", .PUT, "/robots/\(sysChild.id)",
                    ["permissions": [Self.entry("project", "theirs", [("repository", "pull")])]], expect: refused),
                Row("system robot updates its child to system rights", "sys", .PUT, "/robots/\(sysChild.id)",
                    ["permissions": [Self.entry("system", "/", [("user", "update"), ("robot", "create")])]], expect: refused),
                // Users and projects.
                Row("a user makes themself system administrator", "pa", .PUT, "/users/\(userID("pa"))/sysadmin", ["sysadmin_flag": true], expect: refused),
                Row("a robot makes a user system administrator", "mineBot", .PUT, "/users/\(userID("pa"))/sysadmin", ["sysadmin_flag": true], expect: refused),
                Row("a user changes another user's password", "pa", .PUT, "/users/\(userID("victim"))/password", ["new_password": "Taken-over-1"], expect: refused),
                Row("a user edits another user's profile", "pa", .PUT, "/users/\(userID("victim"))", ["email": "pa2@example.org"], expect: refused),
                Row("a user creates a user", "pa", .POST, "/users", ["username": "minion", "password": password], expect: refused),
                Row("a user creates a user group", "pa", .POST, "/usergroups", ["group_name": "g", "ldap_group_dn": "cn=g,dc=example,dc=org"], expect: refused),
                Row("a user edits another project", "pa", .PUT, "/projects/theirs", ["metadata": ["public": "true"]], expect: refused),
                Row("a user sets another project's metadata", "pa", .POST, "/projects/theirs/metadatas", ["public": "true"], expect: refused),
                Row("a user adds themself to another project", "pa", .POST, "/projects/theirs/members",
                    ["role_id": 1, "member_user": ["username": "pa"]], expect: refused),
                Row("a user changes a member of another project", "pa", .PUT, "/projects/theirs/members/\(theirsAdminMember)", ["role_id": 5], expect: refused),
                Row("a member id of another project used through one's own", "pa", .PUT, "/projects/mine/members/\(theirsAdminMember)", ["role_id": 5],
                    expect: [404]),
                Row("a user edits another project's repository", "pa", .PUT, "/projects/theirs/repositories/app", ["description": "x"], expect: refused),
                Row("a user tags in another project", "pa", .POST, "/projects/theirs/repositories/app/artifacts/v1/tags", ["name": "x"], expect: refused),
                // Controls: the same paths work for callers who hold the permissions.
                Row("project admin gives their robot push", "pa", .PUT, "/robots/\(mineBot.id)",
                    ["permissions": [Self.entry("project", "mine", [("repository", "push")])]], expect: [200]),
                Row("robot refreshes the secret of a sibling holding no more than it", "manager", .PATCH, "/robots/\(mineDeveloperBot.id)", [:],
                    expect: [200]),
                Row("robot creates a robot with what it holds", "manager", .POST, "/robots",
                    Self.robot("puller", level: "project", [Self.entry("project", "mine", [("repository", "pull")])]), expect: [201]),
                Row("administrator moves a system robot to another project", "admin", .PUT, "/robots/\(sysChild.id)",
                    ["permissions": [Self.entry("project", "theirs", [("repository", "pull")])]], expect: [200]),
            ]

            var mismatches: [String] = []
            for row in rows {
                let result = try await actors[row.actor]!.api(row.method, row.path, json: row.body)
                if !row.expected.contains(result.status) {
                    mismatches.append("\(row.what) (\(row.actor) \(row.method) \(row.path)): \(result.status) \(result.text.prefix(200))")
                }
            }
            #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")

            // Nothing the refused rows tried took effect.
            let pAccount = try await admin.apiOK(.GET, "/users/\(userID("pa"))") as! [String: Any]
            #expect(pAccount["sysadmin_flag"] as? Bool == false)
            let bot = try await admin.apiOK(.GET, "/robots/\(mineBot.id)") as! [String: Any]
            let entries = bot["permissions"] as! [[String: Any]]
            #expect(entries.count == 1 && entries[0]["kind"] as? String == "project" && entries[0]["namespace"] as? String == "mine")
            #expect(bot["level"] as? String == "project")
            #expect(try await mineBot.client.api(.GET, "/users").status == 403)
            #expect(try await theirsBot.client.registry(.GET, "/v2/theirs/app/tags/list").status == 200)
            let victim = AccessClient(http: admin.http, account: .basic("victim", password))
            #expect(try await victim.api(.GET, "/users/current").status == 200)
            let robots = try await admin.apiOK(.GET, "/robots?page_size=100") as! [[String: Any]]
            let names = Set(robots.compactMap { $0["name"] as? String })
            for made in ["robot$admin-maker", "robot$everywhere", "robot$elsewhere", "robot$pusher", "robot$sneaky", "robot$mine+pusher", "robot$mine+star"] {
                #expect(!names.contains(made), "\(made) was created")
            }
        }
    }
}
