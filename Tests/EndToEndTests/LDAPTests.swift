import Foundation
import OCI
import Testing

/// LDAP logins against a real slapd the test starts: users created on first login, an admin group, an LDAP group
/// as a project member, the LDAP search endpoints, and TLS (ldaps and StartTLS) with a CA file.
@Suite("LDAP")
struct LDAPTests {
    static func environment(_ ldap: TestLDAPServer, url: String? = nil, extra: [String: String] = [:]) -> [String: String] {
        var env = [
            "BERTH_LDAP_URL": url ?? ldap.url,
            "BERTH_LDAP_BASE_DN": "ou=people,\(TestLDAPServer.base)",
            "BERTH_LDAP_SEARCH_DN": TestLDAPServer.adminDN,
            "BERTH_LDAP_SEARCH_PASSWORD": TestLDAPServer.adminPassword,
            "BERTH_LDAP_FILTER": "(objectClass=inetOrgPerson)",
            "BERTH_LDAP_UID_ATTRIBUTE": "uid",
            "BERTH_LDAP_GROUP_BASE_DN": "ou=groups,\(TestLDAPServer.base)",
            "BERTH_LDAP_GROUP_FILTER": "(objectClass=groupOfNames)",
            "BERTH_LDAP_GROUP_ADMIN_DN": "cn=admins,ou=groups,\(TestLDAPServer.base)",
            "BERTH_LDAP_GROUP_MEMBERSHIP_ATTRIBUTE": "memberOf",
        ]
        for (k, v) in extra { env[k] = v }
        return env
    }

