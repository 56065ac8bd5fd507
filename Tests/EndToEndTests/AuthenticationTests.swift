import Crypto
import Foundation
import NIOHTTP1
import OCI
import Testing

/// The token service, Basic authentication on `/v2`, public projects, the filtered catalog, system-level
/// permissions, login throttling and the first admin.
@Suite("Authentication and tokens")
struct AuthenticationTests {
    @Test("/v2 challenges with the token realm; anonymous tokens only reach public projects; Basic works directly on /v2")
    func challengeAndPublicProjects() async throws {
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "pub", "public": true])
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "priv"])
            #expect(try await admin.pushImage("pub/app", tag: "v1", seed: 1).status == 201)
            #expect(try await admin.pushImage("priv/app", tag: "v1", seed: 2).status == 201)

            let base = try await admin.http.request(.GET, "/v2/")
            #expect(base.status == 401)
            let challenge = try #require(base.header("WWW-Authenticate"))
            #expect(challenge.hasPrefix("Bearer realm=\"http://\(server.hostPort)/service/token\""))
            #expect(challenge.contains("service=\"berth-registry\""))

            let push = try await admin.http.request(.POST, "/v2/pub/app/blobs/uploads/")
            #expect(AccessClient.challengeParameter("scope", in: push.header("WWW-Authenticate") ?? "") == "repository:pub/app:pull,push")

            let anonymous = AccessClient(http: admin.http, account: .anonymous)
            #expect(try await anonymous.registry(.GET, "/v2/pub/app/manifests/v1", headers: [("Accept", MediaType.ociManifest)]).status == 200)
            #expect(try await anonymous.registry(.GET, "/v2/priv/app/manifests/v1", headers: [("Accept", MediaType.ociManifest)]).status == 401)
            #expect(try await anonymous.pushImage("pub/app", tag: "anon", seed: 3).status == 401)
            let anonToken = try await anonymous.token(scope: "repository:pub/app:pull,push")
            #expect(anonToken.status == 200)
            #expect(anonToken.access.first?["actions"] as? [String] == ["pull"])

            // Basic credentials straight on /v2, as Harbor accepts them.
            let basic = try await admin.http.request(.GET, "/v2/priv/app/tags/list", headers: admin.account.authorization)
            #expect(basic.status == 200)
            let wrong = try await admin.http.request(.GET, "/v2/priv/app/tags/list", headers: Account.basic("admin", "nope").authorization)
            #expect(wrong.status == 401 && wrong.errorCode == "UNAUTHORIZED")

            // Anonymous and non-members may read a public project but not its members or logs.
            try await admin.apiOK(.POST, "/users", json: ["username": "carol", "password": "Carol-12345"])
            let carol = AccessClient(http: admin.http, account: .basic("carol", "Carol-12345"))
            for client in [anonymous, carol] {
                #expect(try await client.api(.GET, "/projects/pub").status == 200)
                #expect(try await client.api(.GET, "/projects/pub/repositories").status == 200)
                #expect(try await client.api(.GET, "/projects/pub/members").status != 200)
                #expect(try await client.api(.GET, "/projects/pub/logs").status != 200)
                #expect(try await client.api(.GET, "/projects/priv").status != 200)
            }
            #expect(try await carol.pushImage("pub/app", tag: "carol", seed: 4).status == 403)
            let projects = try await anonymous.api(.GET, "/projects").jsonArray().compactMap { $0["name"] as? String }
            #expect(Set(projects) == ["library", "pub"])
        }
    }

    @Test("the catalog shows only repositories the caller may see")
    func filteredCatalog() async throws {
        try await withSecuredServer { _, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "pub", "public": true])
            for project in ["alpha", "beta"] { try await admin.apiOK(.POST, "/projects", json: ["project_name": project]) }
            for (index, repo) in ["pub/one", "alpha/one", "alpha/two", "beta/one"].enumerated() {
                #expect(try await admin.pushImage(repo, tag: "v1", seed: UInt64(10 + index)).status == 201)
            }
            try await admin.apiOK(.POST, "/users", json: ["username": "dana", "password": "Dana-12345"])
            try await admin.apiOK(.POST, "/projects/alpha/members", json: ["role_id": 5, "member_user": ["username": "dana"]])

            func catalog(_ client: AccessClient) async throws -> [String] {
                let result = try await client.registry(.GET, "/v2/_catalog")
                return try result.json()["repositories"] as? [String] ?? []
            }
            #expect(try await catalog(admin) == ["alpha/one", "alpha/two", "beta/one", "pub/one"])
            #expect(try await catalog(AccessClient(http: admin.http, account: .basic("dana", "Dana-12345"))) == ["alpha/one", "alpha/two", "pub/one"])
            #expect(try await catalog(AccessClient(http: admin.http, account: .anonymous)) == ["pub/one"])
            let paged = try await admin.registry(.GET, "/v2/_catalog?n=2")
            #expect(paged.header("Link")?.removingPercentEncoding?.contains("last=alpha/two") == true)
        }
    }

    @Test("tokens with a wrong signature, another audience, a forged payload or too little scope are refused")
    func tokenRefusals() async throws {
        let shared = try TemporaryDirectory("berth-shared")
        defer { shared.remove() }
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            #expect(try await admin.pushImage("team/app", tag: "v1", seed: 5).status == 201)
            try await admin.apiOK(.POST, "/users", json: ["username": "gus", "password": "Guest-12345"])
            try await admin.apiOK(.POST, "/projects/team/members", json: ["role_id": 3, "member_user": ["username": "gus"]])
            let guest = AccessClient(http: admin.http, account: .basic("gus", "Guest-12345"))

            // Scope escalation: a guest asking for push gets pull only, and the token cannot push.
            let granted = try await guest.token(scope: "repository:team/app:pull,push,delete")
            #expect(granted.access.count == 1 && granted.access[0]["actions"] as? [String] == ["pull"])
            let token = try #require(granted.token)
            let upload = try await admin.http.request(.POST, "/v2/team/app/blobs/uploads/", headers: [("Authorization", "Bearer \(token)")])
            #expect(upload.status == 403 && upload.errorCode == "DENIED")
            let pull = try await admin.http.request(.GET, "/v2/team/app/manifests/v1", headers: [("Authorization", "Bearer \(token)"), ("Accept", MediaType.ociManifest)])
            #expect(pull.status == 200)
            // A token for one repository does not open another.
            let other = try await admin.http.request(.GET, "/v2/library/none/tags/list", headers: [("Authorization", "Bearer \(token)")])
            #expect(other.status == 401 || other.status == 403)

            // Forged payload: the admin's push grant with the guest's signature.
            let adminToken = try #require(try await admin.token(scope: "repository:team/app:pull,push").token)
            let parts = token.split(separator: ".")
            let forged = [parts[0], adminToken.split(separator: ".")[1], parts[2]].joined(separator: ".")
            let forgedUpload = try await admin.http.request(.POST, "/v2/team/app/blobs/uploads/", headers: [("Authorization", "Bearer \(forged)")])
            #expect(forgedUpload.status == 401)
            #expect(forgedUpload.header("WWW-Authenticate")?.contains("error=\"invalid_token\"") == true)

            // Another server's key (its own data directory): refused.
            let stranger = try await BerthInstance.start(dataDirectory: shared.file("other"), authentication: true)
            let strangerAdmin = AccessClient(http: RegistryHTTP(base: stranger.baseURL), account: .basic("admin", BerthInstance.adminPassword))
            let foreign = try #require(try await strangerAdmin.token(scope: "repository:team/app:pull,push").token)
            await stranger.destroy()
            let foreignPull = try await admin.http.request(.GET, "/v2/team/app/tags/list", headers: [("Authorization", "Bearer \(foreign)")])
            #expect(foreignPull.status == 401)

            // Same key (same data directory) but another service name: the audience does not match.
            let sibling = try await BerthInstance.start(dataDirectory: server.dataDirectory, authentication: true,
                                                        environment: ["BERTH_AUTH_TOKEN_SERVICE": "other-registry"])
            let siblingAdmin = AccessClient(http: RegistryHTTP(base: sibling.baseURL), account: .basic("admin", BerthInstance.adminPassword))
            let sideways = try await siblingAdmin.token(scope: "repository:team/app:pull", service: "other-registry")
            await sibling.stop()
            let sidewaysPull = try await admin.http.request(.GET, "/v2/team/app/tags/list", headers: [("Authorization", "Bearer \(try #require(sideways.token))")])
            #expect(sidewaysPull.status == 401)

            // Expired: a token signed with the server's own key (read from its database), right kid, issuer and
            // audience, expired two minutes ago. The same token with a future expiry is accepted, so only the expiry differs.
            let pem = try await ProcessRunner.run(["python3", "-c", """
                import sqlite3, sys
                print(sqlite3.connect(sys.argv[1]).execute("SELECT value FROM settings WHERE name = 'token_signing_key_p256_pem'").fetchone()[0])
                """, server.dataDirectory + "/berth.db"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let key = try P256.Signing.PrivateKey(pemRepresentation: pem)
            let kid = try #require(AccessClient.header(of: adminToken)["kid"] as? String)
            func crafted(expiresIn seconds: Int) throws -> String {
                let now = Int(Date().timeIntervalSince1970)
                let header = try JSONSerialization.data(withJSONObject: ["alg": "ES256", "typ": "JWT", "kid": kid])
                let payload = try JSONSerialization.data(withJSONObject: [
                    "iss": "berth-token-issuer", "sub": "admin", "aud": "berth-registry", "iat": now - 600, "nbf": now - 600,
                    "exp": now + seconds, "jti": UUID().uuidString,
                    "access": [["type": "repository", "name": "team/app", "actions": ["pull"]]],
                ] as [String: Any])
                let signingInput = AccessClient.base64URL(header) + "." + AccessClient.base64URL(payload)
                let signature = try key.signature(for: Data(signingInput.utf8)).rawRepresentation
                return signingInput + "." + AccessClient.base64URL(signature)
            }
            let fresh = try await admin.http.request(.GET, "/v2/team/app/tags/list", headers: [("Authorization", "Bearer \(try crafted(expiresIn: 600))")])
            #expect(fresh.status == 200)
            let expired = try await admin.http.request(.GET, "/v2/team/app/tags/list", headers: [("Authorization", "Bearer \(try crafted(expiresIn: -120))")])
            #expect(expired.status == 401)
            #expect(expired.header("WWW-Authenticate")?.contains("invalid_token") == true)

            // Asking for another service's token is refused outright.
            #expect(try await admin.token(scope: "repository:team/app:pull", service: "someone-else").status == 400)
        }
    }

    @Test("system-level actions: only administrators manage users and read the whole audit log; any user may create a project")
    func systemLevel() async throws {
        try await withSecuredServer { _, admin in
            try await admin.apiOK(.POST, "/users", json: ["username": "erin", "password": "Erin-12345"])
            let erin = AccessClient(http: admin.http, account: .basic("erin", "Erin-12345"))
            let anonymous = AccessClient(http: admin.http, account: .anonymous)
            #expect(try await erin.api(.GET, "/users").status == 403)
            #expect(try await anonymous.api(.GET, "/users").status == 401)
            #expect(try await erin.api(.POST, "/users", json: ["username": "x", "password": "Xxxxx-12345"]).status == 403)
            // Like Harbor, a user who is not an administrator reads the log of their own projects only.
            let erinsLogs = try await erin.api(.GET, "/audit-logs")
            #expect(erinsLogs.status == 200)
            #expect(try erinsLogs.jsonArray().isEmpty)
            #expect(try await admin.api(.GET, "/audit-logs").status == 200)
            #expect(try await erin.api(.POST, "/projects", json: ["project_name": "erins"]).status == 201)
            #expect(try await anonymous.api(.POST, "/projects", json: ["project_name": "anons"]).status == 401)
            let current = try await erin.api(.GET, "/users/current").json()
            #expect(current["username"] as? String == "erin" && current["sysadmin_flag"] as? Bool == false)
            #expect(current["password"] == nil)
            // Erin owns her project and may delete it while it is empty.
            let erinsRoles = try await erin.api(.GET, "/projects/erins").json()["current_user_role_ids"] as? [Int]
            #expect(erinsRoles == [1])
            #expect(try await erin.pushImage("erins/app", tag: "v1", seed: 6).status == 201)
            let deletable = try await erin.api(.GET, "/projects/erins/_deletable").json()
            #expect(deletable["deletable"] as? Bool == false)
            #expect(try await erin.api(.DELETE, "/projects/erins").status == 412)
            #expect(try await erin.api(.DELETE, "/projects/erins/repositories/app").status == 200)
            #expect(try await erin.api(.DELETE, "/projects/erins").status == 200)
            // Passwords follow Harbor's rule and need the old password.
            let uid = current["user_id"] as! Int
            #expect(try await erin.api(.PUT, "/users/\(uid)/password", json: ["old_password": "Erin-12345", "new_password": "weak"]).status == 400)
            #expect(try await erin.api(.PUT, "/users/\(uid)/password", json: ["old_password": "wrong", "new_password": "Erin-67890"]).status == 403)
            #expect(try await erin.api(.PUT, "/users/\(uid)/password", json: ["old_password": "Erin-12345", "new_password": "Erin-67890"]).status == 200)
            #expect(try await erin.api(.GET, "/users/current").status == 401)
            let renewed = AccessClient(http: admin.http, account: .basic("erin", "Erin-67890"))
            #expect(try await renewed.api(.GET, "/users/current").status == 200)
            // Errors have Harbor's shape.
            let missing = try await admin.api(.GET, "/projects/nothing-here")
            #expect(missing.status == 404 && missing.errorCode == "NOT_FOUND")
            let malformed = try await admin.http.request(.POST, "/api/v2.0/projects", headers: admin.account.authorization, body: Array("{nope".utf8))
            #expect(malformed.status == 400 && malformed.errorCode == "BAD_REQUEST")
        }
    }

    /// A management-API call as if from `address` (through a proxy that names it in `X-Forwarded-For`).
    static func current(_ client: AccessClient, from address: String) async throws -> Int {
        try await client.api(.GET, "/users/current", headers: [("X-Forwarded-For", address)]).status
    }

    @Test("failed logins slow and then stop the guessing address, not the account's owner elsewhere; failures are audited with the client's address")
    func lockout() async throws {
        // A 6 s lock: long enough that a loaded machine still asks while it holds, short enough to wait out.
        try await withSecuredServer(environment: ["BERTH_AUTH_LOCKOUT_SECONDS": "6", "BERTH_TRUSTED_PROXIES": "127.0.0.1"]) { _, admin in
            try await admin.apiOK(.POST, "/users", json: ["username": "finn", "password": "Finn-12345"])
            let wrong = AccessClient(http: admin.http, account: .basic("finn", "not-it"))
            let right = AccessClient(http: admin.http, account: .basic("finn", "Finn-12345"))
            let guesser = "203.0.113.5", owner = "198.51.100.7"
            var statuses: [Int] = []
            let started = ContinuousClock.now
            for _ in 0 ..< 5 { statuses.append(try await Self.current(wrong, from: guesser)) }
            #expect(statuses == [401, 401, 401, 401, 401])
            // 250 + 500 + 1000 + 2000 ms of growing delays before the second to fifth attempts.
            #expect(ContinuousClock.now - started > .milliseconds(3500), "failures should be slowed more and more")
            let locked = try await right.api(.GET, "/users/current", headers: [("X-Forwarded-For", guesser)])
            #expect(locked.status == 429)
            #expect(!locked.text.contains("Finn-12345"))
            let token = try await admin.http.request(.GET, "/service/token?service=berth-registry",
                                                     headers: right.account.authorization + [("X-Forwarded-For", guesser)])
            #expect(token.status == 429)
            // The owner, elsewhere, is not locked out; nor is anyone else at the guesser's address.
            #expect(try await Self.current(right, from: owner) == 200)
            #expect(try await Self.current(admin, from: guesser) == 200)
            try await Task.sleep(for: .seconds(6.5))
            #expect(try await Self.current(right, from: guesser) == 200)
            let logs = try await admin.api(.GET, "/audit-logs?q=operation%3Dlogin,username%3Dfinn&page_size=50").jsonArray()
            let failures = logs.filter { $0["operation_result"] as? Bool == false }
            #expect(failures.count >= 5)
            #expect(failures.allSatisfy { $0["client_ip"] as? String == guesser })
        }
    }

    @Test("an address that fails on many accounts is locked as a whole; X-Forwarded-For from an untrusted peer is ignored")
    func addressLockAndUntrustedForwarding() async throws {
        try await withSecuredServer(environment: ["BERTH_AUTH_LOCKOUT_ADDRESS_THRESHOLD": "4", "BERTH_TRUSTED_PROXIES": "127.0.0.1"]) { _, admin in
            try await admin.apiOK(.POST, "/users", json: ["username": "vic", "password": "Vic-1234567"])
            for name in ["u1", "u2", "u3", "u4"] {
                #expect(try await Self.current(AccessClient(http: admin.http, account: .basic(name, "guess")), from: "203.0.113.9") == 401)
            }
            let vic = AccessClient(http: admin.http, account: .basic("vic", "Vic-1234567"))
            #expect(try await Self.current(vic, from: "203.0.113.9") == 429)
            #expect(try await Self.current(vic, from: "203.0.113.10") == 200)
        }
        // No trusted proxies: the header is the client's own claim and changes nothing.
        try await withSecuredServer(environment: ["BERTH_AUTH_LOCKOUT_ACCOUNT_THRESHOLD": "2"]) { _, admin in
            try await admin.apiOK(.POST, "/users", json: ["username": "finn", "password": "Finn-12345"])
            let wrong = AccessClient(http: admin.http, account: .basic("finn", "not-it"))
            #expect(try await Self.current(wrong, from: "203.0.113.5") == 401)
            #expect(try await Self.current(wrong, from: "203.0.113.6") == 401)
            let right = AccessClient(http: admin.http, account: .basic("finn", "Finn-12345"))
            #expect(try await Self.current(right, from: "198.51.100.7") == 429, "all three came from 127.0.0.1")
        }
    }

    @Test("with auth.lockout.lockAccounts, failures from anywhere lock the account everywhere")
    func accountLockOption() async throws {
        try await withSecuredServer(environment: ["BERTH_AUTH_LOCKOUT_ACCOUNTS": "true", "BERTH_AUTH_LOCKOUT_ACCOUNT_THRESHOLD": "2",
                                                  "BERTH_TRUSTED_PROXIES": "127.0.0.1"]) { _, admin in
            try await admin.apiOK(.POST, "/users", json: ["username": "finn", "password": "Finn-12345"])
            let wrong = AccessClient(http: admin.http, account: .basic("finn", "not-it"))
            #expect(try await Self.current(wrong, from: "203.0.113.5") == 401)
            #expect(try await Self.current(wrong, from: "203.0.113.6") == 401)
            #expect(try await Self.current(AccessClient(http: admin.http, account: .basic("finn", "Finn-12345")), from: "198.51.100.7") == 429)
        }
    }

    @Test("the first start creates admin with a generated password printed once; no default password exists")
    func firstAdmin() async throws {
        let server = try await BerthInstance.start(authentication: true, environment: ["BERTH_ADMIN_PASSWORD": ""])
        let line = try #require(server.startupOutput.first { $0.contains("generated password") })
        let password = String(try #require(line.split(separator: " ").first { $0.count == 32 }))
        let http = RegistryHTTP(base: server.baseURL)
        #expect(try await AccessClient(http: http, account: .basic("admin", password)).api(.GET, "/users/current").status == 200)
        #expect(try await AccessClient(http: http, account: .basic("admin", "Harbor12345")).api(.GET, "/users/current").status == 401)
        let data = server.dataDirectory
        await server.stop()
        let again = try await BerthInstance.start(dataDirectory: data, authentication: true, environment: ["BERTH_ADMIN_PASSWORD": ""])
        #expect(again.startupOutput.allSatisfy { !$0.contains("password") })
        let log = (try? String(contentsOfFile: again.logPath, encoding: .utf8)) ?? ""
        #expect(!log.contains(password))
        await again.destroy()
    }

    @Test("portal sessions: /c/login sets an HttpOnly cookie; changes need the CSRF token; tampering, robots and password changes end it")
    func sessions() async throws {
        try await withSecuredServer { _, admin in
            try await admin.apiOK(.POST, "/users", json: ["username": "gina", "password": "Gina-12345"])
            let http = admin.http
            func login(_ user: String, _ password: String) async throws -> HTTPResult {
                try await http.request(.POST, "/c/login", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                       body: Array("principal=\(user)&password=\(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)".utf8))
            }
            let signedIn = try await login("gina", "Gina-12345")
            #expect(signedIn.status == 200)
            let cookies = signedIn.headers["Set-Cookie"]
            let sid = try #require(cookies.first { $0.hasPrefix("sid=") })
            #expect(sid.contains("HttpOnly"))
            let csrf = try #require(signedIn.header("X-Harbor-CSRF-Token"))
            let cookie = String(sid.split(separator: ";")[0])

            let current = try await http.request(.GET, "/api/v2.0/users/current", headers: [("Cookie", cookie)])
            let currentName = try current.json()["username"] as? String
            #expect(current.status == 200 && currentName == "gina")
            let body = Array(#"{"project_name":"ginas"}"#.utf8)
            let withoutToken = try await http.request(.POST, "/api/v2.0/projects", headers: [("Cookie", cookie), ("Content-Type", "application/json")], body: body)
            #expect(withoutToken.status == 403)
            let withToken = try await http.request(.POST, "/api/v2.0/projects",
                                                   headers: [("Cookie", cookie), ("Content-Type", "application/json"), ("X-Harbor-CSRF-Token", csrf)], body: body)
            #expect(withToken.status == 201)
            var tampered = Array(cookie.utf8)
            tampered[6] = tampered[6] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            #expect(try await http.request(.GET, "/api/v2.0/users/current", headers: [("Cookie", String(decoding: tampered, as: UTF8.self))]).status == 401)
            #expect(try await login("gina", "wrong").status == 401)

            let robot = try await admin.apiOK(.POST, "/robots", json: [
                "name": "r", "level": "system", "duration": -1, "permissions": [[String: Any]](),
            ]) as! [String: Any]
            #expect(try await login(robot["name"] as! String, robot["secret"] as! String).status == 401)

            // Signing out ends the session on the server: the old cookie, replayed, no longer works.
            let second = try await login("gina", "Gina-12345")
            let secondCookie = String(try #require(second.headers["Set-Cookie"].first { $0.hasPrefix("sid=") }).split(separator: ";")[0])
            #expect(try await http.request(.GET, "/api/v2.0/users/current", headers: [("Cookie", secondCookie)]).status == 200)
            #expect(try await http.request(.GET, "/c/log_out", headers: [("Cookie", secondCookie)]).status == 200)
            #expect(try await http.request(.GET, "/api/v2.0/users/current", headers: [("Cookie", secondCookie)]).status == 401)
            #expect(try await http.request(.GET, "/api/v2.0/users/current", headers: [("Cookie", cookie)]).status == 200, "other sessions live on")

            // A password change ends the session.
            let uid = try current.json()["user_id"] as! Int
            try await admin.apiOK(.PUT, "/users/\(uid)/password", json: ["new_password": "Gina-67890"])
            #expect(try await http.request(.GET, "/api/v2.0/users/current", headers: [("Cookie", cookie)]).status == 401)
            // So does deleting the account.
            let third = try await login("gina", "Gina-67890")
            let thirdCookie = String(try #require(third.headers["Set-Cookie"].first { $0.hasPrefix("sid=") }).split(separator: ";")[0])
            try await admin.apiOK(.DELETE, "/users/\(uid)")
            #expect(try await http.request(.GET, "/api/v2.0/users/current", headers: [("Cookie", thirdCookie)]).status == 401)
            let logs = try await admin.api(.GET, "/audit-logs?q=operation%3Dlogin,username%3Dgina").jsonArray()
            #expect(logs.contains { $0["operation_result"] as? Bool == true } && logs.contains { $0["operation_result"] as? Bool == false })
        }
    }

    @Test("signing out on one instance ends the session on another instance of the same deployment")
    func signOutEverywhere() async throws {
        let first = try await BerthInstance.start(authentication: true)
        let second = try await BerthInstance.start(dataDirectory: first.dataDirectory, authentication: true)
        let one = RegistryHTTP(base: first.baseURL), two = RegistryHTTP(base: second.baseURL)
        do {
            let signedIn = try await one.request(.POST, "/c/login", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                                 body: Array("principal=admin&password=\(BerthInstance.adminPassword)".utf8))
            let cookie = String(try #require(signedIn.headers["Set-Cookie"].first { $0.hasPrefix("sid=") }).split(separator: ";")[0])
            #expect(try await two.request(.GET, "/api/v2.0/users/current", headers: [("Cookie", cookie)]).status == 200)
            #expect(try await two.request(.POST, "/c/log_out", headers: [("Cookie", cookie)]).status == 200)
            #expect(try await one.request(.GET, "/api/v2.0/users/current", headers: [("Cookie", cookie)]).status == 401)
        } catch {
            Issue.record(error)
        }
        await second.stop()
        await first.destroy()
    }

    @Test("pushing into a missing project fails clearly, unless auto-creation is on: then the pusher owns a new private project")
    func projectAutoCreation() async throws {
        try await withSecuredServer { _, admin in
            try await admin.apiOK(.POST, "/users", json: ["username": "hal", "password": "Hal-123456"])
            let hal = AccessClient(http: admin.http, account: .basic("hal", "Hal-123456"))
            let start = try await admin.http.request(.POST, "/v2/missing/app/blobs/uploads/", headers: hal.account.authorization)
            #expect(start.status == 404 && start.errorCode == "NAME_UNKNOWN")
            #expect(start.text.contains("project missing does not exist"))
            let single = try await admin.http.request(.POST, "/v2/app/blobs/uploads/", headers: hal.account.authorization)
            #expect(single.status == 400 && single.errorCode == "NAME_INVALID")
        }
        try await withSecuredServer(environment: ["BERTH_PROJECTS_AUTO_CREATE": "true"]) { _, admin in
            try await admin.apiOK(.POST, "/users", json: ["username": "hal", "password": "Hal-123456"])
            let hal = AccessClient(http: admin.http, account: .basic("hal", "Hal-123456"))
            #expect(try await hal.pushImage("fresh/app", tag: "v1", seed: 77).status == 201)
            let project = try await hal.api(.GET, "/projects/fresh").json()
            #expect(project["owner_name"] as? String == "hal")
            #expect((project["metadata"] as? [String: String])?["public"] == "false")
            #expect(project["current_user_role_ids"] as? [Int] == [1])
            #expect(try await AccessClient(http: admin.http, account: .anonymous).api(.GET, "/projects/fresh").status == 401)
        }
    }
}
