import AsyncHTTPClient
import Foundation
import OCI
import Testing

/// The portal's project configuration tab, the profile form, the About page and the groups page without a directory,
/// against the real binary with raw HTTP: only project admins change a project's publicity or delete it (and only when
/// it is empty), users edit their own profile with checked input, and every form checks its CSRF token.
@Suite("Portal settings")
struct PortalProjectSettingsTests {
    typealias Session = PortalAdministrationTests.Session

    @Test("project admins make a project public or private and delete it once empty; users edit their profile; About shows the system facts")
    func settings() async throws {
        try await PortalTests.withPortalClient { client in
            try await withSecuredServer { server, admin in
                let http = RegistryHTTP(base: server.baseURL, client: client)
                try await admin.apiOK(.POST, "/projects", json: ["project_name": "settings"])
                for (user, role) in [("owner1", 1), ("guest1", 3)] {
                    try await admin.apiOK(.POST, "/users", json: ["username": user, "password": PortalTests.userPassword, "email": "\(user)@example.org"])
                    try await admin.apiOK(.POST, "/projects/settings/members", json: ["role_id": role, "member_user": ["username": user]])
                }
                let owner = try await PortalTests.session(http, "owner1", PortalTests.userPassword)
                let guest = try await PortalTests.session(http, "guest1", PortalTests.userPassword)
                try await checkRobotEditing(http, admin, owner: owner, guest: guest)
                try await checkConfiguration(http, admin, owner: owner, guest: guest)
                try await checkProfile(http, admin, guest: guest, owner: owner)
                try await checkAbout(http, guest: guest)
                let root = try await PortalTests.session(http, "admin", BerthInstance.adminPassword)
                let groups = try await http.request(.GET, "/harbor/groups", headers: [root.cookie])
                #expect(groups.status == 200 && groups.text.contains(#"id="groups-need-ldap""#) && !groups.text.contains(#"id="new-group""#))
                #expect(try await http.request(.GET, "/harbor/groups", headers: [guest.cookie]).status == 403)
                let members = try await http.request(.GET, "/harbor/projects/library/members", headers: [root.cookie])
                #expect(members.text.contains(#"id="new-member""#) && !members.text.contains(#"id="new-group-member""#))
            }
        }
    }

    func isPublic(_ admin: AccessClient) async throws -> Bool {
        try await admin.api(.GET, "/projects/settings").json()["metadata"].flatMap { ($0 as? [String: Any])?["public"] as? String } == "true"
    }

