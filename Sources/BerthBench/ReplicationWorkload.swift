import AsyncHTTPClient
import Foundation
import NIOCore
import OCI

/// Replication throughput and latency: a source Berth holds `images` images of `layers` layers (`layerBytes` each,
/// all distinct); a manual policy copies them into a fresh Berth and into a fresh distribution, and `skopeo sync`
/// copies the same set into other fresh instances of each (its figures go in the distribution column). Then an
/// event-based policy to a fresh Berth: the time from a small image's manifest push answering 201 to the manifest
/// being readable at the destination.
struct ReplicationWorkload {
    let berth: String
    let distribution: String
    let client: HTTPClient
    let images: Int
    let layers: Int
    let layerBytes: Int
    let log: @Sendable (String) -> Void

    /// The figures: Berth's into the first result, skopeo's into the second.
    func measure() async throws -> (berth: RoundResult, skopeo: RoundResult) {
        var started: [RegistryUnderTest] = []
        func start(_ kind: RegistryKind) async throws -> RegistryUnderTest {
            let registry = try await RegistryUnderTest.start(kind, berthBinary: berth, distributionBinary: distribution, client: client)
            started.append(registry)
            return registry
        }
        defer {
            for registry in started { registry.removeData() }
        }
        do {
            let result = try await run(start)
            for registry in started { await registry.stop() }
            return result
        } catch {
            for registry in started { await registry.stop() }
            throw error
        }
    }

    private func run(_ start: (RegistryKind) async throws -> RegistryUnderTest) async throws -> (berth: RoundResult, skopeo: RoundResult) {
        let source = try await start(.berth)
        let http = source.http(client)
        let total = try await populate(http)
        log(String(format: "  source: %d images × %d layers, %.0f MB", images, layers, Double(total) / 1e6))
        var berthResult: RoundResult = [:], skopeoResult: RoundResult = [:]
        for (kind, key) in [(RegistryKind.berth, "berth"), (.distribution, "distribution")] {
            let target = try await start(kind)
            let seconds = try await replicate(from: http, to: target, type: kind == .berth ? "harbor" : "docker-registry", name: key)
            berthResult["replication_\(key)_mbps"] = Double(total) / 1e6 / seconds
            let other = try await start(kind)
            let skopeo = try await skopeoSync(from: source, to: other)
            skopeoResult["replication_\(key)_mbps"] = Double(total) / 1e6 / skopeo
            log(String(format: "  → %@: Berth %.1f s, skopeo sync %.1f s", kind.label, seconds, skopeo))
        }
        let eventTarget = try await start(.berth)
        let latencies = try await eventLatencies(source: http, target: eventTarget.http(client), targetURL: eventTarget.baseURL)
        berthResult["replication_event_p50_ms"] = percentile(latencies, 0.5)
        berthResult["replication_event_max_ms"] = latencies.max() ?? .nan
        log(String(format: "  event-based push → replicated: p50 %.0f ms, max %.0f ms", percentile(latencies, 0.5), latencies.max() ?? .nan))
        return (berthResult, skopeoResult)
    }

