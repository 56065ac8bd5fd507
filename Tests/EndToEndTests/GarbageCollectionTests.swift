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

    @Test("berth gc --delete-untagged with real clients: a tagged multi-arch index (skopeo --all) keeps its untagged platforms and an untagged oras referrer of a kept artifact stays, while an untagged index goes with its platforms and an untagged image with its layers; the dry run lists exactly those files")
    func untaggedKeepsPlatformsAndReferrers() async throws {
        let work = try TemporaryDirectory("gc-untagged")
        defer { work.remove() }
        let kept = try await onOwnThread(throwing: {
            try OCILayoutWriter.write(to: work.file("kept"), tag: "v1", layerSizes: [40_000, 1000], platforms: ["linux/amd64", "linux/arm64", "linux/s390x"])
        })
        let oldIndex = try await onOwnThread(throwing: {
            try OCILayoutWriter.write(to: work.file("old"), tag: "old", layerSizes: [30_000], platforms: ["linux/amd64", "linux/arm64"])
        })
        let single = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("single"), tag: "v1", layerSizes: [20_000]) })
        try FileManager.default.createDirectory(atPath: work.file("oras"), withIntermediateDirectories: true)
        try await withSecuredServer { server, admin in
            let creds = "admin:\(BerthInstance.adminPassword)"
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            for (layout, tag, target) in [("kept", "v1", "team/multi:v1"), ("old", "old", "team/multi:old"), ("single", "v1", "team/app:v1")] {
                let pushed = try await ProcessRunner.run(["skopeo", "copy", "--all", "--dest-tls-verify=false", "--dest-creds", creds,
                                                          "oci:\(work.file(layout)):\(tag)", "docker://\(server.hostPort)/\(target)"])
                try #require(pushed.succeeded, "\(pushed.stderr)")
            }
            let oras = try await ProcessRunner.run(["python3", RealClientTests.scriptsDirectory + "/oras_push_referrer.py", server.hostPort, "team/art",
                                                    work.file("oras")],
                                                   environment: ["ORAS_USERNAME": "admin", "ORAS_PASSWORD": BerthInstance.adminPassword])
            try #require(oras.succeeded, "\(oras.combined)")
            let line = oras.stdout.split(separator: "\n").last.map(String.init) ?? ""
            let pushed = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
            let subject = try #require(pushed["subject"]), referrer = try #require(pushed["referrer"])

            // Untag the old index, the single image and the referrer (Harbor's tag deletion): all three are untagged now.
            for (repository, tag) in [("multi", "old"), ("app", "v1"), ("art", "sbom")] {
                let deleted = try await admin.api(.DELETE, "/projects/team/repositories/\(repository)/artifacts/\(tag)/tags/\(tag)")
                #expect(deleted.status == 200, "\(repository):\(tag) \(deleted.status) \(deleted.text)")
            }
            func stored(_ digest: Digest) -> Bool {
                FileManager.default.fileExists(atPath: "\(server.dataDirectory)/storage/blobs/sha256/\(digest.hex.prefix(2))/\(digest.hex)")
            }
            let goes = oldIndex.blobs.union(single.blobs)
            #expect(goes.isDisjoint(with: kept.blobs) && goes.allSatisfy(stored))
            let gc = [BerthInstance.binaryPath, "gc", "--delete-untagged", "--grace-seconds", "0", "--data-dir", server.dataDirectory]

            let dry = try await ProcessRunner.run(gc + ["--dry-run"])
            #expect(dry.succeeded, "\(dry.combined)")
            let listed = Set(dry.stdout.split(separator: "\n").filter { $0.hasPrefix("sha256:") }.map(String.init))
            #expect(listed == Set(goes.map(\.description)), "\(dry.stdout)")
            #expect(goes.allSatisfy(stored), "a dry run deletes nothing")

            // The old index, its two platforms and the single image are the untagged manifests that go.
            let run = try await ProcessRunner.run(gc)
            #expect(run.succeeded && run.stdout.contains("removed 4 untagged manifests") && run.stdout.contains("and \(goes.count) files"), "\(run.combined)")
            #expect(!goes.contains(where: stored))
            #expect(kept.blobs.allSatisfy(stored))
            for reference in [oldIndex.topDigest, single.topDigest] {
                let gone = try await admin.registry(.GET, "/v2/team/\(reference == single.topDigest ? "app" : "multi")/manifests/\(reference)",
                                                    headers: [("Accept", "\(MediaType.ociIndex), \(MediaType.ociManifest)")])
                #expect(gone.status == 404, "\(reference) \(gone.status)")
            }

            // The kept index pulls whole, every platform.
            let pull = try await ProcessRunner.run(["skopeo", "copy", "--all", "--src-tls-verify=false", "--src-creds", creds,
                                                    "docker://\(server.hostPort)/team/multi:v1", "oci:\(work.file("out")):v1"])
            #expect(pull.succeeded, "\(pull.stderr)")
            #expect(try OCILayoutWriter.blobDigests(in: work.file("out")) == kept.blobs)

            // The untagged referrer is still listed for its subject, and its manifest and blobs are all there.
            let referrers = try await admin.registry(.GET, "/v2/team/art/referrers/\(subject)")
            #expect((try referrers.json()["manifests"] as? [[String: Any]])?.compactMap { $0["digest"] as? String } == [referrer])
            let manifest = try await admin.registry(.GET, "/v2/team/art/manifests/\(referrer)", headers: [("Accept", MediaType.ociManifest)])
            #expect(manifest.status == 200)
            let object = try manifest.json()
            let descriptors = ((object["layers"] as? [[String: Any]]) ?? []) + [object["config"] as? [String: Any] ?? [:]]
            for digest in descriptors.compactMap({ $0["digest"] as? String }) {
                #expect(try await admin.registry(.HEAD, "/v2/team/art/blobs/\(digest)").status == 200, "\(digest)")
            }
            let verify = try await ProcessRunner.run([BerthInstance.binaryPath, "quota", "verify", "--data-dir", server.dataDirectory])
            #expect(verify.succeeded, "\(verify.combined)")
        }
    }

    @Test("Harbor's GC API with harborapi: a dry run counts exactly what the run then frees (deleted and untagged images), history, logs, schedule; refusals for bad input and non-admins")
    func harborAPI() async throws {
        let work = try TemporaryDirectory("gc-api")
        defer { work.remove() }
        let keep = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("keep"), tag: "v1", layerSizes: [300_000]) })
        let drop = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("drop"), tag: "v1", layerSizes: [200_000, 1000]) })
        let loose = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("loose"), tag: "v1", layerSizes: [150_000]) })
        try await withSecuredServer(environment: ["BERTH_GC_GRACE_SECONDS": "0"]) { server, admin in
            let creds = "admin:\(BerthInstance.adminPassword)"
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            for (layout, target) in [("keep", "team/keep:v1"), ("drop", "team/drop:v1"), ("loose", "team/loose:tmp")] {
                let pushed = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", creds, "oci:\(work.file(layout)):v1",
                                                          "docker://\(server.hostPort)/\(target)"])
                try #require(pushed.succeeded, "\(pushed.stderr)")
            }
            func file(_ digest: Digest) -> String { "\(server.dataDirectory)/storage/blobs/sha256/\(digest.hex.prefix(2))/\(digest.hex)" }
            // One image deleted, one left untagged: their own blobs (and manifests) are what a run with delete_untagged frees.
            #expect(try await admin.registry(.DELETE, "/v2/team/drop/manifests/\(drop.topDigest)").status == 202)
            try await admin.apiOK(.DELETE, "/projects/team/repositories/loose/artifacts/\(loose.topDigest)/tags/tmp")
            let freed = drop.blobs.union(loose.blobs).subtracting(keep.blobs)
            let freedBytes = try freed.reduce(Int64(0)) { $0 + ((try FileManager.default.attributesOfItem(atPath: file($1))[.size] as? Int64) ?? 0) }

            let run = try await ProcessRunner.run(["python3", PortalTests.scripts + "/harbor_gc.py", server.baseURL, BerthInstance.adminPassword], timeout: 180)
            try #require(run.succeeded, "\(run.stderr.suffix(3000))")
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
            let dry = seen["dry"] as? [String: Any] ?? [:], real = seen["real"] as? [String: Any] ?? [:]
            for (name, result) in [("dry", dry), ("real", real)] {
                let parameters = result["parameters"] as? [String: Any] ?? [:]
                #expect(result["status"] as? String == "Success" && result["kind"] as? String == "MANUAL" && result["name"] as? String == "GARBAGE_COLLECTION"
                        && result["schedule_type"] as? String == "Manual", "\(name): \(result)")
                #expect(parameters["purged_blobs"] as? Int == freed.count && parameters["freed_space"] as? Int64 == freedBytes
                        && parameters["purged_manifests"] as? Int == 1 && parameters["workers"] as? Int == 2 && parameters["delete_untagged"] as? Bool == true,
                        "\(name) frees the deleted image, the untagged one and their blobs (\(freed.count) files, \(freedBytes) bytes): \(parameters)")
                let log = result["log"] as? String ?? ""
                let verb = name == "dry" ? "would delete" : "deleted"
                #expect(freed.allSatisfy { log.contains("\(verb) blob \($0)") } && log.contains("\(verb) untagged manifest team/loose@\(loose.topDigest)"),
                        "\(name) log: \(log.prefix(3000))")
            }
            #expect((dry["parameters"] as? [String: Any])?["dry_run"] as? Bool == true && (real["parameters"] as? [String: Any])?["dry_run"] as? Bool == false)
            #expect((dry["location"] as? String)?.hasSuffix("/api/v2.0/system/gc/\(dry["id"] as? Int ?? -1)") == true, "\(dry["location"] ?? "")")
            #expect(!freed.contains { FileManager.default.fileExists(atPath: file($0)) }, "the run removed what the dry run listed")
            #expect(keep.blobs.allSatisfy { FileManager.default.fileExists(atPath: file($0)) })
            let history = seen["history"] as? [[Any]] ?? []
            #expect(history.count == 2 && history.first?.first as? Int == real["id"] as? Int && history.last?[2] as? Bool == true, "\(history)")
            let schedule = seen["schedule"] as? [Any] ?? []
            #expect(schedule.count == 4 && schedule[0] as? String == "Custom" && schedule[1] as? String == "0 30 3 * * *" && schedule[3] as? Bool == true,
                    "\(schedule)")
            #expect((schedule.count == 4 ? schedule[2] as? [String: Any] : nil)?["workers"] as? Int == 3, "\(schedule)")
            #expect(seen["schedule_removed"] as? String == "None")
            let pull = try await ProcessRunner.run(["skopeo", "copy", "--src-tls-verify=false", "--src-creds", creds, "docker://\(server.hostPort)/team/keep:v1",
                                                    "oci:\(work.file("out")):v1"])
            #expect(pull.succeeded, "\(pull.stderr)")

            // Bad input gets Harbor's error JSON; nothing is queued or scheduled by it.
            let manual: (Any) -> [String: Any] = { parameters in ["schedule": ["type": "Manual"], "parameters": parameters] }
            for (body, status) in [(manual(["workers": 9]), 400), (manual(["workers": "two"]), 400), (manual(["dry_run": "yes"]), 400),
                                   (manual(["workers": 1.5]), 400), (["schedule": ["type": "Bogus"]] as [String: Any], 400),
                                   (["schedule": ["type": "Custom", "cron": "every day"]] as [String: Any], 400)] {
                let refused = try await admin.api(.POST, "/system/gc/schedule", json: body)
                #expect(refused.status == status && refused.text.contains("\"errors\""), "\(body): \(refused.status) \(refused.text)")
            }
            #expect(try await admin.api(.POST, "/system/gc/schedule", json: ["schedule": ["type": "Daily"]]).status == 201)
            #expect(try await admin.api(.POST, "/system/gc/schedule", json: ["schedule": ["type": "Weekly"]]).status == 409, "POST does not replace a schedule")
            for path in ["/system/gc/999999", "/system/gc/999999/log"] { #expect(try await admin.api(.GET, path).status == 404, "\(path)") }
            #expect(try await admin.api(.PUT, "/system/gc/999999").status == 404)
            #expect(try await admin.api(.GET, "/system/gc/abc").status == 400)
            #expect(try await admin.api(.GET, "/system/gc", json: nil).jsonArray().count == 2, "refusals queued nothing")

            // Only system administrators: a project developer and an anonymous caller are refused.
            try await admin.apiOK(.POST, "/users", json: ["username": "dev", "password": "Developer12345", "email": "dev@example.org"])
            try await admin.apiOK(.POST, "/projects/team/members", json: ["role_id": 2, "member_user": ["username": "dev"]])
            let developer = AccessClient(http: admin.http, account: .basic("dev", "Developer12345"))
            let anonymous = AccessClient(http: admin.http, account: .anonymous)
            for (client, status) in [(developer, 403), (anonymous, 401)] {
                #expect(try await client.api(.POST, "/system/gc/schedule", json: manual(["dry_run": false])).status == status)
                #expect(try await client.api(.GET, "/system/gc").status == status)
                #expect(try await client.api(.PUT, "/system/gc/\(real["id"] as? Int ?? 0)").status == status)
                #expect(try await client.api(.PUT, "/system/gc/schedule", json: ["schedule": ["type": "None"]]).status == status)
                #expect(try await client.api(.GET, "/system/gc/\(real["id"] as? Int ?? 0)/log").status == status)
            }
        }
    }

    @Test("one collection at a time: a run waits (pending) while another holds the lock and says so, a second manual run is refused with 409, a waiting run stops on request, the next one runs")
    func oneAtATime() async throws {
        try await withSecuredServer(environment: ["BERTH_GC_GRACE_SECONDS": "0"]) { server, admin in
            // Another instance's collection holds the lock (as it would on PostgreSQL with several servers).
            let database = server.dataDirectory + "/berth.db"
            func sql(_ statement: String) async throws {
                let result = try await ProcessRunner.run(["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], timeout=30); c.execute(sys.argv[2]); c.commit()",
                                                          database, statement])
                try #require(result.succeeded, "\(result.stderr)")
            }
            try await sql("UPDATE gc_lock SET run_id = 424242, expires_at = 9999999999999 WHERE id = 1")
            let started = try await admin.api(.POST, "/system/gc/schedule", json: ["schedule": ["type": "Manual"], "parameters": ["dry_run": false]])
            #expect(started.status == 201)
            let id = try #require(started.header("Location")?.split(separator: "/").last.flatMap { Int($0) }, "\(started.headers)")
            func run() async throws -> [String: Any] { try await admin.api(.GET, "/system/gc/\(id)").json() }
            var waiting: [String: Any] = [:]
            for _ in 0 ..< 100 {
                waiting = try await run()
                if (waiting["phase"] as? String)?.contains("waiting for garbage collection 424242") == true { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(waiting["job_status"] as? String == "Pending" && (waiting["phase"] as? String)?.contains("424242") == true, "\(waiting)")
            let second = try await admin.api(.POST, "/system/gc/schedule", json: ["schedule": ["type": "Manual"]])
            #expect(second.status == 409 && second.text.contains("still running"), "\(second.status) \(second.text)")

            #expect(try await admin.api(.PUT, "/system/gc/\(id)").status == 200)
            var stopped: [String: Any] = [:]
            for _ in 0 ..< 100 {
                stopped = try await run()
                if stopped["job_status"] as? String == "Stopped" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(stopped["job_status"] as? String == "Stopped", "\(stopped)")
            let log = try await admin.api(.GET, "/system/gc/\(id)/log")
            #expect(log.header("Content-Type")?.hasPrefix("text/plain") == true && log.text.contains("[INFO] waiting for garbage collection 424242"), "\(log.text)")

            // Once the other collection is gone, the next run goes through.
            try await sql("UPDATE gc_lock SET run_id = NULL, expires_at = 0 WHERE id = 1")
            let next = try await admin.api(.POST, "/system/gc/schedule", json: ["schedule": ["type": "Manual"]])
            let nextID = try #require(next.header("Location")?.split(separator: "/").last.flatMap { Int($0) }, "\(next.status) \(next.text)")
            var finished: [String: Any] = [:]
            for _ in 0 ..< 100 {
                finished = try await admin.api(.GET, "/system/gc/\(nextID)").json()
                if finished["job_status"] as? String == "Success" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(finished["job_status"] as? String == "Success", "\(finished)")
        }
    }

    @Test("Administration → Clean up in Chromium: a dry run and a real run followed live to their end with what they freed, the log, the schedule (a bad cron refused in words), a run waiting for another collection stopped")
    func portal() async throws {
        let work = try TemporaryDirectory("gc-portal")
        defer { work.remove() }
        let drop = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("drop"), tag: "v1", layerSizes: [120_000]) })
        try await withSecuredServer(environment: ["BERTH_GC_GRACE_SECONDS": "0"]) { server, admin in
            let creds = "admin:\(BerthInstance.adminPassword)"
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            let pushed = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", creds, "oci:\(work.file("drop")):v1",
                                                      "docker://\(server.hostPort)/team/drop:v1"])
            try #require(pushed.succeeded, "\(pushed.stderr)")
            #expect(try await admin.registry(.DELETE, "/v2/team/drop/manifests/\(drop.topDigest)").status == 202)

            let run = try await ProcessRunner.run(["python3", PortalTests.scripts + "/portal_gc.py", server.baseURL, BerthInstance.adminPassword, "runs"],
                                                  timeout: 240)
            try #require(run.succeeded, "\(run.stderr.suffix(3000))")
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
            let files = drop.blobs.count
            #expect(seen["empty"] as? String == "No garbage collection has run yet.", "\(seen)")
            #expect(seen["dry_status"] as? String == "Success" && seen["real_status"] as? String == "Success", "\(seen)")
            #expect((seen["dry_details"] as? String)?.hasPrefix("would free") == true && (seen["dry_details"] as? String)?.contains("\(files) files") == true,
                    "\(seen)")
            #expect((seen["real_details"] as? String)?.hasPrefix("freed") == true && (seen["real_details"] as? String)?.contains("\(files) files") == true,
                    "\(seen)")
            #expect((seen["dry_row"] as? [String])?.prefix(4).elementsEqual(["1", "Manual (admin)", "Yes", "Yes"]) == true, "\(seen)")
            #expect(seen["real_dry"] as? String == "No")
            let log = seen["log"] as? String ?? ""
            #expect(drop.blobs.allSatisfy { log.contains("deleted blob \($0)") } && log.contains("done, freed"), "\(log)")
            #expect((seen["cron_problem"] as? String)?.lowercased().contains("cron") == true, "\(seen)")
            let schedule = seen["schedule"] as? [Any] ?? []
            #expect(schedule.count == 5 && schedule[0] as? String == "Custom" && schedule[1] as? String == "0 0 4 * * *" && schedule[2] as? String == "3"
                    && schedule[3] as? Bool == true && (schedule[4] as? String)?.hasPrefix("Next run:") == true, "\(schedule)")
            let apiSchedule = try await admin.api(.GET, "/system/gc/schedule").json()
            #expect((apiSchedule["parameters"] as? [String: Any])?["workers"] as? Int == 3, "\(apiSchedule)")

            // Another collection holds the lock: the new run waits, says so live, and stops on request.
            let lock = try await ProcessRunner.run(["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], timeout=30); "
                + "c.execute('UPDATE gc_lock SET run_id = 424242, expires_at = 9999999999999 WHERE id = 1'); c.commit()", server.dataDirectory + "/berth.db"])
            try #require(lock.succeeded, "\(lock.stderr)")
            let waiting = try await ProcessRunner.run(["python3", PortalTests.scripts + "/portal_gc.py", server.baseURL, BerthInstance.adminPassword, "waiting"],
                                                      timeout: 240)
            try #require(waiting.succeeded, "\(waiting.stderr.suffix(3000))")
            let stopped = try #require(try JSONSerialization.jsonObject(with: Data(waiting.stdout.utf8)) as? [String: Any], "\(waiting.stdout)")
            #expect((stopped["waiting_details"] as? String)?.contains("waiting for garbage collection 424242") == true
                    && stopped["waiting_status"] as? String == "Pending", "\(stopped)")
            #expect(stopped["stopped_status"] as? String == "Stopped" && stopped["stop_button_left"] as? Int == 0, "\(stopped)")
        }
    }
}
