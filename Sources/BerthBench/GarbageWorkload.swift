import AsyncHTTPClient
import Foundation
import NIOCore
import OCI

/// Garbage collection: each registry holds a few kept images, `linked` blobs uploaded through the API that nothing
/// uses, and enough files nobody names (written straight into its storage, as crashes leave them) to make `blobs`
/// unreferenced blobs in all. Berth collects them online with `berth gc` (4 workers) next to the running server;
/// distribution offline with `docker-registry garbage-collect`, the registry stopped, as it must. Then Berth collects
/// `blobs` new orphan files (1 worker) while eight clients push small images, whose latency is compared with the same
/// pushes without a collection.
struct GarbageWorkload {
    let berth: String
    let distribution: String
    let client: HTTPClient
    let blobs: Int
    let linked: Int
    let log: @Sendable (String) -> Void

    /// Seconds a link and a file must be old before the collection may remove them.
    static let graceSeconds = 2

    /// The figures of each registry.
    func measure() async throws -> (berth: RoundResult, distribution: RoundResult) {
        var results: [RegistryKind: RoundResult] = [:]
        for kind in RegistryKind.allCases {
            let registry = try await RegistryUnderTest.start(kind, berthBinary: berth, distributionBinary: distribution, client: client)
            do {
                results[kind] = try await run(registry)
                await registry.stop()
                registry.removeData()
            } catch {
                await registry.stop()
                registry.removeData()
                throw error
            }
        }
        return (results[.berth] ?? [:], results[.distribution] ?? [:])
    }

    private func run(_ registry: RegistryUnderTest) async throws -> RoundResult {
        let http = registry.http(client)
        for image in 0 ..< 10 { try await pushImage(http, "bench/keep", tag: "v\(image)", seed: UInt64(image)) }
        let linkedBytes = try await uploadUnused(http)
        let blobRoot = registry.kind == .berth ? registry.directory + "/data/storage/blobs/sha256" : registry.directory + "/data/docker/registry/v2/blobs/sha256"
        let orphanBytes = try plantOrphans(under: blobRoot, count: blobs - linked, layout: registry.kind)
        log(String(format: "  %@: %d unused uploads and %d orphan files (%.1f MB)", registry.kind.label, linked, blobs - linked,
                   Double(linkedBytes + orphanBytes) / 1e6))
        try await Task.sleep(for: .seconds(Self.graceSeconds + 1))
        var result: RoundResult = [:]
        switch registry.kind {
        case .berth:
            // The collection alone (4 workers), then the pushes without it, then new garbage collected under push load.
            let (seconds, summary) = try await collect(registry, workers: 4, while: nil)
            result["gc_seconds"] = seconds
            result["gc_freed_mb"] = Self.freedBytes(summary).map { Double($0) / 1e6 } ?? .nan
            log(String(format: "  Berth: berth gc %.1f s (%@)", seconds, summary.trimmingCharacters(in: .whitespacesAndNewlines)))
            let quiet = try await pushes(http, count: 400, tagPrefix: "before", keepGoing: nil)
            _ = try plantOrphans(under: blobRoot, count: blobs, layout: registry.kind, generation: 1)
            try await Task.sleep(for: .seconds(Self.graceSeconds + 1))
            let during = SharedLatencies()
            let (loadedSeconds, _) = try await collect(registry, workers: 1) { running in
                during.append(try await pushes(http, count: nil, tagPrefix: "during", keepGoing: running))
            }
            let latencies = during.values
            result["gc_loaded_seconds"] = loadedSeconds
            result["gc_push_p50_ms"] = percentile(quiet, 0.5)
            result["gc_push_p99_ms"] = percentile(quiet, 0.99)
            result["gc_push_during_p50_ms"] = percentile(latencies, 0.5)
            result["gc_push_during_p99_ms"] = percentile(latencies, 0.99)
            result["gc_push_p99_ratio"] = percentile(latencies, 0.99) / percentile(quiet, 0.99)
            log(String(format: "  Berth: under push load berth gc took %.1f s; %d pushes during it: p50 %.1f ms, p99 %.1f ms (without: %.1f, %.1f)",
                       loadedSeconds, latencies.count, percentile(latencies, 0.5), percentile(latencies, 0.99), percentile(quiet, 0.5), percentile(quiet, 0.99)))
        case .distribution:
            let quiet = try await pushes(http, count: 400, tagPrefix: "before", keepGoing: nil)
            result["gc_push_p50_ms"] = percentile(quiet, 0.5)
            result["gc_push_p99_ms"] = percentile(quiet, 0.99)
            await registry.stop()
            let gc = Process()
            gc.executableURL = URL(fileURLWithPath: distribution)
            gc.arguments = ["garbage-collect", registry.directory + "/config.yml"]
            gc.standardOutput = FileHandle.nullDevice
            gc.standardError = FileHandle.nullDevice
            let started = ContinuousClock.now
            try gc.run()
            while gc.isRunning { try await Task.sleep(for: .milliseconds(5)) }
            let seconds = (ContinuousClock.now - started).seconds
            guard gc.terminationStatus == 0 else { throw BenchError("docker-registry garbage-collect exited with \(gc.terminationStatus)") }
            let left = (try? FileManager.default.contentsOfDirectory(atPath: blobRoot))?.reduce(0) { count, prefix in
                count + ((try? FileManager.default.contentsOfDirectory(atPath: blobRoot + "/" + prefix))?.count ?? 0)
            } ?? -1
            result["gc_seconds"] = seconds
            log(String(format: "  distribution: garbage-collect %.1f s offline, %d blobs left", seconds, left))
        }
        return result
    }