    func checkConfiguration(_ http: RegistryHTTP, _ admin: AccessClient, owner: Session, guest: Session) async throws {
        let path = "/harbor/projects/settings/configs"
        // A guest reads the setting in words; the project admin gets the form and the delete section.
        let read = try await http.request(.GET, path, headers: [guest.cookie])
        #expect(read.status == 200 && read.text.contains(#"id="config-access">Private"#) && !read.text.contains(#"id="config-public""#))
        #expect(!read.text.contains(#"id="delete-project""#) && read.text.contains(">Configuration</a>"))
        let form = try await http.request(.GET, path, headers: [owner.cookie])
        #expect(form.status == 200 && form.text.contains(#"id="config-public""#) && form.text.contains(#"id="delete-project-button""#))
        #expect(try await http.request(.GET, path).status == 303, "anonymous visitors of a private project are sent to sign in")

        // Only the project admin, with the token, changes it.
        #expect(try await PortalTests.post(http, path, "public=true", as: guest).status == 403)
        #expect(try await PortalTests.post(http, path, "public=true", as: owner, token: false).status == 403)
        #expect(try await isPublic(admin) == false)
        let saved = try await PortalTests.post(http, path, "public=true", as: owner)
        #expect(saved.status == 303 && saved.header("Location") == "\(path)?saved=1")
        #expect(try await isPublic(admin))
        let shown = try await http.request(.GET, "\(path)?saved=1", headers: [owner.cookie])
        #expect(shown.text.contains(#"id="saved""#) && shown.text.contains(#"id="config-public" checked"#))
        // Public now: anonymous visitors read it; unchecking makes it private again.
        #expect(try await http.request(.GET, path).status == 200)
        #expect(try await PortalTests.post(http, path, "", as: owner).status == 303)
        #expect(try await isPublic(admin) == false)

        // Deleting: refused while it holds a repository, then allowed.
        #expect(try await admin.pushImage("settings/app", tag: "v1", seed: 31).status == 201)
        let full = try await http.request(.GET, path, headers: [owner.cookie])
        #expect(full.text.contains(#"id="not-deletable""#) && !full.text.contains(#"id="delete-project-button""#))
        let refused = try await PortalTests.post(http, "/harbor/projects/settings/delete", "", as: owner)
        #expect(refused.status == 412 && refused.text.contains("still holds repositories"))
        #expect(try await PortalTests.post(http, "/harbor/projects/settings/delete", "", as: guest).status == 403)
        #expect(try await admin.api(.DELETE, "/projects/settings/repositories/app").status == 200)
        #expect(try await PortalTests.post(http, "/harbor/projects/settings/delete", "", as: owner, token: false).status == 403)
        let deleted = try await PortalTests.post(http, "/harbor/projects/settings/delete", "", as: owner)
        #expect(deleted.status == 303 && deleted.header("Location") == "/harbor/projects")
        #expect(try await admin.api(.GET, "/projects/settings").status == 404)
    }

    func checkRobotEditing(_ http: RegistryHTTP, _ admin: AccessClient, owner: Session, guest: Session) async throws {
        let robots = "/harbor/projects/settings/robot-account"
        let created = try await PortalTests.post(http, robots, "name=ci&description=first&duration=30&access=repository%3Apull", as: owner)
        #expect(created.status == 201)
        let robot = try #require(try await admin.api(.GET, "/robots?q=Level%3Dproject").jsonArray().first { $0["name"] as? String == "robot$settings+ci" })
        let id = try #require(robot["id"] as? Int)
        let page = try await http.request(.GET, robots, headers: [owner.cookie])
        #expect(page.text.contains("id=\"save-robot-\(id)\"") && page.text.contains(#"value="repository:pull" checked"#))
        let change = "description=\(PortalTests.encoded("<i>pushes</i> now"))&access=repository%3Apull&access=repository%3Apush&access=tag%3Adelete"
        #expect(try await PortalTests.post(http, "\(robots)/\(id)/permissions", change, as: guest).status == 403)
        #expect(try await PortalTests.post(http, "\(robots)/\(id)/permissions", change, as: owner, token: false).status == 403)
        #expect(try await PortalTests.post(http, "\(robots)/\(id)/permissions", "description=x", as: owner).status == 400)
        #expect(try await PortalTests.post(http, "\(robots)/\(id)/permissions", "description=x&access=nothing%3Aever", as: owner).status == 400)
        // A project admin of another project cannot reach it through their own project's page.
        #expect(try await PortalTests.post(http, "/harbor/projects/library/robot-account/\(id)/permissions", change, as: owner).status == 403)
        #expect(try await PortalTests.post(http, "\(robots)/\(id)/permissions", change, as: owner).status == 303)
        let updated = try await admin.api(.GET, "/robots/\(id)").json()
        let access = ((updated["permissions"] as? [[String: Any]])?.first?["access"] as? [[String: Any]] ?? []).compactMap { "\($0["resource"] ?? ""):\($0["action"] ?? "")" }
        #expect(Set(access) == ["repository:pull", "repository:push", "tag:delete"], "\(access)")
        #expect(updated["description"] as? String == "<i>pushes</i> now")
        let shown = try await http.request(.GET, robots, headers: [owner.cookie])
        #expect(shown.text.contains("&lt;i&gt;pushes&lt;/i&gt; now") && shown.text.contains(#"value="tag:delete" checked"#))
    }

