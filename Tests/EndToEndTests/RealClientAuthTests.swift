import Foundation
import OCI
import Testing

/// skopeo with `--creds` against a server with authentication: roles, anonymous access and robot accounts.
@Suite("Real clients with credentials")
struct RealClientAuthTests {
    func skopeo(_ args: [String]) async throws -> CommandResult {
        try await ProcessRunner.run(["skopeo"] + args)
    }

    @Test("skopeo: a developer pushes and pulls, a guest pulls but cannot push, anonymous pulls only from public projects")
    func roles() async throws {
        let work = try TemporaryDirectory("skopeo-auth")
        defer { work.remove() }
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "open", "public": true])
            for (user, role) in [("devon", 2), ("gwen", 3)] {
                try await admin.apiOK(.POST, "/users", json: ["username": user, "password": "Secret-12345"])
                try await admin.apiOK(.POST, "/projects/team/members", json: ["role_id": role, "member_user": ["username": user]])
            }
            let layout = try OCILayoutWriter.write(to: work.file("in"), tag: "v1", layerSizes: [150_000, 20_000])
            let source = "oci:\(work.file("in")):v1"
            let team = "docker://\(server.hostPort)/team/app"

            let push = try await skopeo(["copy", "--dest-tls-verify=false", "--dest-creds", "devon:Secret-12345", source, "\(team):v1"])
            #expect(push.succeeded, "\(push.stderr)")
            let pull = try await skopeo(["copy", "--src-tls-verify=false", "--src-creds", "devon:Secret-12345", "\(team):v1", "oci:\(work.file("dev")):v1"])
            #expect(pull.succeeded, "\(pull.stderr)")
            #expect(try OCILayoutWriter.blobDigests(in: work.file("dev")) == layout.blobs)

            let guestPull = try await skopeo(["inspect", "--tls-verify=false", "--creds", "gwen:Secret-12345", "--raw", "\(team):v1"])
            #expect(guestPull.succeeded && Digest.compute(of: Array(guestPull.stdout.utf8)) == layout.topDigest)
            let guestPush = try await skopeo(["copy", "--dest-tls-verify=false", "--dest-creds", "gwen:Secret-12345", source, "\(team):guest"])
            #expect(!guestPush.succeeded)
            #expect(guestPush.stderr.lowercased().contains("denied") || guestPush.stderr.lowercased().contains("unauthorized"), "\(guestPush.stderr)")

            let anonPrivate = try await skopeo(["inspect", "--tls-verify=false", "--no-creds", "--raw", "\(team):v1"])
            #expect(!anonPrivate.succeeded)
            let publish = try await skopeo(["copy", "--dest-tls-verify=false", "--dest-creds", "admin:\(BerthInstance.adminPassword)", source, "docker://\(server.hostPort)/open/app:v1"])
            #expect(publish.succeeded, "\(publish.stderr)")
            let anonPublic = try await skopeo(["inspect", "--tls-verify=false", "--no-creds", "--raw", "docker://\(server.hostPort)/open/app:v1"])
            #expect(anonPublic.succeeded, "\(anonPublic.stderr)")
            let anonPush = try await skopeo(["copy", "--dest-tls-verify=false", "--dest-no-creds", source, "docker://\(server.hostPort)/open/app:anon"])
            #expect(!anonPush.succeeded)
            #expect(try await skopeo(["list-tags", "--tls-verify=false", "--creds", "gwen:Secret-12345", team]).stdout.contains("v1"))

            // The audit log saw the developer's push and pulls.
            #expect(try await eventually {
                let logs = try await admin.api(.GET, "/projects/team/logs?page_size=100").jsonArray()
                return logs.contains { $0["operation"] as? String == "create" && $0["username"] as? String == "devon" && $0["resource"] as? String == "team/app:v1" }
            })
            #expect(try await eventually {
                let pulls = try await admin.api(.GET, "/projects/team/logs?q=operation%3Dpull&page_size=100").jsonArray()
                return pulls.contains { $0["username"] as? String == "gwen" }
            })
        }
    }

    @Test("skopeo with a robot: works while valid; refused once disabled, expired, or after its secret is refreshed")
    func robots() async throws {
        let work = try TemporaryDirectory("skopeo-robot")
        defer { work.remove() }
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "ci"])
            _ = try OCILayoutWriter.write(to: work.file("in"), tag: "v1", layerSizes: [10_000])
            let source = "oci:\(work.file("in")):v1"
            let target = "docker://\(server.hostPort)/ci/app"
            let created = try await admin.apiOK(.POST, "/robots", json: [
                "name": "builder", "level": "project", "duration": 30,
                "permissions": [["kind": "project", "namespace": "ci", "access": [["resource": "repository", "action": "push"]]]],
            ]) as! [String: Any]
            let name = created["name"] as! String
            let secret = created["secret"] as! String
            let id = created["id"] as! Int
            #expect(name == "robot$ci+builder")
            #expect((created["expires_at"] as! Int) > Int(Date().timeIntervalSince1970) + 29 * 86400)
            let shown = try await admin.apiOK(.GET, "/robots/\(id)") as! [String: Any]
            #expect(shown["secret"] == nil)

            let creds = "\(name):\(secret)"
            #expect(try await skopeo(["copy", "--dest-tls-verify=false", "--dest-creds", creds, source, "\(target):v1"]).succeeded)
            #expect(try await skopeo(["inspect", "--tls-verify=false", "--creds", creds, "--raw", "\(target):v1"]).succeeded)
            // Robots have no user profile (412, as Harbor answers).
            #expect(try await AccessClient(http: admin.http, account: .basic(name, secret)).api(.GET, "/users/current").status == 412)

            try await admin.apiOK(.PUT, "/robots/\(id)", json: ["disable": true, "level": "project"])
            let disabled = try await skopeo(["inspect", "--tls-verify=false", "--creds", creds, "--raw", "\(target):v1"])
            #expect(!disabled.succeeded)
            try await admin.apiOK(.PUT, "/robots/\(id)", json: ["disable": false, "level": "project"])
            #expect(try await skopeo(["inspect", "--tls-verify=false", "--creds", creds, "--raw", "\(target):v1"]).succeeded)

            // Time passes: the robot's expiry moves into the past (written straight into the database).
            let database = server.dataDirectory + "/berth.db"
            let expire = try await ProcessRunner.run(["python3", "-c", """
                import sqlite3, sys, time
                db = sqlite3.connect(sys.argv[1], timeout=10)
                db.execute("UPDATE robots SET expires_at = ? WHERE id = ?", (int(time.time()) - 1, int(sys.argv[2])))
                db.commit()
                """, database, String(id)])
            #expect(expire.succeeded, "\(expire.stderr)")
            let expired = try await skopeo(["copy", "--dest-tls-verify=false", "--dest-creds", creds, source, "\(target):v2"])
            #expect(!expired.succeeded)

            // A refreshed secret replaces the old one (and the duration can be extended).
            try await admin.apiOK(.PUT, "/robots/\(id)", json: ["duration": -1, "level": "project"])
            let refreshed = try await admin.apiOK(.PATCH, "/robots/\(id)", json: [String: String]()) as! [String: Any]
            let newSecret = refreshed["secret"] as! String
            #expect(newSecret != secret)
            #expect(!(try await skopeo(["inspect", "--tls-verify=false", "--creds", creds, "--raw", "\(target):v1"]).succeeded))
            #expect(try await skopeo(["inspect", "--tls-verify=false", "--creds", "\(name):\(newSecret)", "--raw", "\(target):v1"]).succeeded)
        }
    }
}