    /// Runs `berth gc` next to the server with `workers`, while `load` (told whether the collection still runs) goes on;
    /// returns its seconds and its summary line.
    private func collect(_ registry: RegistryUnderTest, workers: Int,
                         while load: ((@escaping @Sendable () -> Bool) async throws -> Void)?) async throws -> (Double, String) {
        let gc = Process()
        gc.executableURL = URL(fileURLWithPath: berth)
        gc.arguments = ["gc", "--grace-seconds", String(Self.graceSeconds), "--workers", String(workers), "--data-dir", registry.directory + "/data"]
        let output = Pipe()
        let progressPath = registry.directory + "/gc-progress-\(workers).log"
        FileManager.default.createFile(atPath: progressPath, contents: nil)
        gc.standardOutput = output
        gc.standardError = FileHandle(forWritingAtPath: progressPath)
        let started = ContinuousClock.now
        try gc.run()
        let reading = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
        if let load { try await load { gc.isRunning } }
        while gc.isRunning { try await Task.sleep(for: .milliseconds(5)) }
        let seconds = (ContinuousClock.now - started).seconds
        let summary = String(decoding: await reading.value, as: UTF8.self)
        // Its steps, each with the time it was reached, for the log of the benchmark run.
        for line in ((try? String(contentsOfFile: progressPath, encoding: .utf8)) ?? "").split(separator: "\n") { log("    berth gc " + line) }
        guard gc.terminationStatus == 0 else { throw BenchError("berth gc failed: \(summary)") }
        return (seconds, summary)
    }

    /// The bytes `berth gc` says it removed.
    static func freedBytes(_ summary: String) -> Int64? {
        guard let open = summary.range(of: "files ("), let close = summary[open.upperBound...].range(of: " bytes)") else { return nil }
        return Int64(summary[open.upperBound ..< close.lowerBound])
    }

    /// A small image: a config, one 4 KB layer and the manifest.
    private func pushImage(_ http: BenchHTTP, _ repository: String, tag: String, seed: UInt64) async throws {
        let config = Array(#"{"architecture":"amd64","os":"linux","seed":\#(seed)}"#.utf8)
        let layer = randomBlock(4096, seed: seed &+ 77_000)
        let configDigest = try await http.pushSmall(repository, config)
        let layerDigest = try await http.pushSmall(repository, layer)
        try await http.pushManifest(repository, tag, imageManifest(config: (configDigest, config.count), layers: [(layerDigest, layer.count)]))
    }

    /// Uploads `linked` blobs nothing uses, 16 at a time; returns their bytes.
    private func uploadUnused(_ http: BenchHTTP) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0 ..< 16 {
                group.addTask {
                    var bytes = 0
                    for index in stride(from: worker, to: linked, by: 16) {
                        let blob = randomBlock(1024, seed: UInt64(5_000_000 + index))
                        _ = try await http.pushSmall("bench/garbage", blob)
                        bytes += blob.count
                    }
                    return bytes
                }
            }
            return try await group.reduce(0, +)
        }
    }

    /// Writes `count` blob files no repository names, an hour old, in the registry's own layout; returns their bytes.
    private func plantOrphans(under root: String, count: Int, layout: RegistryKind, generation: Int = 0) throws -> Int {
        let hourAgo = Date(timeIntervalSinceNow: -3600)
        var bytes = 0
        for index in 0 ..< count {
            let content = Array("orphan blob \(generation) \(index) \(layout.rawValue)".utf8) + randomBlock(512, seed: UInt64(9_000_000 + index))
            let hex = Digest.compute(of: content).hex
            let directory = root + "/" + hex.prefix(2) + (layout == .berth ? "" : "/" + hex)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let path = directory + "/" + (layout == .berth ? hex : "data")
            guard FileManager.default.createFile(atPath: path, contents: Data(content), attributes: [.modificationDate: hourAgo]) else {
                throw BenchError("could not write \(path)")
            }
            bytes += content.count
        }
        return bytes
    }

    /// Eight clients push small images: `count` in all, or until `keepGoing` says stop. Returns each push's milliseconds.
    private func pushes(_ http: BenchHTTP, count: Int?, tagPrefix: String, keepGoing: (@Sendable () -> Bool)?) async throws -> [Double] {
        try await withThrowingTaskGroup(of: [Double].self) { group in
            for worker in 0 ..< 8 {
                group.addTask {
                    var latencies: [Double] = []
                    var turn = 0
                    while count.map({ turn < $0 / 8 }) ?? (keepGoing?() ?? false) {
                        turn += 1
                        let started = ContinuousClock.now
                        try await pushImage(http, "bench/load\(worker)", tag: "\(tagPrefix)-\(turn)", seed: UInt64(worker) << 32 | UInt64(turn) << 8
                            | (tagPrefix == "before" ? 1 : 2))
                        latencies.append((ContinuousClock.now - started).seconds * 1000)
                    }
                    return latencies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }
}

/// Latencies several tasks add to.
final class SharedLatencies: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [Double] = []

    func append(_ values: [Double]) { lock.withLock { collected += values } }
    var values: [Double] { lock.withLock { collected } }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