    func checkProfile(_ http: RegistryHTTP, _ admin: AccessClient, guest: Session, owner: Session) async throws {
        func profile(_ name: String) async throws -> [String: Any] {
            try await admin.api(.GET, "/users?q=username%3D\(name)").jsonArray().first ?? [:]
        }
        let page = try await http.request(.GET, "/harbor/account", headers: [guest.cookie])
        #expect(page.text.contains(#"id="profile-email" name="email" type="email" maxlength="255" value="guest1@example.org""#))
        let markup = PortalTests.encoded("<b>Gus</b> Guest")
        #expect(try await PortalTests.post(http, "/harbor/account/profile", "email=gus%40example.org&realname=\(markup)", as: guest, token: false).status == 403)
        let saved = try await PortalTests.post(http, "/harbor/account/profile", "email=gus%40example.org&realname=\(markup)", as: guest)
        #expect(saved.status == 303 && saved.header("Location") == "/harbor/account?saved=profile")
        #expect(try await profile("guest1")["email"] as? String == "gus@example.org")
        #expect(try await profile("guest1")["realname"] as? String == "<b>Gus</b> Guest")
        let shown = try await http.request(.GET, "/harbor/account?saved=profile", headers: [guest.cookie])
        #expect(shown.text.contains(#"id="profile-saved""#) && shown.text.contains("&lt;b&gt;Gus&lt;/b&gt; Guest") && !shown.text.contains("<b>Gus</b>"))
        // Bad input: an address that is none, one another user has, a full name over 255 characters or with a line break.
        let bad = try await PortalTests.post(http, "/harbor/account/profile", "email=not-an-address&realname=x", as: guest)
        #expect(bad.status == 400 && bad.text.contains(#"id="profile-problem""#) && bad.text.contains(#"value="not-an-address""#))
        let taken = try await PortalTests.post(http, "/harbor/account/profile", "email=owner1%40example.org&realname=x", as: guest)
        #expect(taken.status == 409 && taken.text.contains("Another user has that e-mail address."))
        #expect(try await PortalTests.post(http, "/harbor/account/profile", "email=&realname=\(String(repeating: "a", count: 256))", as: guest).status == 400)
        #expect(try await PortalTests.post(http, "/harbor/account/profile", "email=&realname=a%0Ab", as: guest).status == 400)
        #expect(try await profile("guest1")["email"] as? String == "gus@example.org")
        // The API refuses the same oversized name.
        let guestID = try #require(try await profile("guest1")["user_id"] as? Int)
        #expect(try await admin.api(.PUT, "/users/\(guestID)", json: ["realname": String(repeating: "a", count: 300)]).status == 400)
        // An empty address removes it.
        #expect(try await PortalTests.post(http, "/harbor/account/profile", "email=&realname=Gus", as: guest).status == 303)
        let cleared = try await profile("guest1")["email"] as? String
        #expect(cleared == nil || cleared == "")
        #expect(try await PortalTests.post(http, "/harbor/account/profile", "email=x%40example.org&realname=x", as: nil, token: false).status != 303)
    }

    func checkAbout(_ http: RegistryHTTP, guest: Session) async throws {
        let anonymous = try await http.request(.GET, "/harbor/about")
        #expect(anonymous.status == 200 && anonymous.text.contains("<dt>Version</dt>") && anonymous.text.contains("Local users"))
        #expect(!anonymous.text.contains("<dt>Storage</dt>"), "anonymous visitors get only what /systeminfo gives them")
        let signedIn = try await http.request(.GET, "/harbor/about", headers: [guest.cookie])
        #expect(signedIn.text.contains("<dt>Storage</dt><dd>filesystem</dd>") && signedIn.text.contains("<dt>Registry address</dt>"))
        #expect(signedIn.text.contains(#"id="about-link""#) && !signedIn.text.contains(#"id="about-ca""#))
    }
}
