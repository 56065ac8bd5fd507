import Foundation
import NIOHTTP1
import OCI
import Testing

/// The parts of Harbor's API that Harbor's own clients call: driven with the PyPI clients `harborapi` and the
/// swagger-generated `harbor-api-client`, and checked field by field over raw HTTP.
@Suite("Harbor API")
struct HarborAPITests {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts").path

    /// Pushes an image whose config has a platform, a container config and a build history, plus a two-platform index.
    static func pushFixtures(_ admin: AccessClient, project: String) async throws -> (image: Digest, index: Digest) {
        let layer = randomBytes(300, seed: 41)
        let config = Array(try JSONSerialization.data(withJSONObject: [
            "architecture": "arm64", "os": "linux", "created": "2026-01-02T03:04:05Z", "author": "berth tests",
            "config": ["Env": ["PATH=/usr/bin"], "Cmd": ["/bin/app"]],
            "rootfs": ["type": "layers", "diff_ids": [Digest.compute(of: layer).description]],
            "history": [["created": "2026-01-02T03:04:05Z", "created_by": "COPY app /bin/app"], ["created": "2026-01-02T03:04:06Z", "created_by": "CMD [\"/bin/app\"]", "empty_layer": true]],
        ], options: [.sortedKeys]))
        let auth = admin.account.authorization
        for blob in [config, layer] {
            let r = try await admin.http.request(.POST, "/v2/\(project)/app/blobs/uploads/?digest=\(Digest.compute(of: blob))", headers: auth, body: blob)
            guard r.status == 201 else { throw TestFailure("blob push: \(r.status)") }
        }
        let manifest = ManifestBuilder.image(config: config, layers: [layer])
        let image = try await admin.http.request(.PUT, "/v2/\(project)/app/manifests/v1", headers: auth + [("Content-Type", MediaType.ociManifest)], body: manifest)
        guard image.status == 201 else { throw TestFailure("manifest push: \(image.status)") }
        let other = try await admin.pushImage("\(project)/app", tag: "amd", seed: 42)
        let index = Array(try JSONSerialization.data(withJSONObject: [
            "schemaVersion": 2, "mediaType": MediaType.ociIndex,
            "manifests": [
                ["mediaType": MediaType.ociManifest, "digest": Digest.compute(of: manifest).description, "size": manifest.count,
                 "platform": ["os": "linux", "architecture": "arm64", "variant": "v8"]],
                ["mediaType": MediaType.ociManifest, "digest": other.digest.description, "size": 400, "platform": ["os": "linux", "architecture": "amd64"],
                 "annotations": ["note": "second"]],
            ],
        ], options: [.sortedKeys]))
        let put = try await admin.http.request(.PUT, "/v2/\(project)/app/manifests/multi", headers: auth + [("Content-Type", MediaType.ociIndex)], body: index)
        guard put.status == 201 else { throw TestFailure("index push: \(put.status) \(put.text)") }
        return (Digest.compute(of: manifest), Digest.compute(of: index))
    }

