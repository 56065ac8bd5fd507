import Foundation
import OCI
import Testing

/// Registry changes as their events show them, through the audit log (the first subscriber): the same change gives
/// the same entries whether it arrives on `/v2` or on `/api/v2.0`, and pulls counted just before a clean shutdown
/// are not lost.
@Suite("Change events")
struct ChangeEventTests {
    /// The manifest `AccessClient.pushImage` pushes for `seed`.
    static func manifest(seed: UInt64) -> [UInt8] {
        ManifestBuilder.image(config: Array("{\"seed\":\(seed)}".utf8), layers: [randomBytes(512, seed: seed)])
    }

    /// The project's audit entries about `repository`, oldest first, as `operation resource_type resource` with the
    /// repository's name replaced by `R`.
    static func entries(_ admin: AccessClient, project: String, repository: String) async throws -> [String] {
        let logs = try await admin.api(.GET, "/projects/\(project)/logs?page_size=100").jsonArray()
        return logs.reversed().compactMap { entry in
            guard let resource = entry["resource"] as? String, resource.hasPrefix(repository),
                  entry["username"] as? String == "admin" else { return nil }
            let shown = "R" + resource.dropFirst(repository.count)
            return "\(entry["operation"] as? String ?? "") \(entry["resource_type"] as? String ?? "") \(shown)"
        }
    }

    @Test("tag added, tag removed, artifact deleted, repository emptied: /api/v2.0 and /v2 give the same audit entries")
    func sameEntriesBothWays() async throws {
        try await withSecuredServer { _, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "shop", "metadata": ["public": "false"]])
            var kept = Digest.compute(of: [0]), old = kept
            for repository in ["shop/onv2", "shop/onapi"] {
                let first = try await admin.pushImage(repository, tag: "v1", seed: 1)
                let second = try await admin.pushImage(repository, tag: "old", seed: 2)
                #expect(first.status == 201 && second.status == 201)
                (kept, old) = (first.digest, second.digest)
            }

            // On /v2: push the manifest again under a new tag, delete the tag, the old artifact, then the last one.
            #expect(try await admin.registry(.PUT, "/v2/shop/onv2/manifests/extra", headers: [("Content-Type", MediaType.ociManifest)],
                                              body: Self.manifest(seed: 1)).status == 201)
            #expect(try await admin.registry(.DELETE, "/v2/shop/onv2/manifests/extra").status == 202)
            #expect(try await admin.registry(.DELETE, "/v2/shop/onv2/manifests/\(old)").status == 202)
            #expect(try await admin.registry(.DELETE, "/v2/shop/onv2/manifests/\(kept)").status == 202)

            // The same through the management API, ending with the repository's deletion.
            try await admin.apiOK(.POST, "/projects/shop/repositories/onapi/artifacts/v1/tags", json: ["name": "extra"])
            try await admin.apiOK(.DELETE, "/projects/shop/repositories/onapi/artifacts/v1/tags/extra")
            try await admin.apiOK(.DELETE, "/projects/shop/repositories/onapi/artifacts/\(old)")
            try await admin.apiOK(.DELETE, "/projects/shop/repositories/onapi")
            #expect(try await admin.api(.GET, "/projects/shop/repositories/onapi").status == 404)

            let expected = [
                "create artifact R:v1", "create artifact R:old", "create artifact R:extra", "delete tag R:extra",
                "delete artifact R@\(old)", "delete artifact R@\(kept)",
            ]
            var onV2: [String] = [], onAPI: [String] = []
            #expect(try await eventually {
                onV2 = try await Self.entries(admin, project: "shop", repository: "shop/onv2")
                onAPI = try await Self.entries(admin, project: "shop", repository: "shop/onapi")
                return onV2.count >= expected.count && onAPI.count >= expected.count + 1
            }, "\(onV2) \(onAPI)")
            #expect(onV2 == expected)
            #expect(onAPI == expected + ["delete repository R"], "the repository's own entry follows its artifacts'")
        }
    }

    @Test("pulls just before a clean shutdown reach the audit log after the restart at the latest")
    func pullsSurviveShutdown() async throws {
        let data = try TemporaryDirectory("events-shutdown")
        let server = try await BerthInstance.start(dataDirectory: data.path, authentication: true)
        let admin = AccessClient(http: RegistryHTTP(base: server.baseURL), account: .basic("admin", BerthInstance.adminPassword))
        let pushed = try await admin.pushImage("library/app", tag: "v1", seed: 7)
        #expect(pushed.status == 201)
        for _ in 0 ..< 25 {
            #expect(try await admin.registry(.GET, "/v2/library/app/manifests/v1", headers: [("Accept", MediaType.ociManifest)]).status == 200)
        }
        #expect(await server.stop() == 0)

        let again = try await BerthInstance.start(dataDirectory: data.path, authentication: true)
        let adminAgain = AccessClient(http: RegistryHTTP(base: again.baseURL), account: .basic("admin", BerthInstance.adminPassword))
        var pulls = 0
        let arrived = try await eventually {
            let logs = try await adminAgain.api(.GET, "/projects/library/logs?q=operation%3Dpull&page_size=100").jsonArray()
            pulls = logs.filter { $0["resource"] as? String == "library/app@\(pushed.digest)" && $0["username"] as? String == "admin" }.count
            return pulls >= 25
        }
        await again.destroy()
        #expect(arrived && pulls == 25, "\(pulls) of 25 pulls audited")
    }
}