    /// Pushes the images; returns their bytes.
    func populate(_ http: BenchHTTP) async throws -> Int {
        var total = 0
        for image in 0 ..< images {
            let repository = "bench/img\(image)"
            let config = Array(#"{"architecture":"amd64","os":"linux","image":\#(image)}"#.utf8)
            let configDigest = try await http.pushSmall(repository, config)
            var layerList: [(Digest, Int)] = []
            for layer in 0 ..< layers {
                let bytes = randomBlock(layerBytes, seed: UInt64(9000 + image * 100 + layer))
                layerList.append((try await http.pushSmall(repository, bytes), bytes.count))
                total += bytes.count
            }
            try await http.pushManifest(repository, "v1", imageManifest(config: (configDigest, config.count), layers: layerList))
        }
        return total
    }

    /// A management-API call on the source (authentication is off in the benchmark) that must answer 201; the id
    /// at the end of its `Location`.
    func create(_ http: BenchHTTP, _ path: String, _ body: [String: Any]) async throws -> Int {
        let data = try JSONSerialization.data(withJSONObject: body)
        let answer = try await http.send(.POST, "/api/v2.0" + path, headers: [("Content-Type", "application/json")],
                                         body: .bytes(ByteBuffer(bytes: data)), expect: [201])
        guard let id = answer.headers.first(name: "Location")?.split(separator: "/").last.flatMap({ Int($0) }) else {
            throw BenchError("POST \(path): no id in Location")
        }
        return id
    }

    /// Registers `target`, runs a manual policy for `bench/**` and waits for its execution; returns its seconds.
    func replicate(from http: BenchHTTP, to target: RegistryUnderTest, type: String, name: String) async throws -> Double {
        let registry = try await create(http, "/registries", ["name": name, "type": type, "url": target.baseURL])
        let policy = try await create(http, "/replication/policies", [
            "name": "to-\(name)", "dest_registry": ["id": registry], "filters": [["type": "name", "value": "bench/**"]],
            "trigger": ["type": "manual"], "enabled": true])
        let begin = ContinuousClock.now
        let execution = try await create(http, "/replication/executions", ["policy_id": policy])
        while true {
            var request = HTTPClientRequest(url: http.base + "/api/v2.0/replication/executions/\(execution)")
            request.method = .GET
            let response = try await client.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
            switch object?["status"] as? String {
            case "InProgress": try await Task.sleep(for: .milliseconds(20))
            case "Succeed": return seconds(since: begin)
            default: throw BenchError("replication to \(name) ended \(object?["status"] ?? "?"): \(object ?? [:])")
            }
        }
    }

    /// `skopeo sync` of the same images into `target`; returns its seconds.
    func skopeoSync(from source: RegistryUnderTest, to target: RegistryUnderTest) async throws -> Double {
        let list = (0 ..< images).map { "    bench/img\($0): [v1]" }.joined(separator: "\n")
        let file = NSTemporaryDirectory() + "berth-bench-sync-\(UUID().uuidString.prefix(8)).yml"
        try "\(source.baseURL.replacingOccurrences(of: "http://", with: "")):\n  tls-verify: false\n  images:\n\(list)\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["skopeo", "sync", "--src", "yaml", "--dest", "docker", "--dest-tls-verify=false", "--preserve-digests",
                             file, target.baseURL.replacingOccurrences(of: "http://", with: "") + "/skopeo"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let begin = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("skopeo sync failed (\(process.terminationStatus))") }
        return seconds(since: begin)
    }

    /// Pushes ten small images under an event-based policy; the milliseconds until each is readable at the target.
    func eventLatencies(source: BenchHTTP, target: BenchHTTP, targetURL: String) async throws -> [Double] {
        let registry = try await create(source, "/registries", ["name": "events", "type": "harbor", "url": targetURL])
        _ = try await create(source, "/replication/policies", [
            "name": "on-push", "dest_registry": ["id": registry], "filters": [["type": "name", "value": "events/**"]],
            "trigger": ["type": "event_based"], "enabled": true])
        var latencies: [Double] = []
        for index in 0 ..< 10 {
            let repository = "events/app"
            let config = Array(#"{"architecture":"amd64","os":"linux","n":\#(index)}"#.utf8)
            let layer = randomBlock(4096, seed: UInt64(77_000 + index))
            let configDigest = try await source.pushSmall(repository, config)
            let layerDigest = try await source.pushSmall(repository, layer)
            try await source.pushManifest(repository, "e\(index)", imageManifest(config: (configDigest, config.count), layers: [(layerDigest, layer.count)]))
            let begin = ContinuousClock.now
            while true {
                let head = try await target.send(.HEAD, "/v2/\(repository)/manifests/e\(index)", headers: [("Accept", MediaType.ociManifest)])
                if head.status == 200 { break }
                guard seconds(since: begin) < 30 else { throw BenchError("event-based replication did not arrive within 30 s") }
                try await Task.sleep(for: .milliseconds(5))
            }
            latencies.append(seconds(since: begin) * 1000)
            try await Task.sleep(for: .milliseconds(300))
        }
        return latencies
    }
}