    @Test("harborapi and harbor-api-client work against Berth: projects, repositories, artifacts, tags, copy, build history, robots, users, search, statistics, permissions, audit logs, icons")
    func realClients() async throws {
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "open", "public": true])
            _ = try await Self.pushFixtures(admin, project: "team")
            let run = try await ProcessRunner.run(["python3", Self.scripts + "/harbor_clients.py", server.baseURL, BerthInstance.adminPassword])
            #expect(run.succeeded, "\(run.stderr.suffix(4000))")
            let findings = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
            #expect(findings["external_url"] as? String == server.baseURL)
            #expect(findings["registry_url"] as? String == server.hostPort)
            #expect(findings["library_owner"] as? String == "admin")
            #expect(findings["projects"] as? [String] == ["library", "open", "team", "tools"])
            #expect(findings["artifact_architecture"] as? String == "arm64")
            #expect(findings["artifact_tags"] as? [String] == ["amd", "multi", "v1"])
            #expect(findings["artifact_digest_listed"] as? Bool == true)
            #expect(findings["build_history_entries"] as? Int == 2)
            #expect(findings["copied_tags"] as? [String] == ["v1", "v1-copy"])
            #expect(findings["search_repositories"] as? [String] == ["team/app", "tools/app"])
            #expect(findings["robot_name"] as? String == "robot$tools+pipeline")
            #expect(findings["icon_content_type"] as? String == "image/svg+xml")
            #expect(findings["webhook_policies"] as? [String] == ["ci"])
            #expect(findings["webhook_payload_formats"] as? [String] == ["CloudEvents"], "\(findings["webhook_payload_formats"] ?? "")")
            #expect(findings["webhook_enabled_after_update"] as? Bool == false)
            #expect(findings["webhook_event_types"] as? Int == 10)
            #expect(findings["webhook_last_trigger_types"] as? [String] == ["DELETE_ARTIFACT", "PUSH_ARTIFACT"])
            #expect(findings["webhook_jobs"] as? Int == 0)
            #expect(findings["webhook_policies_after_delete"] as? Int == 0)
            #expect(findings["swagger_artifact_tags"] as? [String] == ["amd", "multi", "v1", "v1-copy"])
            #expect(findings["swagger_registry_url"] as? String == server.hostPort)
            #expect(findings["swagger_search_projects"] as? [String] == ["team"])
            let permissions = findings["permission_counts"] as? [String: Int]
            #expect((permissions?["system"] ?? 0) > 0 && (permissions?["project"] ?? 0) > 0)
        }
    }

    @Test("artifacts show extra_attrs, build history, index references with platforms, icon, and pull times and counts after pulls")
    func artifactFields() async throws {
        try await withSecuredServer { _, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            let (image, index) = try await Self.pushFixtures(admin, project: "team")
            let artifact = try await admin.api(.GET, "/projects/team/repositories/app/artifacts/v1").json()
            let attrs = try #require(artifact["extra_attrs"] as? [String: Any])
            #expect(attrs["architecture"] as? String == "arm64" && attrs["os"] as? String == "linux" && attrs["author"] as? String == "berth tests")
            #expect((attrs["config"] as? [String: Any])?["Cmd"] as? [String] == ["/bin/app"])
            #expect(attrs["created"] as? String == "2026-01-02T03:04:05Z")
            #expect(artifact["type"] as? String == "IMAGE" && artifact["icon"] as? String == "sha256:0048162a053eef4d4ce3fe7518615bef084403614f8bca43b40ae2e762e11e06")
            #expect(artifact["artifact_type"] as? String == "application/vnd.oci.image.config.v1+json")
            #expect(artifact["pull_time"] as? String == "0001-01-01T00:00:00.000Z")
            let href = try #require(((artifact["addition_links"] as? [String: Any])?["build_history"] as? [String: Any])?["href"] as? String)
            let history = try await admin.http.request(.GET, href, headers: admin.account.authorization)
            #expect(history.status == 200)
            let entries = try JSONSerialization.jsonObject(with: Data(history.body)) as? [[String: Any]]
            #expect(entries?.first?["created_by"] as? String == "COPY app /bin/app")
            #expect(try await admin.api(.GET, "/projects/team/repositories/app/artifacts/v1/additions/readme.md").status == 404)

            let multi = try await admin.api(.GET, "/projects/team/repositories/app/artifacts/multi").json()
            let references = try #require(multi["references"] as? [[String: Any]])
            #expect(references.count == 2)
            let arm = try #require(references.first { $0["child_digest"] as? String == image.description })
            #expect((arm["platform"] as? [String: Any])?["variant"] as? String == "v8")
            #expect(arm["child_id"] as? Int == artifact["id"] as? Int)
            #expect(arm["parent_id"] as? Int == multi["id"] as? Int)
            #expect((references.last?["annotations"] as? [String: String])?["note"] == "second")
            #expect(multi["digest"] as? String == index.description)

            // Pulls: the artifact's and tag's pull_time and the repository's pull_count follow (written each second).
            for _ in 0 ..< 3 {
                #expect(try await admin.http.request(.GET, "/v2/team/app/manifests/v1", headers: admin.account.authorization + [("Accept", MediaType.ociManifest)]).status == 200)
            }
            #expect(try await admin.http.request(.HEAD, "/v2/team/app/manifests/v1", headers: admin.account.authorization).status == 200)
            var repository: [String: Any] = [:]
            for _ in 0 ..< 50 {
                repository = try await admin.api(.GET, "/projects/team/repositories/app").json()
                if repository["pull_count"] as? Int == 3 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(repository["pull_count"] as? Int == 3, "HEAD does not count as a pull")
            let pulled = try await admin.api(.GET, "/projects/team/repositories/app/artifacts/v1").json()
            #expect(pulled["pull_time"] as? String != "0001-01-01T00:00:00.000Z")
            let tag = try #require((pulled["tags"] as? [[String: Any]])?.first)
            #expect(tag["id"] as? Int != nil && tag["pull_time"] as? String != "0001-01-01T00:00:00.000Z")
            let icon = try await admin.api(.GET, "/icons/sha256:0048162a053eef4d4ce3fe7518615bef084403614f8bca43b40ae2e762e11e06").json()
            let svg = String(decoding: Data(base64Encoded: icon["content"] as? String ?? "") ?? Data(), as: UTF8.self)
            #expect(icon["content-type"] as? String == "image/svg+xml" && svg.hasPrefix("<svg"))
        }
    }

    @Test("copy artifact needs pull on the source and push on the target; an index comes with its children and tags")
    func copyArtifact() async throws {
        try await withSecuredServer { _, admin in
            for project in ["team", "dest"] { try await admin.apiOK(.POST, "/projects", json: ["project_name": project]) }
            let (_, index) = try await Self.pushFixtures(admin, project: "team")
            let copy = try await admin.api(.POST, "/projects/dest/repositories/nested%252Fcopy/artifacts?from=team/app:multi")
            #expect(copy.status == 201)
            #expect(copy.header("Location") == "/api/v2.0/projects/dest/repositories/nested%252Fcopy/artifacts/\(index)")
            let pulled = try await admin.http.request(.GET, "/v2/dest/nested/copy/manifests/multi", headers: admin.account.authorization + [("Accept", MediaType.ociIndex)])
            #expect(pulled.status == 200 && Digest.compute(of: pulled.body) == index)
            let artifacts = try await admin.api(.GET, "/projects/dest/repositories/nested%252Fcopy/artifacts").jsonArray()
            #expect(artifacts.count == 3, "the index and both children")
            // Blobs are linked, not copied: the copy's child is pullable with its layer.
            let child = try await admin.http.request(.GET, "/v2/dest/nested/copy/manifests/v1", headers: admin.account.authorization)
            #expect(child.status == 404, "only the tags of the copied artifact come along")

            try await admin.apiOK(.POST, "/users", json: ["username": "gus", "password": "Gus-1234567"])
            try await admin.apiOK(.POST, "/projects/team/members", json: ["role_id": 3, "member_user": ["username": "gus"]])
            let gus = AccessClient(http: admin.http, account: .basic("gus", "Gus-1234567"))
            #expect(try await gus.api(.POST, "/projects/dest/repositories/x/artifacts?from=team/app:v1").status == 403, "no push on the target")
            try await admin.apiOK(.POST, "/projects/dest/members", json: ["role_id": 2, "member_user": ["username": "gus"]])
            #expect(try await gus.api(.POST, "/projects/dest/repositories/x/artifacts?from=team/app:v1").status == 201)
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "secret"])
            #expect(try await admin.pushImage("secret/app", tag: "v1", seed: 9).status == 201)
            #expect(try await gus.api(.POST, "/projects/dest/repositories/y/artifacts?from=secret/app:v1").status == 404, "no pull on the source")
            #expect(try await gus.api(.POST, "/projects/dest/repositories/y/artifacts?from=team/app:nope").status == 404)
            #expect(try await gus.api(.POST, "/projects/dest/repositories/y/artifacts?from=nonsense").status == 400)
        }
    }

    @Test("/repositories, /search, /statistics, /permissions and /audit-logs answer per caller as Harbor does")
    func perCallerViews() async throws {
        try await withSecuredServer { _, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "open", "public": true])
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "secret"])
            for repository in ["team/app", "open/tool", "secret/app"] {
                #expect(try await admin.pushImage(repository, tag: "v1", seed: UInt64(repository.count)).status == 201)
            }
            try await admin.apiOK(.POST, "/users", json: ["username": "gwen", "password": "Gwen-123456"])
            try await admin.apiOK(.POST, "/projects/team/members", json: ["role_id": 3, "member_user": ["username": "gwen"]])
            let gwen = AccessClient(http: admin.http, account: .basic("gwen", "Gwen-123456"))
            let anonymous = AccessClient(http: admin.http, account: .anonymous)

            func names(_ client: AccessClient, _ path: String, _ key: String = "name") async throws -> [String] {
                try await client.api(.GET, path).jsonArray().compactMap { $0[key] as? String }.sorted()
            }
            #expect(try await names(admin, "/repositories") == ["open/tool", "secret/app", "team/app"])
            #expect(try await names(gwen, "/repositories") == ["open/tool", "team/app"])
            #expect(try await names(anonymous, "/repositories") == ["open/tool"])
            #expect(try await admin.api(.GET, "/repositories?page_size=1").header("X-Total-Count") == "3")

            let search = try await gwen.api(.GET, "/search?q=app").json()
            #expect((search["repository"] as? [[String: Any]])?.compactMap { $0["repository_name"] as? String } == ["team/app"])
            let anonymousSearch = try await anonymous.api(.GET, "/search?q=e").json()
            #expect((anonymousSearch["project"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["open"])

            let adminStats = try await admin.api(.GET, "/statistics").json()
            #expect(adminStats["total_project_count"] as? Int == 4 && adminStats["public_project_count"] as? Int == 2)
            #expect(adminStats["total_repo_count"] as? Int == 3 && adminStats["public_repo_count"] as? Int == 1)
            #expect((adminStats["total_storage_consumption"] as? Int ?? 0) > 0)
            let gwenStats = try await gwen.api(.GET, "/statistics").json()
            #expect(gwenStats["private_project_count"] as? Int == 1 && gwenStats["private_repo_count"] as? Int == 1)
            #expect(gwenStats["total_project_count"] as? Int == 0)
            #expect(try await anonymous.api(.GET, "/statistics").status == 401)

            let adminPermissions = try await admin.api(.GET, "/permissions").json()
            #expect((adminPermissions["system"] as? [Any])?.isEmpty == false && (adminPermissions["project"] as? [Any])?.isEmpty == false)
            #expect(try await gwen.api(.GET, "/permissions").status == 403)
            #expect(try await anonymous.api(.GET, "/permissions").status == 401)
            try await gwen.apiOK(.POST, "/projects", json: ["project_name": "gwens"])
            let ownerPermissions = try await gwen.api(.GET, "/permissions").json()
            #expect(ownerPermissions["system"] == nil && (ownerPermissions["project"] as? [Any])?.isEmpty == false)

            // Audit logs: a guest reads the log of her projects only; system entries (logins) are not hers to read.
            var logs: [[String: Any]] = []
            var resources: Set<String> = []
            #expect(try await eventually {
                logs = try await gwen.api(.GET, "/audit-logs?page_size=100").jsonArray()
                resources = Set(logs.compactMap { $0["resource"] as? String })
                return resources.contains("team/app:v1") && resources.contains("gwens")
            }, "\(resources)")
            #expect(!resources.contains { $0.hasPrefix("secret") || $0.hasPrefix("open") }, "\(resources)")
            #expect(!logs.contains { $0["operation"] as? String == "login" })
            #expect(try await anonymous.api(.GET, "/audit-logs").status == 401)
        }
    }

    @Test("systeminfo, projects and status codes as Harbor's clients expect them")
    func shapes() async throws {
        try await withSecuredServer { server, admin in
            let anonymousInfo = try await AccessClient(http: admin.http, account: .anonymous).api(.GET, "/systeminfo").json()
            #expect(anonymousInfo["auth_mode"] as? String == "db_auth" && anonymousInfo["current_time"] != nil && anonymousInfo["banner_message"] != nil)
            #expect(anonymousInfo["external_url"] == nil && anonymousInfo["with_notary"] == nil && anonymousInfo["with_chartmuseum"] == nil)
            let info = try await admin.api(.GET, "/systeminfo").json()
            #expect(info["external_url"] as? String == server.baseURL && info["registry_url"] as? String == server.hostPort)
            #expect(info["primary_auth_mode"] as? Bool == false)

            let library = try await admin.api(.GET, "/projects/library").json()
            #expect(library["owner_name"] as? String == "admin")
            #expect(library.keys.contains("registry_id"))
            let members = try await admin.api(.GET, "/projects/library/members").jsonArray()
            #expect(members.contains { $0["entity_name"] as? String == "admin" && $0["role_id"] as? Int == 1 })

            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team", "cve_allowlist": ["items": [["cve_id": "CVE-2024-0001"]], "expires_at": 4_102_444_800]])
            var team = try await admin.api(.GET, "/projects/team").json()
            var allowlist = try #require(team["cve_allowlist"] as? [String: Any])
            #expect((allowlist["items"] as? [[String: Any]])?.compactMap { $0["cve_id"] as? String } == ["CVE-2024-0001"])
            #expect(allowlist["expires_at"] as? Int == 4_102_444_800 && allowlist["project_id"] as? Int == team["project_id"] as? Int)
            try await admin.apiOK(.PUT, "/projects/team", json: ["cve_allowlist": ["items": [["cve_id": "CVE-2024-0002"], ["cve_id": "CVE-2024-0003"]]]])
            team = try await admin.api(.GET, "/projects/team").json()
            allowlist = try #require(team["cve_allowlist"] as? [String: Any])
            #expect((allowlist["items"] as? [[String: Any]])?.count == 2 && allowlist["expires_at"] == nil)
            #expect(try await admin.api(.PUT, "/projects/team", json: ["cve_allowlist": ["items": [["cve_id": ""]]]]).status == 400)

            // Status codes where Harbor's swagger declares them.
            let robot = ["name": "twin", "level": "system", "duration": -1, "permissions": [[String: Any]]()] as [String: Any]
            try await admin.apiOK(.POST, "/robots", json: robot)
            #expect(try await admin.api(.POST, "/robots", json: robot).status == 400)
            #expect(try await admin.api(.DELETE, "/usergroups/999").status == 400)
            #expect(try await admin.api(.PUT, "/users/999/password", json: ["new_password": "Whatever-123"]).status == 400)
            #expect(try await admin.api(.POST, "/users", json: ["username": "admin", "password": "Whatever-123"]).status == 409)
        }
    }
}
