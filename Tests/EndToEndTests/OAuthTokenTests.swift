import Foundation
import NIOHTTP1
import OCI
import Testing

/// The OAuth2 form of the token endpoint (`POST /service/token`), which containerd tries before `GET`.
@Suite("OAuth2 token endpoint")
struct OAuthTokenTests {
    static func form(_ fields: [(String, String)]) -> [UInt8] {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return Array(fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&").utf8)
    }

    static func post(_ http: RegistryHTTP, _ fields: [(String, String)]) async throws -> HTTPResult {
        try await http.request(.POST, "/service/token", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: form(fields))
    }

    @Test("password and refresh_token grants: scopes as GET grants them, refresh tokens for offline access, revoked with the password")
    func grants() async throws {
        try await withSecuredServer { _, admin in
            let http = admin.http
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            try await admin.apiOK(.POST, "/users", json: ["username": "olga", "password": "Olga-123456"])
            try await admin.apiOK(.POST, "/projects/team/members", json: ["role_id": 3, "member_user": ["username": "olga"]])
            #expect(try await admin.pushImage("team/app", tag: "v1", seed: 4).status == 201)
            let base: [(String, String)] = [("service", "berth-registry"), ("client_id", "berth-tests")]

            let online = try await Self.post(http, base + [("grant_type", "password"), ("username", "olga"), ("password", "Olga-123456"),
                                                           ("scope", "repository:team/app:pull,push")])
            #expect(online.status == 200)
            let onlineBody = try online.json()
            #expect(onlineBody["scope"] as? String == "repository:team/app:pull", "a guest gets pull only")
            #expect(onlineBody["refresh_token"] == nil)
            #expect((onlineBody["expires_in"] as? Int ?? 0) >= 60)
            let token = try #require(onlineBody["access_token"] as? String)
            let pull = try await http.request(.GET, "/v2/team/app/tags/list", headers: [("Authorization", "Bearer \(token)")])
            #expect(pull.status == 200)

            let offline = try await Self.post(http, base + [("grant_type", "password"), ("username", "olga"), ("password", "Olga-123456"),
                                                            ("access_type", "offline"), ("scope", "")])
            let refresh = try #require(try offline.json()["refresh_token"] as? String)
            let refreshed = try await Self.post(http, base + [("grant_type", "refresh_token"), ("refresh_token", refresh),
                                                              ("scope", "repository:team/app:pull registry:catalog:*")])
            #expect(refreshed.status == 200)
            #expect(try refreshed.json()["refresh_token"] as? String == refresh, "the same refresh token comes back")
            #expect(try refreshed.json()["scope"] as? String == "repository:team/app:pull registry:catalog:*", "the catalog is granted and filtered when read")

            // Refusals in OAuth2's error shape.
            let wrong = try await Self.post(http, base + [("grant_type", "password"), ("username", "olga"), ("password", "nope")])
            #expect(wrong.status == 401)
            #expect(try wrong.json()["error"] as? String == "invalid_grant")
            let bogus = try await Self.post(http, base + [("grant_type", "refresh_token"), ("refresh_token", "bogus-refresh-token-value-1234567890")])
            #expect(bogus.status == 400)
            #expect(try bogus.json()["error"] as? String == "invalid_grant")
            #expect(try await Self.post(http, [("client_id", "x"), ("grant_type", "password")]).status == 400)
            #expect(try await Self.post(http, base + [("grant_type", "authorization_code")]).json()["error"] as? String == "unsupported_grant_type")
            #expect(try await Self.post(http, [("service", "other"), ("client_id", "x"), ("grant_type", "password")]).status == 400)

            // A password change revokes refresh tokens.
            let users = try await admin.api(.GET, "/users?q=username%3Dolga").jsonArray()
            try await admin.apiOK(.PUT, "/users/\(users[0]["user_id"] as! Int)/password", json: ["new_password": "Olga-654321"])
            #expect(try await Self.post(http, base + [("grant_type", "refresh_token"), ("refresh_token", refresh)]).status == 400)

            // A robot's refresh token dies with the robot being disabled.
            let robot = try await admin.apiOK(.POST, "/robots", json: [
                "name": "ctrd", "level": "project", "duration": -1,
                "permissions": [["kind": "project", "namespace": "team", "access": [["resource": "repository", "action": "pull"]]]],
            ]) as! [String: Any]
            let robotOffline = try await Self.post(http, base + [("grant_type", "password"), ("username", robot["name"] as! String),
                                                                 ("password", robot["secret"] as! String), ("access_type", "offline")])
            let robotRefresh = try #require(try robotOffline.json()["refresh_token"] as? String)
            #expect(try await Self.post(http, base + [("grant_type", "refresh_token"), ("refresh_token", robotRefresh)]).status == 200)
            try await admin.apiOK(.PUT, "/robots/\(robot["id"] as! Int)", json: ["disable": true])
            #expect(try await Self.post(http, base + [("grant_type", "refresh_token"), ("refresh_token", robotRefresh)]).status == 400)
        }
    }

    @Test("containerd pulls with credentials through the OAuth2 form of the token endpoint, and anonymously from a public project")
    func containerdPull() async throws {
        let work = try TemporaryDirectory("ctrd-pull")
        defer { work.remove() }
        let containerd = try await TestContainerd.start()
        do {
            try await withSecuredServer(extraArguments: ["--log-level", "info"]) { server, admin in
                try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
                try await admin.apiOK(.POST, "/projects", json: ["project_name": "open", "public": true])
                try await admin.apiOK(.POST, "/users", json: ["username": "kube", "password": "Kube-123456"])
                try await admin.apiOK(.POST, "/projects/team/members", json: ["role_id": 5, "member_user": ["username": "kube"]])
                _ = try OCILayoutWriter.write(to: work.file("in"), tag: "v1", layerSizes: [64_000, 9_000])
                for target in ["team/app:v1", "open/app:v1"] {
                    let push = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:\(BerthInstance.adminPassword)",
                                                            "oci:\(work.file("in")):v1", "docker://\(server.hostPort)/\(target)"])
                    #expect(push.succeeded, "\(push.stderr)")
                }
                let pull = try await containerd.ctr(["images", "pull", "--plain-http", "--user", "kube:Kube-123456", "\(server.hostPort)/team/app:v1"])
                #expect(pull.succeeded, "\(pull.combined)")
                let listed = try await containerd.ctr(["images", "ls", "-q"])
                #expect(listed.stdout.contains("\(server.hostPort)/team/app:v1"))
                let denied = try await containerd.ctr(["images", "pull", "--plain-http", "--user", "kube:wrong-password", "\(server.hostPort)/team/app:v1"])
                #expect(!denied.succeeded)
                let anonymous = try await containerd.ctr(["images", "pull", "--plain-http", "\(server.hostPort)/open/app:v1"])
                #expect(anonymous.succeeded, "\(anonymous.combined)")
                // containerd asked with the OAuth2 form first, and was answered there.
                let log = try String(contentsOfFile: server.logPath, encoding: .utf8)
                #expect(log.contains("method=POST path=/service/token peer=127.0.0.1 status=200"), "\(log.suffix(2000))")
                #expect(!log.contains("method=POST path=/service/token peer=127.0.0.1 status=404"))
            }
        } catch {
            Issue.record(error)
        }
        await containerd.stop()
    }
}
