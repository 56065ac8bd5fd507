import Foundation
import NIOHTTP1
import OCI
import Testing

/// Findings of the independent review that each fit in one scenario: robots and deleted projects, what anonymous
/// callers can learn, user groups without a directory, names, invalid references and error shapes.
@Suite("Hardening")
struct HardeningTests {
    @Test("a system robot loses a deleted project and does not inherit the next project of the same name")
    func robotGrantsFollowProjectIdentity() async throws {
        try await withSecuredServer { _, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "beta"])
            #expect(try await admin.pushImage("beta/app", tag: "v1", seed: 1).status == 201)
            let created = try await admin.apiOK(.POST, "/robots", json: [
                "name": "ci", "level": "system", "duration": -1,
                "permissions": [["kind": "project", "namespace": "beta", "access": [["resource": "repository", "action": "pull"]]]],
            ]) as! [String: Any]
            let robot = AccessClient(http: admin.http, account: .basic(created["name"] as! String, created["secret"] as! String))
            #expect(try await robot.registry(.GET, "/v2/beta/app/tags/list").status == 200)

            try await admin.apiOK(.DELETE, "/projects/beta/repositories/app")
            try await admin.apiOK(.DELETE, "/projects/beta")
            let after = try await admin.apiOK(.GET, "/robots/\(created["id"] as! Int)") as! [String: Any]
            #expect((after["permissions"] as? [[String: Any]])?.isEmpty == true)

