import AsyncHTTPClient
import Foundation
import OCI
import Testing

/// Proxy-cache projects (Harbor's proxy cache) in front of a real CNCF distribution, pulled by skopeo.
@Suite("Proxy cache")
struct ProxyCacheTests {
    static let accept = [("Accept", "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json")]

    @Test("a proxy-cache project: the first pull fetches (a multi-arch index too), later pulls work with the remote stopped, a moved tag is followed, pushes are refused, 20 clients pulling a new image fetch its blobs once, a blob streams to its first client while it is stored")
    func proxyCache() async throws {
        let work = try TemporaryDirectory("proxy-cache")
        defer { work.remove() }
        let distribution = try await TestDistribution.start()
        defer { distribution.stop() }
        let counter = try await CuttingProxy.start(to: distribution.port, cutAfter: Int.max / 2)
        defer { counter.stop() }
        _ = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("app"), tag: "v1", layerSizes: [300_000, 2000]) })
        _ = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("app2"), tag: "v1", layerSizes: [200_000]) })
        _ = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("multi"), tag: "v1", layerSizes: [100_000], platforms: ["linux/amd64", "linux/arm64"]) })
        _ = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("big"), tag: "v1", layerSizes: [6_000_000]) })
        _ = try await onOwnThread(throwing: { try OCILayoutWriter.write(to: work.file("slow"), tag: "v1", layerSizes: [3_000_000]) })
        for (layout, target) in [("app:v1", "library/app:v1"), ("multi:v1", "library/multi:v1"), ("big:v1", "library/big:v1"),
                                 ("slow:v1", "library/slow:v1")] {
            let push = try await ProcessRunner.run(["skopeo", "copy", "--all", "--dest-tls-verify=false", "oci:\(work.file(layout))",
                                                    "docker://\(distribution.hostPort)/\(target)"])
            try #require(push.succeeded, "\(push.stderr)")
        }
        let plain = RegistryHTTP(base: distribution.baseURL)
        func remoteDigest(_ path: String) async throws -> String? {
            try await plain.request(.HEAD, "/v2/\(path)", headers: Self.accept).header("Docker-Content-Digest")
        }
        let appDigest = try #require(try await remoteDigest("library/app/manifests/v1"))
        let multiDigest = try #require(try await remoteDigest("library/multi/manifests/v1"))

        try await withSecuredServer { server, admin in
            let creds = "admin:\(BerthInstance.adminPassword)"
            let registry = try #require(try await admin.api(.POST, "/registries", json: ["name": "upstream", "type": "docker-registry",
                                                                                           "url": counter.baseURL]).header("Location")?
                .split(separator: "/").last.flatMap { Int($0) })
            #expect(try await admin.api(.POST, "/projects", json: ["project_name": "nowhere", "registry_id": 999]).status == 400)
            #expect(try await admin.api(.POST, "/projects", json: ["project_name": "hub", "registry_id": registry,
                                                                   "metadata": ["public": "true"]]).status == 201)
            #expect(try await admin.api(.GET, "/projects/hub").json()["registry_id"] as? Int == registry)
            #expect(try await admin.api(.DELETE, "/registries/\(registry)").status == 412)
            func pull(_ reference: String, into directory: String) async throws -> CommandResult {
                try await ProcessRunner.run(["skopeo", "copy", "--all", "--src-tls-verify=false", "docker://\(server.hostPort)/hub/\(reference)",
                                             "oci:\(work.file(directory)):v1"])
            }
            func inspect(_ reference: String) async throws -> String? {
                let parts = reference.split(separator: ":")
                let answer = try await admin.registry(.GET, "/v2/hub/\(parts[0])/manifests/\(parts[1])", headers: Self.accept)
                return answer.status == 200 ? answer.header("Docker-Content-Digest") : nil
            }

            // First pulls fetch from the remote: the same digests, an index with every platform.
            let first = try await pull("library/app:v1", into: "out1")
            #expect(first.succeeded, "\(first.stderr)")
            #expect(try await inspect("library/app:v1") == appDigest)
            #expect(try await pull("library/multi:v1", into: "out2").succeeded)
            #expect(try await inspect("library/multi:v1") == multiDigest)

            // The cache fills in the background; then the remote stops and pulls still work.
            #expect(try await eventually(timeout: .seconds(20)) {
                let artifacts = try await admin.api(.GET, "/projects/hub/repositories/library%252Fapp/artifacts").jsonArray()
                let multi = try await admin.api(.GET, "/projects/hub/repositories/library%252Fmulti/artifacts").jsonArray()
                return artifacts.contains { $0["digest"] as? String == appDigest } && multi.contains { $0["digest"] as? String == multiDigest }
            })
            // Pushes are refused.
            let pushed = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", creds,
                                                      "oci:\(work.file("app:v1"))", "docker://\(server.hostPort)/hub/library/mine:v1"])
            #expect(!pushed.succeeded)
            #expect(try await admin.pushImage("hub/library/mine", tag: "v1", seed: 5).status == 403)

            // A tag moved at the remote is followed.
            let moved = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "oci:\(work.file("app2:v1"))",
                                                     "docker://\(distribution.hostPort)/library/app:v1"])
            #expect(moved.succeeded, "\(moved.stderr)")
            let movedDigest = try #require(try await remoteDigest("library/app/manifests/v1"))
            #expect(movedDigest != appDigest)
            #expect(try await inspect("library/app:v1") == movedDigest)
            // An immutability rule of the proxy project pins a cached tag: the remote moving it changes nothing here.
            func toRemote(_ layout: String, _ target: String) async throws {
                let copied = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "oci:\(work.file(layout))",
                                                          "docker://\(distribution.hostPort)/\(target)"])
                #expect(copied.succeeded, "\(copied.stderr)")
            }
            try await toRemote("app:v1", "library/app:pinned")
            #expect(try await inspect("library/app:pinned") == appDigest)
            try await admin.apiOK(.POST, "/projects/hub/immutabletagrules", json: ImmutableTagTests.rule(tags: "pinned"))
            try await toRemote("app2:v1", "library/app:pinned")
            #expect(try await remoteDigest("library/app/manifests/pinned") == movedDigest)
            #expect(try await inspect("library/app:pinned") == appDigest, "the pinned tag is served as cached")
            #expect(try await inspect("library/app:v1") == movedDigest, "tags no rule protects still follow the remote")

            // Twenty clients pull a new 6 MB image at once (manifest, then config and layer, each checked against its
            // digest): its blobs cross from the remote once.
            let before = counter.state().downstreamBytes
            let anonymous = AccessClient(http: RegistryHTTP(base: server.baseURL), account: .anonymous)
            let pulls = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0 ..< 20 {
                    group.addTask {
                        let manifest = try await anonymous.registry(.GET, "/v2/hub/library/big/manifests/v1", headers: Self.accept)
                        guard manifest.status == 200, let object = try? manifest.json() else { return false }
                        let descriptors = [object["config"] as? [String: Any]].compactMap { $0 } + (object["layers"] as? [[String: Any]] ?? [])
                        for descriptor in descriptors {
                            guard let digest = descriptor["digest"] as? String else { return false }
                            let blob = try await anonymous.registry(.GET, "/v2/hub/library/big/blobs/\(digest)")
                            guard blob.status == 200, Digest.compute(of: blob.body).description == digest else { return false }
                        }
                        return true
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(pulls.count == 20 && pulls.allSatisfy { $0 }, "\(pulls)")
            let fetched = counter.state().downstreamBytes - before
            #expect(fetched > 6_000_000 && fetched < 9_000_000, "\(fetched) bytes came from the remote for 20 pulls of a 6 MB image")

            // Through a project capped at 1 MiB/s, a 3 MB layer nobody fetched yet reaches its client as it arrives
            // (the first bytes long before the last), complete, and is stored at the same time.
            #expect(try await admin.api(.POST, "/projects", json: ["project_name": "slowhub", "registry_id": registry,
                                                                   "metadata": ["public": "true", "proxy_speed_kb": "1024"]]).status == 201)
            let slowManifest = try await admin.registry(.GET, "/v2/slowhub/library/slow/manifests/v1", headers: Self.accept).json()
            let slowLayer = try #require((slowManifest["layers"] as? [[String: Any]])?.first?["digest"] as? String)
            let (_, token, _) = try await admin.token(scope: "repository:slowhub/library/slow:pull")
            var request = HTTPClientRequest(url: "\(server.baseURL)/v2/slowhub/library/slow/blobs/\(slowLayer)")
            request.headers.add(name: "Authorization", value: "Bearer \(try #require(token))")
            let clock = ContinuousClock(), began = clock.now
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            #expect(response.status == .ok)
            let announced = response.headers.first(name: "Content-Length").flatMap { Int($0) }
            var firstByte: Duration? = nil
            var received: [UInt8] = []
            for try await chunk in response.body {
                if firstByte == nil { firstByte = clock.now - began }
                received += chunk.readableBytesView
            }
            let total = clock.now - began
            #expect(Digest.compute(of: received).description == slowLayer)
            #expect(announced == received.count && received.count > 3_000_000, "Content-Length \(String(describing: announced)), \(received.count) bytes")
            #expect(total > .milliseconds(1500), "the 1 MiB/s cap: 3 MB took \(total)")
            #expect(try #require(firstByte) < total / 3, "first byte after \(String(describing: firstByte)) of \(total)")
            let afterSlow = counter.state().downstreamBytes
            #expect(try await eventually(timeout: .seconds(10)) {
                try await anonymous.registry(.GET, "/v2/slowhub/library/slow/blobs/\(slowLayer)").status == 200
            })
            #expect(counter.state().downstreamBytes - afterSlow < 100_000, "the stored layer is served from the cache")

            // With the remote gone, cached images still pull (the cached manifest answers when the tag check fails).
            #expect(try await eventually(timeout: .seconds(20)) {
                try await admin.api(.GET, "/projects/hub/repositories/library%252Fapp/artifacts").jsonArray().contains { $0["digest"] as? String == movedDigest }
            })
            counter.stop()
            let offline = try await pull("library/app:v1", into: "out3")
            #expect(offline.succeeded, "\(offline.stderr)")
            #expect(try await inspect("library/multi:v1") == multiDigest)
            #expect(try await inspect("library/never:v1") == nil)
        }
    }
}
