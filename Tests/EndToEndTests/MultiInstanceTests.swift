import Foundation
import NIOHTTP1
import OCI
import Synchronization
import Testing

/// Three `berth` instances on one PostgreSQL database and one shared storage (a directory all of them use, or a bucket
/// on a real S3 server), behind haproxy (round-robin per request), must behave as one registry.
@Suite("Several instances behind a load balancer", .serialized)
struct MultiInstanceTests {
    /// The storage the instances share.
    enum SharedStorage: String, CaseIterable, CustomTestStringConvertible {
        case directory
        case s3

        var testDescription: String { self == .directory ? "shared directory" : "S3 (rclone)" }
    }

    struct Cluster {
        let database: TestPostgresDatabase
        let storage: TemporaryDirectory
        let s3: TestS3Server?
        var instances: [BerthInstance]
        let balancer: LoadBalancer
        var admin: AccessClient { AccessClient(http: RegistryHTTP(base: balancer.baseURL), account: .basic("admin", BerthInstance.adminPassword)) }

        func destroy() async {
            await balancer.stop()
            for instance in instances { await instance.destroy() }
            await database.drop()
            storage.remove()
            s3?.stop()
        }
    }

    /// Starts three instances at once (so their migrations race) and the balancer in front of them.
    static func withCluster(_ shared: SharedStorage, environment extra: [String: String] = [:], _ body: (Cluster) async throws -> Void) async throws {
        let database = try await TestPostgresDatabase.create()
        let storage = try TemporaryDirectory("berth-shared-storage")
        let s3 = shared == .s3 ? try await TestS3Server.start() : nil
        let environment = ["BERTH_DATABASE": database.url, "BERTH_STORAGE_ROOT": storage.path].merging(s3?.environment() ?? [:]) { _, new in new }
            .merging(extra) { _, new in new }
        async let first = BerthInstance.start(authentication: true, environment: environment)
        async let second = BerthInstance.start(authentication: true, environment: environment)
        async let third = BerthInstance.start(authentication: true, environment: environment)
        let instances = try await [first, second, third]
        let balancer = try await LoadBalancer.start(backends: instances.map(\.port))
        let cluster = Cluster(database: database, storage: storage, s3: s3, instances: instances, balancer: balancer)
        do { try await body(cluster) } catch {
            // The instances' logs go with the cluster: show them with the failure.
            for (index, instance) in instances.enumerated() { print("instance \(index) log (end):\n\(instance.logTail())") }
            await cluster.destroy()
            throw error
        }
        await cluster.destroy()
    }

    @Test("real clients through the balancer: skopeo (image and multi-arch index), buildah and oras", arguments: SharedStorage.allCases)
    func realClients(_ shared: SharedStorage) async throws {
        let work = try TemporaryDirectory("cluster-clients")
        defer { work.remove() }
        try await Self.withCluster(shared) { cluster in
            let admin = cluster.admin
            let creds = "admin:\(BerthInstance.adminPassword)"
            let host = cluster.balancer.hostPort
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])

            let layout = try OCILayoutWriter.write(to: work.file("in"), tag: "v1", layerSizes: [300_000, 2_000_000, 1000])
            let push = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", creds, "oci:\(work.file("in")):v1", "docker://\(host)/team/app:v1"])
            #expect(push.succeeded, "\(push.stderr)")
            let pull = try await ProcessRunner.run(["skopeo", "copy", "--src-tls-verify=false", "--src-creds", creds, "docker://\(host)/team/app:v1", "oci:\(work.file("out")):v1"])
            #expect(pull.succeeded, "\(pull.stderr)")
            #expect(try OCILayoutWriter.blobDigests(in: work.file("out")) == layout.blobs)

