import Foundation
import OCI
import Testing

/// Labels (Harbor's `/labels`) against the real binary: system administrators manage global labels, maintainers and
/// project admins their project's, developers put labels on artifacts and take them off; artifacts show their labels;
/// a label of another project cannot be used; bad labels get Harbor's error JSON; Harbor's Python client works.
@Suite("Labels")
struct LabelTests {
    static let password = "Secret-12345"

    @Test("global and project labels by role, labels on artifacts, bad input")
    func labels() async throws {
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "other"])
            var clients: [String: AccessClient] = [:]
            for (user, role) in [("keeper", 4), ("dev", 2), ("guest", 3)] {
                try await admin.apiOK(.POST, "/users", json: ["username": user, "password": Self.password])
                try await admin.apiOK(.POST, "/projects/team/members", json: ["role_id": role, "member_user": ["username": user]])
                clients[user] = AccessClient(http: admin.http, account: .basic(user, Self.password))
            }
            let keeper = clients["keeper"]!, dev = clients["dev"]!, guest = clients["guest"]!
            let anonymous = AccessClient(http: admin.http, account: .anonymous)
            let team = try #require(try await admin.api(.GET, "/projects/team").json()["project_id"] as? Int)
            let other = try #require(try await admin.api(.GET, "/projects/other").json()["project_id"] as? Int)
            #expect(try await admin.pushImage("team/app", tag: "v1", seed: 4).status == 201)
            func id(_ result: HTTPResult) -> String? { result.header("Location")?.split(separator: "/").last.map(String.init) }

            // Global labels: only system administrators make them; anyone signed in lists them.
            #expect(try await keeper.api(.POST, "/labels", json: ["name": "prod", "scope": "g"]).status == 403)
            let prod = try #require(id(try await admin.api(.POST, "/labels", json: ["name": "prod", "color": "#00AA00", "scope": "g"])))
            #expect(try await admin.api(.POST, "/labels", json: ["name": "prod", "scope": "g"]).status == 409)
            #expect(try await guest.api(.GET, "/labels?scope=g").jsonArray().map { $0["name"] as? String } == ["prod"])
            #expect(try await anonymous.api(.GET, "/labels?scope=g").status == 401)
            // Project labels: maintainers make them; guests list them; developers may not make them.
            #expect(try await dev.api(.POST, "/labels", json: ["name": "qa", "scope": "p", "project_id": team]).status == 403)
            let qa = try #require(id(try await keeper.api(.POST, "/labels", json: ["name": "qa", "scope": "p", "project_id": team])))
            #expect(try await admin.api(.POST, "/labels", json: ["name": "qa", "scope": "p", "project_id": other]).status == 201, "names are per project")
            let foreign = try #require(try await admin.api(.GET, "/labels?scope=p&project_id=\(other)").jsonArray().first?["id"] as? Int)
            #expect(try await guest.api(.GET, "/labels?scope=p&project_id=\(team)").jsonArray().map { $0["name"] as? String } == ["qa"])
            #expect(try await guest.api(.GET, "/labels?scope=p&project_id=\(other)").status == 403)
            #expect(try await keeper.api(.PUT, "/labels/\(qa)", json: ["description": "passed QA", "color": "#FA0"]).status == 200)
            #expect(try await keeper.api(.GET, "/labels/\(qa)").json()["description"] as? String == "passed QA")
            #expect(try await keeper.api(.PUT, "/labels/\(prod)", json: ["name": "production"]).status == 403)

            // Developers label artifacts; labels show on the artifact; a label of another project is refused.
            let labels = "/projects/team/repositories/app/artifacts/v1/labels"
            #expect(try await guest.api(.POST, labels, json: ["id": Int(prod)!]).status == 403)
            #expect(try await dev.api(.POST, labels, json: ["id": Int(prod)!]).status == 201)
            #expect(try await dev.api(.POST, labels, json: ["id": Int(qa)!]).status == 201)
            #expect(try await dev.api(.POST, labels, json: ["id": Int(qa)!]).status == 409)
            #expect(try await dev.api(.POST, labels, json: ["id": foreign]).status == 400)
            #expect(try await dev.api(.POST, labels, json: ["id": 424242]).status == 404)
            func shown() async throws -> [String] {
                let artifact = try await guest.api(.GET, "/projects/team/repositories/app/artifacts/v1?with_label=true").json()
                return (artifact["labels"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            }
            #expect(try await shown() == ["prod", "qa"])
            #expect((try await guest.api(.GET, "/projects/team/repositories/app/artifacts").jsonArray().first?["labels"] as? [[String: Any]])?.count == 2)
            #expect(try await dev.api(.DELETE, "\(labels)/\(prod)").status == 200)
            #expect(try await dev.api(.DELETE, "\(labels)/\(prod)").status == 404)
            #expect(try await shown() == ["qa"])
            // Deleting a label takes it off artifacts.
            #expect(try await dev.api(.DELETE, "/labels/\(qa)").status == 403)
            #expect(try await keeper.api(.DELETE, "/labels/\(qa)").status == 200)
            #expect(try await shown() == [])

            // Bad labels: 400 with a reason, nothing stored.
            let bad: [(String, [String: Any])] = [
                ("no name", ["scope": "g"]), ("blank name", ["name": "  ", "scope": "g"]),
                ("long name", ["name": String(repeating: "x", count: 129), "scope": "g"]),
                ("control character", ["name": "a\u{7}b", "scope": "g"]), ("bad colour", ["name": "c", "color": "red", "scope": "g"]),
                ("unknown scope", ["name": "c", "scope": "x"]), ("project label without project", ["name": "c", "scope": "p"]),
                ("long description", ["name": "c", "scope": "g", "description": String(repeating: "d", count: 1025)]),
            ]
            for (why, body) in bad {
                let answer = try await admin.api(.POST, "/labels", json: body)
                #expect(answer.status == 400 && answer.text.contains("BAD_REQUEST"), "\(why): \(answer.status) \(answer.text)")
            }
            #expect(try await admin.api(.GET, "/labels?scope=g").jsonArray().count == 1)
            #expect(try await admin.api(.GET, "/labels?scope=p").status == 400)
            #expect(try await admin.api(.GET, "/labels?scope=p&project_id=abc").status == 400)
            #expect(try await admin.api(.GET, "/labels/99999999999999999999").status == 400)
            #expect(try await admin.api(.GET, "/labels/424242").status == 404)
            #expect(try await admin.api(.POST, "/labels", json: ["name": "c", "scope": "p", "project_id": 424242]).status == 404)
            _ = server
        }
    }

    @Test("Harbor's Python client (harborapi) creates, lists, renames, attaches, detaches and deletes labels")
    func harborClient() async throws {
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            #expect(try await admin.pushImage("team/app", tag: "v1", seed: 8).status == 201)
            let run = try await ProcessRunner.run(["python3", PortalTests.scripts + "/harbor_labels.py", server.baseURL, BerthInstance.adminPassword],
                                                  timeout: 120)
            try #require(run.succeeded, "\(run.stderr.suffix(3000))")
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
            #expect((seen["global"] as? [[Any]])?.map { $0.map { "\($0)" } } == [["production", "g", "#1B5E20"]], "\(seen)")
            #expect((seen["project"] as? [[Any]])?.map { $0.map { "\($0)" } } == [["qa-passed", "p", "1"]], "\(seen)")
            #expect(seen["renamed"] as? String == "qa-approved")
            #expect(seen["on_artifact"] as? [String] == ["production", "qa-approved"])
            #expect(seen["after_removal"] as? [String] == ["qa-approved"])
            #expect(seen["after_delete"] as? [String] == [])
        }
    }

    @Test("the artifact page shows labels; developers add and remove them with CSRF-checked forms; guests only see them")
    func portal() async throws {
        try await PortalTests.withPortalClient { client in
            try await withSecuredServer { server, admin in
                let http = RegistryHTTP(base: server.baseURL, client: client)
                try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
                for (user, role) in [("dev", 2), ("guest", 3)] {
                    try await admin.apiOK(.POST, "/users", json: ["username": user, "password": PortalTests.userPassword])
                    try await admin.apiOK(.POST, "/projects/team/members", json: ["role_id": role, "member_user": ["username": user]])
                }
                let pushed = try await admin.pushImage("team/app", tag: "v1", seed: 6)
                let team = try #require(try await admin.api(.GET, "/projects/team").json()["project_id"] as? Int)
                let prod = try #require(try await admin.api(.POST, "/labels", json: ["name": "prod", "scope": "g"]).header("Location")?.split(separator: "/").last)
                let qa = try #require(try await admin.api(.POST, "/labels", json: ["name": "qa", "scope": "p", "project_id": team]).header("Location")?
                    .split(separator: "/").last)
                let dev = try await PortalTests.session(http, "dev", PortalTests.userPassword)
                let guest = try await PortalTests.session(http, "guest", PortalTests.userPassword)
                let page = "/harbor/projects/team/repositories/app/artifacts-tab/artifacts/\(pushed.digest)"
                let empty = try await http.request(.GET, page, headers: [dev.cookie])
                #expect(empty.text.contains(#"id="no-labels""#) && empty.text.contains(#"id="add-label""#) && empty.text.contains("prod (global)"))
                #expect(!(try await http.request(.GET, page, headers: [guest.cookie]).text.contains(#"id="add-label""#)))
                #expect(try await PortalTests.post(http, page + "/labels", "label_id=\(prod)", as: guest).status == 403)
                #expect(try await PortalTests.post(http, page + "/labels", "label_id=\(prod)", as: dev, token: false).status == 403)
                #expect(try await PortalTests.post(http, page + "/labels", "label_id=oops", as: dev).status == 400)
                #expect(try await PortalTests.post(http, page + "/labels", "label_id=\(prod)", as: dev).status == 303)
                #expect(try await PortalTests.post(http, page + "/labels", "label_id=\(qa)", as: dev).status == 303)
                let labelled = try await http.request(.GET, page, headers: [guest.cookie])
                #expect(labelled.text.contains(#"id="label-\#(prod)""#) && labelled.text.contains(#"id="label-\#(qa)""#))
                #expect(!labelled.text.contains(#"id="remove-label-"#), "guests are offered no remove form")
                #expect(try await PortalTests.post(http, page + "/labels/\(prod)/delete", "", as: dev).status == 303)
                let after = try await http.request(.GET, page, headers: [dev.cookie])
                #expect(!after.text.contains(#"id="label-\#(prod)""#) && after.text.contains(#"id="remove-label-\#(qa)""#))
                #expect(try await PortalTests.post(http, page + "/labels/\(prod)/delete", "", as: dev).status == 404)
            }
        }
    }

    @Test("Administration → Labels and a project's Labels tab: administrators and maintainers add and delete labels (refusals in words), members see them, others are kept out")
    func labelPages() async throws {
        try await PortalTests.withPortalClient { client in
            try await withSecuredServer { server, admin in
                let http = RegistryHTTP(base: server.baseURL, client: client)
                try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
                for (user, role) in [("keeper", 4), ("guest", 3)] {
                    try await admin.apiOK(.POST, "/users", json: ["username": user, "password": PortalTests.userPassword])
                    try await admin.apiOK(.POST, "/projects/team/members", json: ["role_id": role, "member_user": ["username": user]])
                }
                let root = try await PortalTests.session(http, "admin", BerthInstance.adminPassword)
                let keeper = try await PortalTests.session(http, "keeper", PortalTests.userPassword)
                let guest = try await PortalTests.session(http, "guest", PortalTests.userPassword)
                #expect(try await http.request(.GET, "/harbor/labels", headers: [keeper.cookie]).status == 403)
                #expect(try await PortalTests.post(http, "/harbor/labels", "name=prod", as: keeper).status == 403)
                #expect(try await PortalTests.post(http, "/harbor/labels", "name=prod&color=%2300AA00", as: root).status == 303)
                let badColour = try await PortalTests.post(http, "/harbor/labels", "name=beta&color=green", as: root)
                #expect(badColour.status == 400 && badColour.text.contains("color must be") && badColour.text.contains(#"value="beta""#))
                #expect(try await PortalTests.post(http, "/harbor/labels", "name=prod", as: root).text.contains("already a label with that name"))
                let global = try await http.request(.GET, "/harbor/labels", headers: [root.cookie])
                #expect(global.status == 200 && global.text.contains(">prod<") && global.text.contains("#00AA00"))

                let tab = "/harbor/projects/team/labels"
                #expect(try await PortalTests.post(http, tab, "name=qa", as: guest).status == 403)
                #expect(try await PortalTests.post(http, tab, "name=qa", as: keeper, token: false).status == 403)
                #expect(try await PortalTests.post(http, tab, "name=qa", as: keeper).status == 303)
                let seen = try await http.request(.GET, tab, headers: [guest.cookie])
                #expect(seen.status == 200 && seen.text.contains(">qa<") && !seen.text.contains(#"id="label-form""#) && !seen.text.contains(">prod<"))
                let qa = try #require(seen.text.range(of: #"id="label-row-[0-9]+""#, options: .regularExpression)
                    .map { String(seen.text[$0].dropFirst(#"id="label-row-"#.count).dropLast()) })
                // A project page deletes only that project's labels.
                let prod = try #require(try await admin.api(.GET, "/labels?scope=g").jsonArray().first?["id"] as? Int)
                #expect(try await PortalTests.post(http, "\(tab)/\(prod)/delete", "", as: keeper).status == 404)
                #expect(try await PortalTests.post(http, "\(tab)/\(qa)/delete", "", as: guest).status == 403)
                #expect(try await PortalTests.post(http, "\(tab)/\(qa)/delete", "", as: keeper).status == 303)
                #expect(try await http.request(.GET, tab, headers: [keeper.cookie]).text.contains(#"id="empty""#))
                #expect(try await PortalTests.post(http, "/harbor/labels/\(prod)/delete", "", as: root).status == 303)
                #expect(try await admin.api(.GET, "/labels?scope=g").jsonArray().isEmpty)
            }
        }
    }
}