    @Test("LDAP users log in (created on first login), the admin group makes admins, and an LDAP group holds a project role")
    func loginsGroupsAndRoles() async throws {
        let ldap = try await TestLDAPServer.start()
        defer { Task { await ldap.stop() } }
        let work = try TemporaryDirectory("ldap-skopeo")
        defer { work.remove() }
        try await withSecuredServer(environment: Self.environment(ldap)) { server, admin in
            #expect(try await admin.api(.GET, "/systeminfo").json()["auth_mode"] as? String == "ldap_auth")
            let alice = AccessClient(http: admin.http, account: .basic("alice", "alice123"))
            let bob = AccessClient(http: admin.http, account: .basic("bob", "bob123"))
            let carol = AccessClient(http: admin.http, account: .basic("carol", "carol123"))

            let aliceProfile = try await alice.api(.GET, "/users/current").json()
            #expect(aliceProfile["username"] as? String == "alice")
            #expect(aliceProfile["email"] as? String == "alice@example.org")
            #expect(aliceProfile["admin_role_in_auth"] as? Bool == true)
            #expect(try await alice.api(.GET, "/users").status == 200, "the admin group grants system administration")
            #expect(try await bob.api(.GET, "/users").status == 403)
            #expect(try await AccessClient(http: admin.http, account: .basic("bob", "wrong")).api(.GET, "/users/current").status == 401)
            #expect(try await AccessClient(http: admin.http, account: .basic("nobody", "nobody123")).api(.GET, "/users/current").status == 401)
            #expect(try await AccessClient(http: admin.http, account: .basic("*", "bob123")).api(.GET, "/users/current").status == 401)
            #expect(try await AccessClient(http: admin.http, account: .basic("bob", "")).api(.GET, "/users/current").status != 200)
            let users = try await admin.api(.GET, "/users?q=username%3D~o").jsonArray().compactMap { $0["username"] as? String }
            #expect(users.contains("bob"))

            // The developers group becomes a developer of a private project; bob pushes with skopeo, carol cannot.
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "dev"])
            try await admin.apiOK(.POST, "/projects/dev/members", json: [
                "role_id": 2, "member_group": ["ldap_group_dn": "cn=developers,ou=groups,\(TestLDAPServer.base)", "group_type": 1],
            ])
            // A DN the directory does not have cannot become a group.
            let invented = try await admin.api(.POST, "/projects/dev/members", json: [
                "role_id": 1, "member_group": ["ldap_group_dn": "cn=invented,ou=groups,\(TestLDAPServer.base)", "group_type": 1],
            ])
            #expect(invented.status == 400, "\(invented.text)")
            #expect(try await admin.api(.POST, "/usergroups", json: ["ldap_group_dn": "cn=invented,ou=groups,\(TestLDAPServer.base)"]).status == 400)
            let members = try await admin.api(.GET, "/projects/dev/members").jsonArray()
            #expect(members.contains { $0["entity_type"] as? String == "g" && $0["entity_name"] as? String == "developers" && $0["role_name"] as? String == "developer" })
            _ = try OCILayoutWriter.write(to: work.file("in"), tag: "v1", layerSizes: [20_000])
            let push = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "bob:bob123",
                                                    "oci:\(work.file("in")):v1", "docker://\(server.hostPort)/dev/app:v1"])
            #expect(push.succeeded, "\(push.stderr)")
            let carolPull = try await ProcessRunner.run(["skopeo", "inspect", "--tls-verify=false", "--creds", "carol:carol123", "--raw",
                                                         "docker://\(server.hostPort)/dev/app:v1"])
            #expect(!carolPull.succeeded)
            #expect(try await carol.api(.GET, "/projects/dev").status == 403)
            #expect(try await bob.api(.GET, "/projects/dev").json()["name"] as? String == "dev")
            // Bob's token-based catalog also sees the project through his group.
            let catalog = try await bob.registry(.GET, "/v2/_catalog").json()["repositories"] as? [String]
            #expect(catalog == ["dev/app"])
            // Alice is a system administrator through the directory's admin group, with a token as with Basic.
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "ops"])
            _ = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:\(BerthInstance.adminPassword)",
                                             "oci:\(work.file("in")):v1", "docker://\(server.hostPort)/ops/tool:v1"])
            let aliceCatalog = try await alice.registry(.GET, "/v2/_catalog").json()["repositories"] as? [String]
            #expect(aliceCatalog == ["dev/app", "ops/tool"])

            // Search endpoints, for administrators only.
            let found = try await admin.api(.GET, "/ldap/users/search?username=car").jsonArray()
            #expect(found.map { $0["username"] as? String } == ["carol"])
            let groups = try await admin.api(.GET, "/ldap/groups/search?groupname=adm").jsonArray()
            #expect(groups.first?["ldap_group_dn"] as? String == "cn=admins,ou=groups,\(TestLDAPServer.base)")
            #expect(try await admin.api(.POST, "/ldap/ping").json()["success"] as? Bool == true)
            let badPing = try await admin.api(.POST, "/ldap/ping", json: ["ldap_search_password": "wrong"]).json()
            #expect(badPing["success"] as? Bool == false)
            #expect(!(badPing["message"] as? String ?? "").contains("wrong"))
            #expect(try await bob.api(.GET, "/ldap/users/search?username=a").status == 403)

            // The portal's configuration page shows the directory settings in force (never the search password) and
            // tests the connection; only administrators get it.
            try await PortalTests.withPortalClient { client in
                let portal = RegistryHTTP(base: server.baseURL, client: client)
                let root = try await PortalTests.session(portal, "admin", BerthInstance.adminPassword)
                let page = try await portal.request(.GET, "/harbor/configs", headers: [root.cookie])
                #expect(page.status == 200 && page.text.contains("LDAP (and local users)") && page.text.contains(ldap.url))
                #expect(page.text.contains("<dt>Search password</dt><dd>set (not shown)</dd>") && page.text.contains("ou=groups,\(TestLDAPServer.base)"))
                let tested = try await PortalTests.post(portal, "/harbor/configs/ldap-test", "", as: root)
                #expect(tested.status == 200 && tested.text.contains("Connected and bound to the directory."), "\(tested.text)")
                let bobPortal = try await PortalTests.session(portal, "bob", "bob123")
                #expect(try await PortalTests.post(portal, "/harbor/configs/ldap-test", "", as: bobPortal).status == 403)
                #expect(try await portal.request(.GET, "/harbor/configs", headers: [bobPortal.cookie]).status == 403)
                try await checkPortalGroups(portal, admin, root: root, bob: bobPortal)
            }

            // A directory login is remembered for a minute: with slapd gone, bob's recent credentials still work
            // (his group's project role too), while credentials not verified recently cannot be checked (503). The
            // minute counts from the directory's last verdict (a remembered login does not extend itself), so bob's
            // password changes in the directory and he logs in with the new one just before slapd stops: the minute
            // starts now however long the steps above took.
            try await ldap.setPassword(uid: "bob", to: "bob456")
            let bobAgain = AccessClient(http: admin.http, account: .basic("bob", "bob456"))
            #expect(try await bobAgain.api(.GET, "/users/current").status == 200)
            await ldap.stop()
            #expect(try await bobAgain.api(.GET, "/projects/dev").json()["name"] as? String == "dev")
            #expect(try await bobAgain.registry(.GET, "/v2/dev/app/tags/list").json()["tags"] as? [String] == ["v1"])
            #expect(try await AccessClient(http: admin.http, account: .basic("bob", "bob-wrong")).api(.GET, "/users/current").status == 503)
            try await PortalTests.withPortalClient { client in
                let portal = RegistryHTTP(base: server.baseURL, client: client)
                let root = try await PortalTests.session(portal, "admin", BerthInstance.adminPassword)
                let tested = try await PortalTests.post(portal, "/harbor/configs/ldap-test", "", as: root)
                #expect(tested.status == 200 && tested.text.contains(#"class="problem" role="status" id="ldap-test-result""#), "\(tested.text)")
            }
        }
    }

    /// The portal's groups page and group members: administrators add a directory group by DN and rename it; project
    /// admins add a group as a member by its name or DN; DNs the directory lacks and unknown names are refused.
    func checkPortalGroups(_ portal: RegistryHTTP, _ admin: AccessClient, root: PortalAdministrationTests.Session,
                           bob: PortalAdministrationTests.Session) async throws {
        let base = TestLDAPServer.base
        #expect(try await portal.request(.GET, "/harbor/groups", headers: [bob.cookie]).status == 403)
        #expect(try await PortalTests.post(portal, "/harbor/groups", "ldap_group_dn=\(PortalTests.encoded("cn=admins,ou=groups,\(base)"))", as: bob).status == 403)
        let invented = try await PortalTests.post(portal, "/harbor/groups", "ldap_group_dn=\(PortalTests.encoded("cn=invented,ou=groups,\(base)"))", as: root)
        #expect(invented.status == 400 && invented.text.contains(#"id="new-group" open"#), "\(invented.status)")
        let added = try await PortalTests.post(portal, "/harbor/groups", "ldap_group_dn=\(PortalTests.encoded("cn=admins,ou=groups,\(base)"))", as: root)
        #expect(added.status == 303 && added.header("Location") == "/harbor/groups?name=admins", "\(added.status) \(added.text)")
        let list = try await portal.request(.GET, "/harbor/groups", headers: [root.cookie])
        #expect(list.text.contains("<td>admins</td>") && list.text.contains("<td>developers</td>") && list.text.contains("cn=admins,ou=groups,\(base)"))
        let groups = try await admin.api(.GET, "/usergroups").jsonArray()
        let adminsID = try #require(groups.first { $0["group_name"] as? String == "admins" }?["id"] as? Int)
        #expect(try await PortalTests.post(portal, "/harbor/groups/\(adminsID)/name", "group_name=ops-admins", as: root, token: false).status == 403)
        #expect(try await PortalTests.post(portal, "/harbor/groups/\(adminsID)/name", "group_name=ops-admins", as: root).status == 303)
        #expect(try await admin.api(.GET, "/usergroups/\(adminsID)").json()["group_name"] as? String == "ops-admins")

        // Group members from the members tab: by the name of a known group, and by DN.
        let members = try await portal.request(.GET, "/harbor/projects/ops/members", headers: [root.cookie])
        #expect(members.text.contains(#"id="new-group-member""#))
        let byName = try await PortalTests.post(portal, "/harbor/projects/ops/members", "member_type=group&group=ops-admins&role_id=4", as: root)
        #expect(byName.status == 303, "\(byName.status) \(byName.text)")
        let byDN = try await PortalTests.post(portal, "/harbor/projects/ops/members",
                                              "member_type=group&group=\(PortalTests.encoded("cn=developers,ou=groups,\(base)"))&role_id=3", as: root)
        #expect(byDN.status == 303, "\(byDN.status) \(byDN.text)")
        let unknown = try await PortalTests.post(portal, "/harbor/projects/ops/members", "member_type=group&group=no-such-group&role_id=3", as: root)
        #expect(unknown.status == 404 && unknown.text.contains("There is no group no-such-group") && unknown.text.contains(#"value="no-such-group""#))
        #expect(try await PortalTests.post(portal, "/harbor/projects/ops/members", "member_type=group&group=ops-admins&role_id=3", as: root).status == 409)
        let shown = try await portal.request(.GET, "/harbor/projects/ops/members", headers: [root.cookie])
        #expect(shown.text.contains("<td>ops-admins</td><td>Group</td><td>Maintainer</td>") && shown.text.contains("<td>developers</td><td>Group</td><td>Guest</td>"),
                "\(shown.text)")
        // Bob is in the developers group: he now reads the ops project as a guest.
        let bobProject = try await portal.request(.GET, "/harbor/projects/ops/repositories", headers: [bob.cookie])
        #expect(bobProject.status == 200 && bobProject.text.contains("tool"))
        // Deleting the group removes its memberships.
        #expect(try await PortalTests.post(portal, "/harbor/groups/\(adminsID)/delete", "", as: root).status == 303)
        let after = try await admin.api(.GET, "/projects/ops/members").jsonArray()
        #expect(!after.contains { $0["entity_name"] as? String == "ops-admins" })
    }

    @Test("ldaps:// and StartTLS with the directory's CA; an untrusted certificate is refused")
    func tls() async throws {
        let ldap = try await TestLDAPServer.start(tls: true)
        defer { Task { await ldap.stop() } }
        let ldapsURL = try #require(ldap.tlsURL)
        try await withSecuredServer(environment: Self.environment(ldap, url: ldapsURL, extra: ["BERTH_LDAP_CA_FILE": ldap.caFile])) { _, admin in
            let status = try await AccessClient(http: admin.http, account: .basic("bob", "bob123")).api(.GET, "/users/current").status
            #expect(status == 200)
        }
        try await withSecuredServer(environment: Self.environment(ldap, extra: ["BERTH_LDAP_START_TLS": "true", "BERTH_LDAP_CA_FILE": ldap.caFile])) { _, admin in
            let status = try await AccessClient(http: admin.http, account: .basic("alice", "alice123")).api(.GET, "/users/current").status
            #expect(status == 200)
        }
        try await withSecuredServer(environment: Self.environment(ldap, extra: ["BERTH_LDAP_START_TLS": "true"])) { _, admin in
            let status = try await AccessClient(http: admin.http, account: .basic("alice", "alice123")).api(.GET, "/users/current").status
            #expect(status == 503, "StartTLS really negotiates TLS: without the CA the certificate is refused")
        }
        try await withSecuredServer(environment: Self.environment(ldap, url: ldapsURL)) { _, admin in
            let refused = try await AccessClient(http: admin.http, account: .basic("bob", "bob123")).api(.GET, "/users/current")
            #expect(refused.status == 503, "the system trust store does not know the test CA")
            #expect(try await admin.api(.GET, "/users/current").status == 200, "local users still log in")
        }
    }
}