            // Someone else creates a project with the old name; the robot must not reach it.
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "beta"])
            #expect(try await admin.pushImage("beta/app", tag: "v2", seed: 2).status == 201)
            let pull = try await robot.registry(.GET, "/v2/beta/app/tags/list")
            #expect(pull.status == 401 || pull.status == 403)
            let token = try await robot.token(scope: "repository:beta/app:pull")
            #expect(token.access.first?["actions"] as? [String] == [])
            let catalog = try await robot.registry(.GET, "/v2/_catalog")
            #expect(!(try catalog.json()["repositories"] as? [String] ?? []).contains("beta/app"))
        }
    }

    @Test("names with hidden characters are refused, look-alikes of existing names conflict, and tokens resolve to account ids")
    func lookalikeNames() async throws {
        try await withSecuredServer { _, admin in
            for hidden in ["admin\u{0}", "ad\u{200B}min", "\u{202E}nimda", "admin\u{FEFF}", "ad\u{7}min"] {
                let r = try await admin.api(.POST, "/users", json: ["username": hidden, "password": "Hidden-12345"])
                #expect(r.status == 400, "\(hidden.unicodeScalars.map { $0.value }): \(r.status)")
            }
            for lookalike in ["ａｄｍｉｎ", "admın", "\u{430}dmin", "ADMIN", "àdmin", "\u{391}DMIN"] {
                let r = try await admin.api(.POST, "/users", json: ["username": lookalike, "password": "Lookalike-123"])
                #expect(r.status == 409, "\(lookalike): \(r.status)")
            }
            let groups = try await admin.api(.POST, "/usergroups", json: ["group_name": "dev\u{200B}", "ldap_group_dn": "cn=dev,dc=example,dc=org"])
            #expect(groups.status == 400)
            #expect(try await admin.api(.GET, "/users?page_size=100").jsonArray().count == 1)

            // A token names its account by id: after carl is deleted and another carl created, the old token does not
            // act for the new account.
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "secret"])
            #expect(try await admin.pushImage("secret/app", tag: "v1", seed: 9).status == 201)
            try await admin.apiOK(.POST, "/users", json: ["username": "carl", "password": "Carl-123456"])
            let carl = AccessClient(http: admin.http, account: .basic("carl", "Carl-123456"))
            let oldToken = try #require(try await carl.token(scope: "registry:catalog:*").token)
            let first = try await admin.api(.GET, "/users?q=username%3Dcarl").jsonArray()
            try await admin.apiOK(.DELETE, "/users/\(first[0]["user_id"] as! Int)")
            try await admin.apiOK(.POST, "/users", json: ["username": "carl", "password": "Carl-654321"])
            try await admin.apiOK(.POST, "/projects/secret/members", json: ["role_id": 3, "member_user": ["username": "carl"]])
            let catalog = try await admin.http.request(.GET, "/v2/_catalog", headers: [("Authorization", "Bearer \(oldToken)")])
            #expect(catalog.status == 200)
            #expect(try catalog.json()["repositories"] as? [String] == [])
            let fresh = AccessClient(http: admin.http, account: .basic("carl", "Carl-654321"))
            #expect(try await fresh.registry(.GET, "/v2/_catalog").json()["repositories"] as? [String] == ["secret/app"])
        }
    }

    @Test("anonymous callers get the same answer for a private project and a missing one")
    func noAnonymousProjectEnumeration() async throws {
        try await withSecuredServer { _, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "beta"])
            let anonymous = AccessClient(http: admin.http, account: .anonymous)
            var answers: [String: [Int]] = [:]
            for name in ["beta", "nope"] {
                answers[name] = [
                    try await anonymous.api(.HEAD, "/projects?project_name=\(name)").status,
                    try await anonymous.api(.GET, "/projects/\(name)").status,
                    try await anonymous.api(.GET, "/projects/\(name)/repositories").status,
                    try await anonymous.api(.GET, "/projects/\(name)/summary").status,
                    try await anonymous.api(.GET, "/projects/\(name)/repositories/app/artifacts").status,
                ]
            }
            #expect(answers["beta"] == answers["nope"])
            #expect(answers["beta"]?.allSatisfy { $0 == 401 } == true)
            #expect(try await anonymous.api(.GET, "/projects/library").status == 200)
            // Signed-in users may check whether a name is taken before creating a project, as in Harbor.
            try await admin.apiOK(.POST, "/users", json: ["username": "dora", "password": "Dora-12345"])
            let dora = AccessClient(http: admin.http, account: .basic("dora", "Dora-12345"))
            #expect(try await dora.api(.HEAD, "/projects?project_name=beta").status == 200)
            #expect(try await dora.api(.HEAD, "/projects?project_name=nope").status == 404)
        }
    }

    @Test("without LDAP, neither a project admin nor an administrator can create user groups")
    func noGroupsWithoutDirectory() async throws {
        try await withSecuredServer { _, admin in
            try await admin.apiOK(.POST, "/users", json: ["username": "pat", "password": "Pat-123456"])
            let pat = AccessClient(http: admin.http, account: .basic("pat", "Pat-123456"))
            try await pat.apiOK(.POST, "/projects", json: ["project_name": "pats"])
            let member = try await pat.api(.POST, "/projects/pats/members",
                                           json: ["role_id": 1, "member_group": ["group_name": "admins", "ldap_group_dn": "cn=admins,dc=evil,dc=org", "group_type": 1]])
            #expect(member.status == 400)
            #expect(member.errorCode == "BAD_REQUEST")
            let group = try await admin.api(.POST, "/usergroups", json: ["group_name": "g", "group_type": 1, "ldap_group_dn": "cn=g,dc=example,dc=org"])
            #expect(group.status == 400)
            #expect(try await admin.api(.GET, "/usergroups").jsonArray().isEmpty)
        }
    }

    @Test("project names follow Harbor's rule; empty path components and 416s on blob reads are reported precisely")
    func namesAndRanges() async throws {
        try await withSecuredServer { _, admin in
            for bad in ["a..b", "-a", "a-", ".a", "a__b", "a_-b", "A", "a b", "a/b"] {
                let r = try await admin.api(.POST, "/projects", json: ["project_name": bad])
                #expect(r.status == 400, "\(bad): \(r.status)")
            }
            for good in ["a.b-c_d", "x", "0ab", "a-b"] {
                #expect(try await admin.api(.POST, "/projects", json: ["project_name": good]).status == 201, "\(good)")
            }
            #expect(try await admin.pushImage("x/app", tag: "v1", seed: 3).status == 201)
            let doubled = try await admin.http.request(.GET, "/v2/x//app/manifests/v1", headers: admin.account.authorization)
            #expect(doubled.status == 400 && doubled.errorCode == "NAME_INVALID")
            let leading = try await admin.http.request(.GET, "/v2//x/app/tags/list", headers: admin.account.authorization)
            #expect(leading.status == 400 && leading.errorCode == "NAME_INVALID")
            let layer = Digest.compute(of: randomBytes(512, seed: 3))
            let range = try await admin.http.request(.GET, "/v2/x/app/blobs/\(layer)", headers: admin.account.authorization + [("Range", "bytes=9999-")])
            #expect(range.status == 416)
            #expect(range.errorCode == "RANGE_INVALID")
            #expect(range.header("Content-Range") == "bytes */512")
        }
    }

    @Test("reading a manifest by an invalid reference finds nothing (404 MANIFEST_UNKNOWN); pushing to one is TAG_INVALID")
    func invalidManifestReferences() async throws {
        try await withServer { _, http in
            let config = Array("{}".utf8)
            _ = try await http.pushBlob("library/conf", config)
            let manifest = ManifestBuilder.image(config: config, layers: [])
            #expect(try await http.pushManifest("library/conf", "v1", manifest).status == 201)
            for reference in [".INVALID_MANIFEST_NAME", "-dash", "sha256:short", String(repeating: "a", count: 200)] {
                let get = try await http.request(.GET, "/v2/library/conf/manifests/\(reference)")
                #expect(get.status == 404 && get.errorCode == "MANIFEST_UNKNOWN", "GET \(reference.prefix(20)): \(get.status) \(get.text)")
                #expect(try await http.request(.HEAD, "/v2/library/conf/manifests/\(reference)").status == 404)
            }
            let missingRepository = try await http.request(.GET, "/v2/library/nothing/manifests/.INVALID_MANIFEST_NAME")
            #expect(missingRepository.status == 404 && missingRepository.errorCode == "NAME_UNKNOWN")
            let put = try await http.pushManifest("library/conf", ".INVALID_MANIFEST_NAME", manifest)
            #expect(put.status == 400 && put.errorCode == "TAG_INVALID")
        }
    }

    @Test("bodies cut short, with broken chunked encoding or too large are client errors (400/413) and store nothing")
    func brokenBodies() async throws {
        try await withSecuredServer { server, admin in
            let basic = "Authorization: Basic " + Data("admin:\(BerthInstance.adminPassword)".utf8).base64EncodedString() + "\r\n"
            func raw(_ head: String, _ body: [UInt8]) async throws -> (status: Int?, text: String) {
                let connection = try RawConnection(port: server.port)
                connection.send(head + basic + "\r\n")
                connection.send(body)
                connection.shutdownWrite()
                let answer = await connection.readUntilClose(timeout: .seconds(30))
                return (RawConnection.status(of: answer.bytes), String(decoding: answer.bytes, as: UTF8.self))
            }
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "bodies"])
            let start = try await admin.http.request(.POST, "/v2/bodies/app/blobs/uploads/", headers: admin.account.authorization)
            let location = try #require(start.header("Location"))
            let digest = Digest.compute(of: [UInt8](repeating: 120, count: 1000))
            let cases: [(String, String, [UInt8], Int, String)] = [
                ("PATCH cut short", "PATCH \(location) HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n", Array(repeating: 120, count: 100), 400, "SIZE_INVALID"),
                ("monolithic POST cut short", "POST /v2/bodies/app/blobs/uploads/?digest=\(digest) HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n",
                 Array(repeating: 120, count: 100), 400, "SIZE_INVALID"),
                ("manifest PUT cut short", "PUT /v2/bodies/app/manifests/v1 HTTP/1.1\r\nHost: x\r\nContent-Type: \(MediaType.ociManifest)\r\nContent-Length: 1000\r\n",
                 Array(#"{"schemaVersion":2"#.utf8), 400, "SIZE_INVALID"),
                ("PATCH with broken chunks", "PATCH \(location) HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n", Array("zz\r\nabc\r\n0\r\n\r\n".utf8),
                 400, "SIZE_INVALID"),
                ("API POST with broken chunks", "POST /api/v2.0/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
                 Array("zz\r\nabc\r\n0\r\n\r\n".utf8), 400, "BAD_REQUEST"),
                ("API POST cut short", "POST /api/v2.0/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n",
                 Array(#"{"pro"#.utf8), 400, "BAD_REQUEST"),
                ("API POST of 10 MB", "POST /api/v2.0/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(10 * 1024 * 1024 + 20)\r\n",
                 Array(#"{"project_name":""#.utf8) + [UInt8](repeating: 97, count: 10 * 1024 * 1024) + Array(#""}"#.utf8), 413, "PAYLOAD_TOO_LARGE"),
            ]
            for (what, head, body, status, code) in cases {
                let answer = try await raw(head, body)
                #expect(answer.status == status, "\(what): \(answer.text.prefix(300))")
                #expect(answer.text.contains("\"\(code)\""), "\(what): \(answer.text.prefix(300))")
            }
            // Nothing was stored, and the session is still at zero bytes and usable.
            let status = try await admin.http.request(.GET, location, headers: admin.account.authorization)
            #expect(status.status == 204 && status.header("Range") == "0-0")
            #expect(try await admin.http.request(.HEAD, "/v2/bodies/app/blobs/\(digest)", headers: admin.account.authorization).status == 404)
            #expect(try await admin.api(.GET, "/projects?page_size=100").jsonArray().count == 2)
            #expect(try await admin.http.request(.GET, "/health").status == 200)
        }
    }

    @Test("a q date that made Foundation's DateFormatter trap (found by fuzzing) is refused, even before authentication")
    func dateFormatterTrap() async throws {
        try await withSecuredServer { _, admin in
            let anonymous = AccessClient(http: admin.http, account: .anonymous)
            let query = "q=natime%3D%5B404-%D6%B10~2%2B10%5D"
            for (client, expected) in [(anonymous, [400, 401]), (admin, [400])] {
                let r = try await client.api(.GET, "/audit-logs?\(query)")
                #expect(expected.contains(r.status), "\(r.status) \(r.text)")
            }
            #expect(try await admin.http.request(.GET, "/health").status == 200)
        }
    }

    @Test("every method on an unknown /api/v2.0 path gets Harbor's error JSON")
    func unknownPathsAnswerInHarborsShape() async throws {
        try await withSecuredServer { _, admin in
            for method in [HTTPMethod.GET, .POST, .PUT, .PATCH, .DELETE] {
                let r = try await admin.api(method, "/no/such/thing", json: method == .GET || method == .DELETE ? nil : [:])
                #expect(r.status == 404, "\(method)")
                #expect(r.errorCode == "NOT_FOUND", "\(method): \(r.text)")
                #expect(r.header("Content-Type") == "application/json")
            }
        }
    }
}