            let multi = try OCILayoutWriter.write(to: work.file("multi"), tag: "m", layerSizes: [40_000], platforms: ["linux/amd64", "linux/arm64"])
            let all = try await ProcessRunner.run(["skopeo", "copy", "--all", "--dest-tls-verify=false", "--dest-creds", creds, "oci:\(work.file("multi")):m", "docker://\(host)/team/multi:m"])
            #expect(all.succeeded, "\(all.stderr)")
            // Every instance answers with the same digest.
            for instance in cluster.instances {
                let head = try await RegistryHTTP(base: instance.baseURL).request(.HEAD, "/v2/team/multi/manifests/m",
                                                                                   headers: admin.account.authorization + [("Accept", MediaType.ociIndex)])
                #expect(head.header("Docker-Content-Digest") == multi.topDigest.description)
            }

            let root = work.file("buildah-root")
            let buildah = ["buildah", "--root", root, "--runroot", work.file("buildah-run"), "--storage-driver", "vfs"]
            let container = try await ProcessRunner.run(buildah + ["from", "scratch"])
            let name = container.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            try "hello from buildah\n".write(toFile: work.file("hello.txt"), atomically: true, encoding: .utf8)
            _ = try await ProcessRunner.run(buildah + ["copy", name, work.file("hello.txt"), "/hello.txt"])
            _ = try await ProcessRunner.run(buildah + ["commit", "--format", "oci", name, "localhost/hello:1"])
            let buildahPush = try await ProcessRunner.run(buildah + ["push", "--tls-verify=false", "--creds", creds, "localhost/hello:1", "docker://\(host)/team/hello:1"])
            #expect(buildahPush.succeeded, "\(buildahPush.stderr)")
            _ = try await ProcessRunner.run(buildah + ["rmi", "-a", "-f"])
            let buildahPull = try await ProcessRunner.run(buildah + ["pull", "--tls-verify=false", "--creds", creds, "docker://\(host)/team/hello:1"])
            #expect(buildahPull.succeeded, "\(buildahPull.stderr)")

