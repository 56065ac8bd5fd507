import Foundation
import NIOHTTP1
import OCI
import Testing

/// Upload sessions do not create repositories, and how many may be open is bounded.
@Suite("Upload sessions")
struct UploadSessionTests {
    @Test("starting and cancelling uploads leaves no repository behind; one appears when content is committed")
    func noRepositoryFromAnUploadAlone() async throws {
        try await withSecuredServer { _, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "scratch"])
            let auth = admin.account.authorization
            for index in 0 ..< 300 {
                let start = try await admin.http.request(.POST, "/v2/scratch/r\(index % 30)/blobs/uploads/", headers: auth)
                #expect(start.status == 202)
                let location = try #require(start.header("Location"))
                #expect(try await admin.http.request(.GET, location, headers: auth).status == 204, "the session works before its repository exists")
                #expect(try await admin.http.request(.DELETE, location, headers: auth).status == 204)
            }
            // A monolithic upload with a wrong digest and a manifest naming missing blobs create nothing either.
            let wrong = try await admin.http.request(.POST, "/v2/scratch/bad/blobs/uploads/?digest=\(Digest.compute(of: [1]))", headers: auth, body: [2])
            #expect(wrong.status == 400)
            let manifest = ManifestBuilder.image(config: Array("{}".utf8), layers: [[1, 2, 3]])
            let orphan = try await admin.http.request(.PUT, "/v2/scratch/orphan/manifests/v1", headers: auth + [("Content-Type", MediaType.ociManifest)], body: manifest)
            #expect(orphan.status == 400 && orphan.errorCode == "MANIFEST_BLOB_UNKNOWN")

            #expect(try await admin.registry(.GET, "/v2/_catalog").json()["repositories"] as? [String] == [])
            #expect(try await admin.api(.GET, "/projects/scratch/repositories").jsonArray().isEmpty)
            #expect(try await admin.api(.GET, "/projects/scratch/_deletable").json()["deletable"] as? Bool == true)

            // An unfinished session is no reason to keep a project.
            #expect(try await admin.http.request(.POST, "/v2/scratch/left/blobs/uploads/", headers: auth).status == 202)
            #expect(try await admin.pushImage("scratch/app", tag: "v1", seed: 3).status == 201)
            #expect(try await admin.registry(.GET, "/v2/_catalog").json()["repositories"] as? [String] == ["scratch/app"])
            try await admin.apiOK(.DELETE, "/projects/scratch/repositories/app")
            try await admin.apiOK(.DELETE, "/projects/scratch")
        }
    }

    @Test("open sessions are capped per account and per project with a clear 429; cancelling frees a place")
    func sessionLimits() async throws {
        try await withSecuredServer(environment: ["BERTH_UPLOAD_MAX_SESSIONS_PER_ACCOUNT": "5", "BERTH_UPLOAD_MAX_SESSIONS_PER_PROJECT": "8"]) { _, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            for user in ["dana", "eric"] {
                try await admin.apiOK(.POST, "/users", json: ["username": user, "password": "Secret-12345"])
                try await admin.apiOK(.POST, "/projects/team/members", json: ["role_id": 2, "member_user": ["username": user]])
            }
            func start(_ user: String) async throws -> HTTPResult {
                try await admin.http.request(.POST, "/v2/team/app/blobs/uploads/", headers: Account.basic(user, "Secret-12345").authorization)
            }
            var danas: [String] = []
            for _ in 0 ..< 5 {
                let r = try await start("dana")
                #expect(r.status == 202)
                danas.append(try #require(r.header("Location")))
            }
            let sixth = try await start("dana")
            #expect(sixth.status == 429 && sixth.errorCode == "TOOMANYREQUESTS")
            #expect(sixth.text.contains("5 upload sessions"))
            #expect(try await admin.http.request(.DELETE, danas[0], headers: Account.basic("dana", "Secret-12345").authorization).status == 204)
            #expect(try await start("dana").status == 202, "a cancelled session frees its place")
            // The project has 5 of its 8 places taken: eric gets 3, then the project is full.
            for _ in 0 ..< 3 { #expect(try await start("eric").status == 202) }
            let full = try await start("eric")
            #expect(full.status == 429 && full.text.contains("project team"))
            // Other projects are not affected.
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "other"])
            #expect(try await admin.http.request(.POST, "/v2/other/app/blobs/uploads/", headers: admin.account.authorization).status == 202)
        }
    }
}
