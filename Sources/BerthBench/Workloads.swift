import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OCI

/// Sizes and durations of the workloads.
struct WorkloadSettings: Sendable {
    var clients = 8
    var layerMiB = 128
    var layersPerClient = 2
    var chunkMiB = 10
    var manifestConnections = 64
    var manifestSeconds = 10.0
    var smallClients = 200
    var smallSeconds = 10.0
}

/// Measurements of one round against one registry, by metric key.
typealias RoundResult = [String: Double]

/// Runs workloads 1–4 and 6–7 against a started registry.
struct Workloads {
    let http: BenchHTTP
    let settings: WorkloadSettings
    let base: [UInt8]
    let log: @Sendable (String) -> Void

    /// Fresh blobs for every client: `layersPerClient` layers of `layerMiB`.
    func makeBlobs(stamp: UInt64) -> [[GeneratedBlob]] {
        (0 ..< settings.clients).map { client in
            (0 ..< settings.layersPerClient).map { layer in
                GeneratedBlob(size: settings.layerMiB << 20, base: base, stamp: stamp &* 1_000_003 &+ UInt64(client * 100 + layer))
            }
        }
    }

    /// Workload 1: concurrent pushes, monolithic or chunked; returns MB/s.
    func push(_ blobs: [[GeneratedBlob]], chunked: Bool, repositoryPrefix: String) async throws -> Double {
        let total = blobs.joined().reduce(0) { $0 + $1.size }
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, clientBlobs) in blobs.enumerated() {
                group.addTask {
                    for blob in clientBlobs {
                        if chunked {
                            try await http.pushChunked("\(repositoryPrefix)/c\(i)", blob, chunkBytes: settings.chunkMiB << 20)
                        } else {
                            try await http.pushMonolithic("\(repositoryPrefix)/c\(i)", blob)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(total) / 1e6 / seconds(since: start)
    }

    /// Workload 2: every client pulls the blobs it pushed; returns MB/s.
    func pull(_ blobs: [[GeneratedBlob]], repositoryPrefix: String) async throws -> Double {
        let start = ContinuousClock.now
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for (i, clientBlobs) in blobs.enumerated() {
                group.addTask {
                    var bytes = 0
                    for blob in clientBlobs {
                        let r = try await http.send(.GET, "/v2/\(repositoryPrefix)/c\(i)/blobs/\(blob.digest)", expect: [200])
                        guard r.bytes == blob.size else { throw BenchError("pulled \(r.bytes) of \(blob.size) bytes") }
                        bytes += r.bytes
                    }
                    return bytes
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(total) / 1e6 / seconds(since: start)
    }

    /// Workload 3: manifest GET or HEAD at `manifestConnections`; returns (req/s, p50 ms, p99 ms).
    func manifestLoad(method: HTTPMethod) async throws -> (Double, Double, Double) {
        let repo = "bench/manifest"
        let config = try await http.pushSmall(repo, Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8))
        let layerBytes = Array(base[0 ..< 4096])
        let layer = try await http.pushSmall(repo, layerBytes)
        let manifest = imageManifest(config: (config, 76), layers: [(layer, layerBytes.count)])
        try await http.pushManifest(repo, "v1", manifest)
        let accept = [("Accept", "\(MediaType.ociManifest), \(MediaType.dockerManifest), \(MediaType.ociIndex)")]
        let deadline = ContinuousClock.now + .milliseconds(Int(settings.manifestSeconds * 1000))
        let start = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0 ..< settings.manifestConnections {
                group.addTask {
                    var own: [Double] = []
                    while ContinuousClock.now < deadline {
                        let t = ContinuousClock.now
                        try await http.send(method, "/v2/\(repo)/manifests/v1", headers: accept, expect: [200])
                        own.append(seconds(since: t) * 1000)
                    }
                    return own
                }
            }
            return try await group.reduce(into: [Double]()) { $0 += $1 }
        }
        let elapsed = seconds(since: start)
        return (Double(latencies.count) / elapsed, percentile(latencies, 0.5), percentile(latencies, 0.99))
    }

    /// Workload 4: `smallClients` clients each pushing a 1 KiB blob, a manifest and a tag, repeatedly; returns pushes/s.
    func smallPushes(repository repo: String = "bench/small", lasting duration: Double? = nil) async throws -> Double {
        let configBytes = Array(#"{"architecture":"amd64","os":"linux"}"#.utf8)
        let config = try await http.pushSmall(repo, configBytes)
        let deadline = ContinuousClock.now + .milliseconds(Int((duration ?? settings.smallSeconds) * 1000))
        let start = ContinuousClock.now
        let count = try await withThrowingTaskGroup(of: Int.self) { group in
            for client in 0 ..< settings.smallClients {
                group.addTask {
                    var done = 0
                    var blob = randomBlock(1024, seed: UInt64(client + 1) &* 7919)
                    while ContinuousClock.now < deadline {
                        blob.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(done), toByteOffset: 0, as: UInt64.self) }
                        let digest = try await http.pushSmall(repo, blob)
                        let manifest = imageManifest(config: (config, configBytes.count), layers: [(digest, blob.count)])
                        try await http.pushManifest(repo, "c\(client)-\(done)", manifest)
                        done += 1
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(count) / seconds(since: start)
    }
}