            let script = RealClientTests.scriptsDirectory + "/oras_push_referrer.py"
            let oras = try await ProcessRunner.run(["python3", script, host, "team/artifacts", work.path],
                                                   environment: ["ORAS_USERNAME": "admin", "ORAS_PASSWORD": BerthInstance.adminPassword])
            #expect(oras.succeeded, "\(oras.combined)")
            if let line = oras.stdout.split(separator: "\n").last, let pushed = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String],
               let subject = pushed["subject"] {
                let referrers = try await admin.registry(.GET, "/v2/team/artifacts/referrers/\(subject)").json()
                #expect((referrers["manifests"] as? [[String: Any]])?.count == 1)
            }
            let catalog = try await admin.registry(.GET, "/v2/_catalog").json()["repositories"] as? [String]
            #expect(catalog == ["team/app", "team/artifacts", "team/hello", "team/multi"])
            // The bytes went where the instances were told to keep them.
            let layerKey = "blobs/sha256/\(layout.blobs.first!.hex.prefix(2))/\(layout.blobs.first!.hex)"
            if let s3 = cluster.s3 {
                #expect(try await s3.keys(under: "registry/").contains("registry/" + layerKey))
                #expect(!FileManager.default.fileExists(atPath: cluster.storage.file(layerKey)))
            } else {
                #expect(FileManager.default.fileExists(atPath: cluster.storage.file(layerKey)))
            }
        }
    }

    @Test("a chunked upload whose requests land on different instances completes; racing pushes of one blob and one tag converge",
          arguments: SharedStorage.allCases)
    func crossInstanceUploadsAndRaces(_ shared: SharedStorage) async throws {
        try await Self.withCluster(shared) { cluster in
            let admin = cluster.admin
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            let auth = admin.account.authorization
            let nodes = cluster.instances.map { RegistryHTTP(base: $0.baseURL) }

            // POST on the first, a chunk on each of the others, PUT back on the first.
            let blob = randomBytes(3 * 1024 * 1024, seed: 42)
            let digest = Digest.compute(of: blob)
            let start = try await nodes[0].request(.POST, "/v2/team/chunks/blobs/uploads/", headers: auth)
            #expect(start.status == 202)
            var location = try #require(start.header("Location"))
            let thirds = [blob[0 ..< 1_000_000], blob[1_000_000 ..< 2_000_000], blob[2_000_000...]]
            for (index, part) in thirds.prefix(2).enumerated() {
                let from = index * 1_000_000
                let patch = try await nodes[index + 1].request(.PATCH, location, headers: auth + [
                    ("Content-Type", "application/octet-stream"), ("Content-Range", "\(from)-\(from + part.count - 1)"),
                ], body: Array(part))
                #expect(patch.status == 202, "PATCH on instance \(index + 1): \(patch.status) \(patch.text)")
                location = patch.header("Location") ?? location
            }
            let finish = try await nodes[0].request(.PUT, location + (location.contains("?") ? "&" : "?") + "digest=\(digest)",
                                                    headers: auth + [("Content-Type", "application/octet-stream")], body: Array(thirds[2]))
            #expect(finish.status == 201, "\(finish.text)")
            let fetched = try await nodes[2].request(.GET, "/v2/team/chunks/blobs/\(digest)", headers: auth)
            #expect(fetched.status == 200 && Digest.compute(of: fetched.body) == digest)

            // Two instances race the same blob and the same tag, ten times over.
            for round in 0 ..< 10 {
                let config = Array("{\"round\":\(round)}".utf8)
                let layer = randomBytes(4096, seed: UInt64(500 + round))
                let manifests = (0 ..< 2).map { variant in
                    ManifestBuilder.image(config: config, layers: [layer], annotations: ["variant": "\(variant)"])
                }
                async let a: Void = Self.push(nodes[0], auth, "team/race", config: config, layer: layer, manifest: manifests[0], tag: "latest")
                async let b: Void = Self.push(nodes[1], auth, "team/race", config: config, layer: layer, manifest: manifests[1], tag: "latest")
                _ = try await (a, b)
                let head = try await nodes[2].request(.HEAD, "/v2/team/race/manifests/latest", headers: auth + [("Accept", MediaType.ociManifest)])
                let winner = head.header("Docker-Content-Digest")
                #expect(manifests.map { Digest.compute(of: $0).description }.contains(winner ?? ""))
                for manifest in manifests {
                    let byDigest = try await nodes[2].request(.GET, "/v2/team/race/manifests/\(Digest.compute(of: manifest))", headers: auth + [("Accept", MediaType.ociManifest)])
                    #expect(byDigest.status == 200 && byDigest.body == manifest)
                }
                let layerHead = try await nodes[2].request(.HEAD, "/v2/team/race/blobs/\(Digest.compute(of: layer))", headers: auth)
                #expect(layerHead.status == 200)
            }
            let tags = try await nodes[1].request(.GET, "/v2/team/race/tags/list", headers: auth).json()["tags"] as? [String]
            #expect(tags == ["latest"])
        }
    }

    static func push(_ node: RegistryHTTP, _ auth: [(String, String)], _ repo: String, config: [UInt8], layer: [UInt8], manifest: [UInt8], tag: String) async throws {
        for blob in [config, layer] {
            let result = try await node.request(.POST, "/v2/\(repo)/blobs/uploads/?digest=\(Digest.compute(of: blob))",
                                                headers: auth + [("Content-Type", "application/octet-stream")], body: blob)
            guard result.status == 201 else { throw TestFailure("blob push: \(result.status) \(result.text)") }
        }
        let put = try await node.request(.PUT, "/v2/\(repo)/manifests/\(tag)", headers: auth + [("Content-Type", MediaType.ociManifest)], body: manifest)
        guard put.status == 201 else { throw TestFailure("manifest push: \(put.status) \(put.text)") }
    }

    @Test("killing an instance during mixed push and pull load loses no acknowledged push; clients see only retryable errors",
          arguments: SharedStorage.allCases)
    func instanceCrash(_ shared: SharedStorage) async throws {
        try await Self.withCluster(shared) { cluster in
            let admin = cluster.admin
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "load"])
            let balanced = RegistryHTTP(base: cluster.balancer.baseURL)
            let auth = admin.account.authorization
            let begin = ContinuousClock.now
            // Five seconds of load at least; on a machine busy with the whole suite it goes on (up to a minute) until
            // enough pushes were acknowledged after the crash for the checks below to mean something.
            let stop = begin + .seconds(5), hardStop = begin + .seconds(60)
            let crashAt = begin + .seconds(1.5)
            let acknowledgedAfterCrash = SharedCount()
            let keepGoing: @Sendable () -> Bool = {
                let now = ContinuousClock.now
                return now < stop || (now < hardStop && acknowledgedAfterCrash.value <= 10)
            }
            let victim = cluster.instances[1]
            async let crash: Void = {
                try? await Task.sleep(until: crashAt)
                await victim.kill()
            }()
            let outcomes = try await withThrowingTaskGroup(of: (acknowledged: [(String, Digest)], unexpected: [String], retries: Int, afterCrash: Int).self) { group in
                for worker in 0 ..< 6 {
                    group.addTask {
                        var acknowledged: [(String, Digest)] = []
                        var unexpected: [String] = []
                        var retries = 0
                        var afterCrash = 0
                        var n = 0
                        while keepGoing() {
                            n += 1
                            let tag = "w\(worker)-\(n)"
                            let config = Array("{\"worker\":\(worker),\"n\":\(n)}".utf8)
                            let layer = randomBytes(2048, seed: UInt64(worker * 100_000 + n))
                            let manifest = ManifestBuilder.image(config: config, layers: [layer])
                            do {
                                try await Self.push(balanced, auth, "load/app", config: config, layer: layer, manifest: manifest, tag: tag)
                                acknowledged.append((tag, Digest.compute(of: manifest)))
                                if ContinuousClock.now > crashAt + .milliseconds(300) {
                                    afterCrash += 1
                                    acknowledgedAfterCrash.increment()
                                }
                                if let (oldTag, _) = acknowledged.randomElement() {
                                    let pulled = try await balanced.request(.GET, "/v2/load/app/manifests/\(oldTag)", headers: auth + [("Accept", MediaType.ociManifest)])
                                    if pulled.status != 200 { Self.classify(pulled.status, "pull \(oldTag)", &unexpected, &retries) }
                                }
                            } catch let failure as TestFailure {
                                let status = Int(failure.description.split(separator: " ").dropFirst(2).first?.description ?? "") ?? 0
                                Self.classify(status, failure.description, &unexpected, &retries)
                            } catch {
                                retries += 1  // connection reset or refused: the client retries
                            }
                        }
                        return (acknowledged, unexpected, retries, afterCrash)
                    }
                }
                return try await group.reduce(into: [(acknowledged: [(String, Digest)], unexpected: [String], retries: Int, afterCrash: Int)]()) { $0.append($1) }
            }
            await crash
            let acknowledged = outcomes.flatMap(\.acknowledged)
            let unexpected = outcomes.flatMap(\.unexpected)
            #expect(acknowledged.count > 20, "the load made progress")
            #expect(outcomes.map(\.afterCrash).reduce(0, +) > 10, "pushes went on through the surviving instances")
            #expect(victim.pid == 0, "the instance was killed during the load")
            #expect(unexpected.isEmpty, "\(unexpected.prefix(5))")
            // Every acknowledged push is there, with its exact manifest, through the surviving instances.
            var missing: [String] = []
            for (tag, digest) in acknowledged {
                let head = try await balanced.request(.HEAD, "/v2/load/app/manifests/\(tag)", headers: auth + [("Accept", MediaType.ociManifest)])
                if head.header("Docker-Content-Digest") != digest.description { missing.append(tag) }
            }
            #expect(missing.isEmpty, "acknowledged but missing: \(missing.prefix(5))")
        }
    }

    @Test("three HTTPS instances behind haproxy (TCP, TLS passthrough) serve certificates of one CA: a node that trusts it once works against any instance")
    func oneAuthorityForEveryInstance() async throws {
        let work = try TemporaryDirectory("cluster-tls")
        defer { work.remove() }
        let database = try await TestPostgresDatabase.create()
        let storage = try TemporaryDirectory("berth-shared-storage")
        defer { storage.remove() }
        let environment = ["BERTH_DATABASE": database.url, "BERTH_STORAGE_ROOT": storage.path]
        // Started at once, so the first start's CA creation races: one CA must win for all.
        async let first = BerthInstance.start(authentication: true, extraArguments: ["--tls-generate"], environment: environment)
        async let second = BerthInstance.start(authentication: true, extraArguments: ["--tls-generate"], environment: environment)
        async let third = BerthInstance.start(authentication: true, extraArguments: ["--tls-generate"], environment: environment)
        let instances = try await [first, second, third]
        let balancer = try await LoadBalancer.start(backends: instances.map(\.port), tcp: true)
        do {
            let fingerprints = Set(instances.compactMap(\.caFingerprint))
            #expect(fingerprints.count == 1, "\(fingerprints)")
            let fingerprint = try #require(fingerprints.first)
            let root = work.file("node")
            let trust = try await ProcessRunner.run([BerthInstance.binaryPath, "trust", balancer.baseURL, "--fingerprint", fingerprint, "--root", root,
                                                     "--runtime", "containers"])
            #expect(trust.succeeded, "\(trust.combined)")
            let caFile = root + "/etc/containers/certs.d/\(balancer.hostPort)/ca.crt"
            // Each instance presents its own leaf, issued by the one CA.
            var leaves: Set<String> = []
            for instance in instances {
                let presented = try await TestTLS.presentedSubjects(port: instance.port, caFile: caFile)
                #expect(presented.verified, "instance on \(instance.port)")
                let serial = try await ProcessRunner.run(["sh", "-c", "openssl s_client -connect 127.0.0.1:\(instance.port) </dev/null 2>/dev/null | openssl x509 -noout -serial"])
                leaves.insert(serial.stdout)
            }
            #expect(leaves.count == 3)
            // skopeo through the balancer (a connection per blob lands on different instances), verifying with the CA only.
            let creds = "admin:\(BerthInstance.adminPassword)"
            let certDir = root + "/etc/containers/certs.d/\(balancer.hostPort)"
            _ = try OCILayoutWriter.write(to: work.file("image"), tag: "v1", layerSizes: [100_000, 80_000, 60_000])
            let push = try await ProcessRunner.run(["skopeo", "copy", "--dest-creds", creds, "--dest-cert-dir", certDir,
                                                    "oci:\(work.file("image")):v1", "docker://\(balancer.hostPort)/library/spread:v1"])
            #expect(push.succeeded, "\(push.stderr)")
            for _ in 0 ..< 3 {
                let pull = try await ProcessRunner.run(["skopeo", "inspect", "--creds", creds, "--cert-dir", certDir, "docker://\(balancer.hostPort)/library/spread:v1"])
                #expect(pull.succeeded, "\(pull.stderr)")
            }
            let back = try await ProcessRunner.run(["skopeo", "copy", "--src-creds", creds, "--src-cert-dir", certDir,
                                                    "docker://\(balancer.hostPort)/library/spread:v1", "oci:\(work.file("back")):v1"])
            #expect(back.succeeded, "\(back.stderr)")
            #expect(try OCILayoutWriter.blobDigests(in: work.file("back")) == OCILayoutWriter.blobDigests(in: work.file("image")))
        } catch {
            Issue.record(error)
        }
        await balancer.stop()
        for instance in instances { await instance.destroy() }
        await database.drop()
    }

    @Test("event-based replication from three instances: every push through the balancer is replicated exactly once")
    func replicationOncePerEvent() async throws {
        let distribution = try await TestDistribution.start()
        defer { distribution.stop() }
        try await Self.withCluster(.directory) { cluster in
            let admin = cluster.admin
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            let registry = try #require(try await admin.api(.POST, "/registries", json: ["name": "dist", "type": "docker-registry", "url": distribution.baseURL])
                .header("Location")?.split(separator: "/").last.flatMap { Int($0) })
            let policy = try #require(try await admin.api(.POST, "/replication/policies", json: [
                "name": "fan-out", "dest_registry": ["id": registry], "trigger": ["type": "event_based"], "enabled": true,
                "filters": [["type": "name", "value": "team/**"]]]).header("Location")?.split(separator: "/").last.flatMap { Int($0) })
            var digests: [String: String] = [:]
            for index in 0 ..< 6 {
                let pushed = try await admin.pushImage("team/app", tag: "v\(index)", seed: UInt64(100 + index))
                #expect(pushed.status == 201)
                digests["v\(index)"] = pushed.digest.description
            }
            let plain = RegistryHTTP(base: distribution.baseURL)
            #expect(try await eventually(timeout: .seconds(60)) {
                for (tag, digest) in digests {
                    let head = try await plain.request(.HEAD, "/v2/team/app/manifests/\(tag)",
                                                       headers: [("Accept", "application/vnd.oci.image.manifest.v1+json")])
                    if head.header("Docker-Content-Digest") != digest { return false }
                }
                return true
            })
            // One execution with one task per push, whichever instance dispatched it.
            var executions: [[String: Any]] = []
            #expect(try await eventually(timeout: .seconds(30)) {
                executions = try await admin.api(.GET, "/replication/executions?policy_id=\(policy)&page_size=50").jsonArray()
                return executions.count >= 6 && executions.allSatisfy { $0["status"] as? String == "Succeed" }
            }, "\(executions)")
            try await Task.sleep(for: .seconds(2))
            executions = try await admin.api(.GET, "/replication/executions?policy_id=\(policy)&page_size=50").jsonArray()
            #expect(executions.count == 6 && executions.allSatisfy { $0["total"] as? Int == 1 && $0["trigger"] as? String == "event_based" }, "\(executions)")
        }
    }

    @Test("fifty concurrent pushers through three instances never take a project past its limit; after deletions the recorded usage equals berth quota verify's recomputation")
    func quotaUnderConcurrency() async throws {
        try await Self.withCluster(.directory) { cluster in
            let admin = cluster.admin
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "capped", "storage_limit": 20_000])
            let results = try await withThrowingTaskGroup(of: (Int, Int, Digest).self) { group in
                for index in 0 ..< 50 {
                    group.addTask {
                        let pushed = try await admin.pushImage("capped/app\(index % 5)", tag: "t\(index)", seed: UInt64(1000 + index))
                        return (index, pushed.status, pushed.digest)
                    }
                }
                return try await group.reduce(into: [(Int, Int, Digest)]()) { $0.append($1) }
            }
            let accepted = results.filter { $0.1 == 201 }
            #expect(!accepted.isEmpty && accepted.count < 50, "\(results.map(\.1))")
            #expect(results.allSatisfy { [201, 403].contains($0.1) }, "only pushed or refused: \(results.map(\.1))")
            func used() async throws -> Int {
                ((try await admin.api(.GET, "/projects/capped/summary").json()["quota"] as? [String: Any])?["used"] as? [String: Any])?["storage"] as? Int ?? -1
            }
            let usage = try await used()
            #expect(usage > 0 && usage <= 20_000, "\(usage)")
            // Every acknowledged push pulls back.
            for (index, _, digest) in accepted {
                #expect(try await admin.registry(.GET, "/v2/capped/app\(index % 5)/manifests/\(digest)",
                                                 headers: [("Accept", MediaType.ociManifest)]).status == 200)
            }
            // Deletions, then the recorded usage against a recomputation from the links.
            try await admin.apiOK(.DELETE, "/projects/capped/repositories/app0")
            try await admin.apiOK(.DELETE, "/projects/capped/repositories/app1")
            #expect(try await used() < usage)
            let verify = try await ProcessRunner.run([BerthInstance.binaryPath, "quota", "verify", "--data-dir", cluster.storage.path],
                                                     environment: ["BERTH_DATABASE": cluster.database.url])
            #expect(verify.succeeded && verify.stdout.contains("project quotas agree"), "\(verify.combined)")
        }
    }

    @Test("garbage collection of 20,000 blobs on three instances on PostgreSQL while 8 clients push and pull through the balancer: one run, exactly the garbage removed, every acknowledged push intact, quotas agree")
    func garbageCollectionUnderLoad() async throws {
        try await Self.withCluster(.directory, environment: ["BERTH_GC_GRACE_SECONDS": "5"]) { cluster in
            let admin = cluster.admin
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "load"])
            #expect(try await admin.pushImage("load/base", tag: "v1", seed: 42).status == 201)
            let orphans = try GarbageLoad.orphans(in: cluster.storage.path, count: 20_000, seed: 3)
            let candidates = try await GarbageLoad.unusedBlobs(admin, "load/app", count: 200, seed: 9)
            try await Task.sleep(for: .seconds(6))

            let id = try await GarbageLoad.start(admin)
            // A second run asked for through another instance is refused while this one goes on.
            let second = try await admin.api(.POST, "/system/gc/schedule", json: ["schedule": ["type": "Manual"]])
            #expect(second.status == 409, "\(second.status) \(second.text)")
            let (run, outcome) = try await GarbageLoad.collectWhileDriving(admin, run: id, repository: "load/app", candidates: candidates)

            let counts = GarbageLoad.counts(run)
            #expect(run["job_status"] as? String == "Success", "\(run)")
            #expect((counts["blobs_deleted"] ?? 0) >= orphans.count && (counts["links_removed"] ?? 0) > 0, "\(counts)")
            #expect(!orphans.contains { FileManager.default.fileExists(atPath: $0) }, "every orphan file is gone")
            #expect(outcome.unexpected.isEmpty, "\(outcome.unexpected.prefix(20))")
            #expect(outcome.pushed.count >= 8, "pushes \(outcome.pushed.count)")
            let problems = try await GarbageLoad.verify(admin, outcome.pushed)
            #expect(problems.isEmpty, "\(problems.prefix(20))")
            let history = try await admin.api(.GET, "/system/gc").jsonArray()
            #expect(history.count == 1, "one run: \(history.count)")
            let verify = try await ProcessRunner.run([BerthInstance.binaryPath, "quota", "verify", "--data-dir", cluster.storage.path],
                                                     environment: ["BERTH_DATABASE": cluster.database.url])
            #expect(verify.succeeded && verify.stdout.contains("project quotas agree"), "\(verify.combined)")
        }
    }

    /// Statuses a client may retry (the balancer's 502/503/504 while an instance dies) versus real failures.
    static func classify(_ status: Int, _ what: String, _ unexpected: inout [String], _ retries: inout Int) {
        if [0, 502, 503, 504].contains(status) { retries += 1 } else { unexpected.append("\(what): \(status)") }
    }
}

/// A counter that concurrent test tasks share.
final class SharedCount: Sendable {
    private let count = Atomic<Int>(0)
    /// The current count.
    var value: Int { count.load(ordering: .relaxed) }
    /// Adds one.
    func increment() { count.add(1, ordering: .relaxed) }
}
