import Foundation
import OCI
import Testing

/// Garbage collection while the registry is used, and across a crash: a collection of 20,000 blobs with eight clients
/// pushing and pulling (some of them confirming a blob the collection is about to remove and then using it), and a
/// server killed with SIGKILL in the middle of a collection. The grace period is five seconds (instead of two hours)
/// so that garbage made by the test becomes collectable after a short wait.
@Suite("Garbage collection under load")
struct GarbageUnderLoadTests {
    @Test("a collection of 20,000 blobs while 8 clients push and pull: it removes exactly the garbage, every acknowledged push pulls back intact, quotas agree")
    func underLoad() async throws {
        try await withSecuredServer(environment: ["BERTH_GC_GRACE_SECONDS": "5"]) { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "load"])
            #expect(try await admin.pushImage("load/base", tag: "v1", seed: 42).status == 201)
            let orphans = try GarbageLoad.orphans(in: server.dataDirectory + "/storage", count: 20_000, seed: 1)
            let candidates = try await GarbageLoad.unusedBlobs(admin, "load/app", count: 200, seed: 7)
            try await Task.sleep(for: .seconds(6))

            let id = try await GarbageLoad.start(admin)
            let (run, outcome) = try await GarbageLoad.collectWhileDriving(admin, run: id, repository: "load/app", candidates: candidates)

            let counts = GarbageLoad.counts(run)
            #expect(run["job_status"] as? String == "Success", "\(run)")
            #expect((counts["blobs_deleted"] ?? 0) >= orphans.count && (counts["links_removed"] ?? 0) > 0, "\(counts)")
            #expect(!orphans.contains { FileManager.default.fileExists(atPath: $0) }, "every orphan file is gone")
            #expect(outcome.unexpected.isEmpty, "\(outcome.unexpected.prefix(20))")
            #expect(outcome.pushed.count >= 8 && outcome.raced > 0, "pushes \(outcome.pushed.count), raced \(outcome.raced)")
            let problems = try await GarbageLoad.verify(admin, outcome.pushed)
            #expect(problems.isEmpty, "\(problems.prefix(20))")
            #expect(try await admin.registry(.GET, "/v2/load/base/manifests/v1", headers: [("Accept", MediaType.ociManifest)]).status == 200)
            let verify = try await ProcessRunner.run([BerthInstance.binaryPath, "quota", "verify", "--data-dir", server.dataDirectory])
            #expect(verify.succeeded && verify.stdout.contains("project quotas agree"), "\(verify.combined)")
            print("GC under load: \(outcome.pushed.count) pushes acknowledged, \(outcome.pulls) pulls, \(outcome.raced) HEAD-then-use pushes "
                + "(\(outcome.racedRefused) refused with MANIFEST_BLOB_UNKNOWN), counts \(counts)")
        }
    }

    @Test("kill -9 in the middle of a collection: after the restart nothing referenced is missing, and the run is carried on to its end")
    func killedDuringCollection() async throws {
        let data = try TemporaryDirectory("gc-crash")
        defer { data.remove() }
        let environment = ["BERTH_GC_GRACE_SECONDS": "5"]
        var server = try await BerthInstance.start(dataDirectory: data.path, authentication: true, environment: environment)
        var admin = AccessClient(http: RegistryHTTP(base: server.baseURL), account: .basic("admin", BerthInstance.adminPassword))
        do {
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "crash"])
            var kept: [(String, Digest)] = []
            for index in 0 ..< 5 {
                let pushed = try await admin.pushImage("crash/app", tag: "v\(index)", seed: UInt64(500 + index))
                try #require(pushed.status == 201)
                kept.append(("v\(index)", pushed.digest))
            }
            // Deleted images and orphan files: the collection has links, manifests' blobs and files to remove.
            for index in 0 ..< 5 {
                let pushed = try await admin.pushImage("crash/gone", tag: "v\(index)", seed: UInt64(900 + index))
                try #require(pushed.status == 201)
                #expect(try await admin.registry(.DELETE, "/v2/crash/gone/manifests/\(pushed.digest)").status == 202)
            }
            let orphans = try GarbageLoad.orphans(in: data.path + "/storage", count: 20_000, seed: 2)
            try await Task.sleep(for: .seconds(6))

            let id = try await GarbageLoad.start(admin, workers: 1)
            var before: [String: Any] = [:]
            for _ in 0 ..< 1_200 {
                before = try await GarbageLoad.run(admin, id)
                if (GarbageLoad.counts(before)["blobs_deleted"] ?? 0) > 0 { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            await server.kill()
            let deletedBefore = GarbageLoad.counts(before)["blobs_deleted"] ?? 0
            #expect(before["job_status"] as? String == "Running" && deletedBefore > 0 && deletedBefore < orphans.count,
                    "killed while it was deleting files: \(before)")

            server = try await BerthInstance.start(dataDirectory: data.path, authentication: true, environment: environment)
            admin = AccessClient(http: RegistryHTTP(base: server.baseURL), account: .basic("admin", BerthInstance.adminPassword))
            // Nothing referenced is missing right after the restart.
            for (tag, digest) in kept {
                let manifest = try await admin.registry(.GET, "/v2/crash/app/manifests/\(tag)", headers: [("Accept", MediaType.ociManifest)])
                #expect(manifest.status == 200 && Digest.compute(of: manifest.body) == digest, "\(tag): \(manifest.status)")
                let layers = ((try? JSONSerialization.jsonObject(with: Data(manifest.body)) as? [String: Any])?["layers"] as? [[String: Any]]) ?? []
                for layer in layers {
                    let digest = layer["digest"] as? String ?? ""
                    let blob = try await admin.registry(.GET, "/v2/crash/app/blobs/\(digest)")
                    #expect(blob.status == 200 && Digest.compute(of: blob.body).description == digest, "\(tag) layer \(digest): \(blob.status)")
                }
            }
            // The killed instance's lease runs out (a minute) and the restarted one carries the same run to its end.
            let run = try await GarbageLoad.finished(admin, id, timeout: .seconds(240))
            #expect(run["job_status"] as? String == "Success", "\(run)")
            let log = try await admin.api(.GET, "/system/gc/\(id)/log").text
            #expect(log.contains("started again"), "\(log.suffix(2000))")
            #expect(!orphans.contains { FileManager.default.fileExists(atPath: $0) }, "every orphan file is gone")
            for (tag, _) in kept {
                #expect(try await admin.registry(.GET, "/v2/crash/app/manifests/\(tag)", headers: [("Accept", MediaType.ociManifest)]).status == 200)
            }
            let verify = try await ProcessRunner.run([BerthInstance.binaryPath, "quota", "verify", "--data-dir", data.path])
            #expect(verify.succeeded && verify.stdout.contains("project quotas agree"), "\(verify.combined)")
            await server.destroy()
        } catch {
            await server.destroy()
            throw error
        }
    }
}
