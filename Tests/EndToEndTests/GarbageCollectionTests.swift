import Foundation
import OCI
import Testing

/// Garbage collection with the real binary next to a running server: `berth gc --dry-run` lists what a run removes,
/// the run removes exactly that from storage and the quota, kept images still pull with skopeo, and a manifest
/// naming a blob the run removed is refused instead of stored.
@Suite("Garbage collection")
struct GarbageCollectionTests {
    @Test("berth gc next to a running server: the dry run lists the deleted image's blobs, the run removes them (files, links, quota), kept images pull, a late manifest naming a removed blob is refused")
    func collect() async throws {
        let work = try TemporaryDirectory("gc")
        defer { work.remove() }
        let keep = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("keep"), tag: "v1", layerSizes: [300_000]) })
        let drop = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("drop"), tag: "v1", layerSizes: [200_000, 1000]) })
        try await withSecuredServer { server, admin in
            let creds = "admin:\(BerthInstance.adminPassword)"
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            for (layout, target) in [("keep", "team/keep:v1"), ("drop", "team/drop:v1")] {
                let pushed = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", creds, "oci:\(work.file(layout)):v1",
                                                          "docker://\(server.hostPort)/\(target)"])
                try #require(pushed.succeeded, "\(pushed.stderr)")
            }
            func used() async throws -> Int {
                ((try await admin.api(.GET, "/projects/team/summary").json()["quota"] as? [String: Any])?["used"] as? [String: Any])?["storage"] as? Int ?? -1
            }
            func stored(_ digest: Digest) -> Bool {
                FileManager.default.fileExists(atPath: "\(server.dataDirectory)/storage/blobs/sha256/\(digest.hex.prefix(2))/\(digest.hex)")
            }
            // The image is deleted; its blobs stay linked (and counted) until a collection.
            #expect(try await admin.registry(.DELETE, "/v2/team/drop/manifests/\(drop.topDigest)").status == 202)
            // The dropped image's own blobs (its config and layers; the layout lists the manifest among its blobs too).
            let dropped = drop.blobs.filter { !keep.blobs.contains($0) && $0 != drop.topDigest }.sorted { $0.description < $1.description }
            let layer = try #require(dropped.first)
            #expect(try await admin.registry(.HEAD, "/v2/team/drop/blobs/\(layer)").status == 200)
            let before = try await used()
            let gc = [BerthInstance.binaryPath, "gc", "--grace-seconds", "0", "--data-dir", server.dataDirectory]

            let dry = try await ProcessRunner.run(gc + ["--dry-run"])
            #expect(dry.succeeded, "\(dry.combined)")
            let listed = Set(dry.stdout.split(separator: "\n").filter { $0.hasPrefix("sha256:") }.map(String.init))
            #expect(listed == Set((dropped + [drop.topDigest]).map(\.description)), "\(dry.stdout)")
            let usedAfterDryRun = try await used()
            #expect(dropped.allSatisfy(stored) && usedAfterDryRun == before, "a dry run changes nothing")

            let run = try await ProcessRunner.run(gc)
            #expect(run.succeeded && run.stdout.contains("removed 0 untagged manifests, \(dropped.count) unused links and \(dropped.count + 1) files"),
                    "\(run.combined)")
            #expect(!dropped.contains(where: stored) && !stored(drop.topDigest))
            #expect(keep.blobs.allSatisfy(stored))
            #expect(try await used() < before)
            #expect(try await admin.registry(.GET, "/v2/team/drop/blobs/\(layer)").status == 404)

            // The client that saw the layer (HEAD 200 above) pushes a manifest naming it only now: refused, not stored.
            let config = Array("{}".utf8)
            #expect(try await admin.registry(.POST, "/v2/team/drop/blobs/uploads/?digest=\(Digest.compute(of: config))",
                                             headers: [("Content-Type", "application/octet-stream")], body: config).status == 201)
            let late = try JSONSerialization.data(withJSONObject: [
                "schemaVersion": 2, "mediaType": MediaType.ociManifest,
                "config": ["mediaType": "application/vnd.oci.image.config.v1+json", "digest": Digest.compute(of: config).description, "size": config.count],
                "layers": [["mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer.description, "size": 1]],
            ] as [String: Any])
            let refused = try await admin.registry(.PUT, "/v2/team/drop/manifests/late", headers: [("Content-Type", MediaType.ociManifest)], body: Array(late))
            #expect(refused.status == 400 && refused.errorCode == "MANIFEST_BLOB_UNKNOWN", "\(refused.status) \(refused.text)")

            // What is kept still pulls, and the quota agrees with the links.
            let pull = try await ProcessRunner.run(["skopeo", "copy", "--src-tls-verify=false", "--src-creds", creds, "docker://\(server.hostPort)/team/keep:v1",
                                                    "oci:\(work.file("out")):v1"])
            #expect(pull.succeeded, "\(pull.stderr)")
            let verify = try await ProcessRunner.run([BerthInstance.binaryPath, "quota", "verify", "--data-dir", server.dataDirectory])
            #expect(verify.succeeded, "\(verify.combined)")
        }
    }
}
