import AsyncHTTPClient
import Foundation
import NIOCore
import OCI

/// Garbage collection: each registry holds a few kept images, `linked` blobs uploaded through the API that nothing
/// uses, and enough files nobody names (written straight into its storage, as crashes leave them) to make `blobs`
/// unreferenced blobs in all. Berth collects them online with `berth gc` (4 workers) next to the running server;
/// distribution offline with `docker-registry garbage-collect`, the registry stopped, as it must. Then, `loadedRounds`
/// times, Berth collects `blobs` new orphan files (1 worker; the server's `gc` job unless told to use `berth gc`) while
/// eight clients push small images, whose latency is compared with the same pushes without a collection.
struct GarbageWorkload {
    let berth: String
    let distribution: String
    let client: HTTPClient
    let blobs: Int
    let linked: Int
    /// How many times new orphans are collected under push load.
    let loadedRounds: Int
    /// What collects them: the server's `gc` job or `berth gc` beside it.
    let runner: GarbageRunner
    let log: @Sendable (String) -> Void

    /// Seconds a link and a file must be old before the collection may remove them.
    static let graceSeconds = 2
    /// Seconds of each window of pushes without a collection.
    static let quietSeconds = 12

    /// The figures of each registry.
    func measure() async throws -> (berth: RoundResult, distribution: RoundResult) {
        var results: [RegistryKind: RoundResult] = [:]
        for kind in RegistryKind.allCases {
            let registry = try await RegistryUnderTest.start(kind, berthBinary: berth, distributionBinary: distribution, client: client,
                                                             berthEnvironment: ["BERTH_GC_GRACE_SECONDS": String(Self.graceSeconds)])
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
            // Then pushes without a collection for `quietSeconds`, and `loadedRounds` times: new orphans, a collection
            // of them under the same push load, and again pushes without one. Quiet windows bracket every collection,
            // so both sides sample the machine at the same time; all rounds are pooled (one round's p99 is a handful
            // of pushes, and this machine's disk varies between minutes as much as the effect measured).
            func quietWindow(_ index: Int) async throws -> [Double] {
                sync()  // what the last collection or pushes left in the page cache is not written back during these
                let deadline = ContinuousClock.now + .seconds(Self.quietSeconds)
                return try await pushes(http, count: nil, tagPrefix: "quiet\(index)", salt: UInt64(2 * index + 1), keepGoing: { ContinuousClock.now < deadline })
            }
            var windows = [try await quietWindow(0)], latencies: [Double] = [], loadedSeconds: [Double] = []
            for round in 1 ... loadedRounds {
                _ = try plantOrphans(under: blobRoot, count: blobs, layout: registry.kind, generation: round)
                try await Task.sleep(for: .seconds(Self.graceSeconds + 1))
                let during = SharedLatencies()
                let load: @Sendable (@escaping @Sendable () -> Bool) async throws -> Void = { running in
                    during.append(try await pushes(http, count: nil, tagPrefix: "during\(round)", salt: UInt64(2 * round + 2), keepGoing: running))
                }
                let (seconds, _) = try await (runner == .server ? collectInServer(registry, workers: 1, while: load) : collect(registry, workers: 1, while: load))
                windows.append(try await quietWindow(round))
                let bracket = windows[round - 1] + windows[round]  // the windows before and after this collection
                log(String(format: "  Berth: round %d, %@ under push load took %.1f s; %d pushes during it: p50 %.1f ms, p99 %.1f ms (around it: %.1f, %.1f; p99 %.2f×)",
                           round, runner == .server ? "the server's gc job" : "berth gc", seconds, during.values.count, percentile(during.values, 0.5),
                           percentile(during.values, 0.99), percentile(bracket, 0.5), percentile(bracket, 0.99),
                           percentile(during.values, 0.99) / percentile(bracket, 0.99)))
                latencies += during.values
                loadedSeconds.append(seconds)
            }
            let quiet = Array(windows.joined())
            result["gc_loaded_seconds"] = percentile(loadedSeconds, 0.5)
            result["gc_push_p50_ms"] = percentile(quiet, 0.5)
            result["gc_push_p99_ms"] = percentile(quiet, 0.99)
            result["gc_push_during_p50_ms"] = percentile(latencies, 0.5)
            result["gc_push_during_p99_ms"] = percentile(latencies, 0.99)
            result["gc_push_p99_ratio"] = percentile(latencies, 0.99) / percentile(quiet, 0.99)
            log(String(format: "  Berth: %d rounds of GC under push load, median %.1f s; %d pushes during them: p50 %.1f ms, p99 %.1f ms (without: %.1f, %.1f)",
                       loadedRounds, percentile(loadedSeconds, 0.5), latencies.count, percentile(latencies, 0.5), percentile(latencies, 0.99),
                       percentile(quiet, 0.5), percentile(quiet, 0.99)))
        case .distribution:
            let quiet = try await pushes(http, count: 400, tagPrefix: "before", salt: 1, keepGoing: nil)
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

    /// Starts a collection in the server (`POST /system/gc/schedule`, type Manual: the server's `gc` job, as the API and
    /// the portal run it) while `load` goes on; returns the seconds until the run reported an end, and its status.
    private func collectInServer(_ registry: RegistryUnderTest, workers: Int,
                                 while load: @escaping @Sendable (@escaping @Sendable () -> Bool) async throws -> Void) async throws -> (Double, String) {
        let admin = BenchHTTP(client: client, base: registry.baseURL,
                              authorization: "Basic " + Data("admin:\(RegistryUnderTest.berthAdminPassword)".utf8).base64EncodedString())
        let started = ContinuousClock.now
        let body = #"{"schedule":{"type":"Manual"},"parameters":{"delete_untagged":false,"dry_run":false,"workers":\#(workers)}}"#
        let answer = try await admin.send(.POST, "/api/v2.0/system/gc/schedule", headers: [("Content-Type", "application/json")],
                                          body: .bytes(ByteBuffer(string: body)), expect: [201])
        guard let location = answer.headers.first(name: "Location") else { throw BenchError("POST /system/gc/schedule answered without a Location") }
        let running = RunningFlag()
        let status = try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                try await load { running.value }
                return nil
            }
            group.addTask {
                defer { running.stop() }
                while true {
                    try await Task.sleep(for: .milliseconds(100))
                    var request = HTTPClientRequest(url: admin.absolute(location))
                    request.headers.add(name: "Authorization", value: admin.authorization ?? "")
                    let response = try await client.execute(request, timeout: .seconds(30))
                    let json = try await response.body.collect(upTo: 1 << 20)
                    guard response.status == .ok,
                          let run = try JSONSerialization.jsonObject(with: Data(json.readableBytesView)) as? [String: Any],
                          let status = run["job_status"] as? String else { throw BenchError("GET \(location) answered \(response.status.code)") }
                    if !["Pending", "Running"].contains(status) { return status }
                }
            }
            var status = ""
            for try await finished in group { if let finished { status = finished } }
            return status
        }
        let seconds = (ContinuousClock.now - started).seconds
        guard status == "Success" else { throw BenchError("the server's garbage collection ended \(status)") }
        return (seconds, status)
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

    /// Writes `count` blob files no repository names, an hour old, in the registry's own layout, and flushes them to
    /// disk (garbage an hour old is not waiting in the page cache: its writeback must not land in a measurement);
    /// returns their bytes.
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
        sync()
        return bytes
    }

    /// Eight clients push small images (content of their own for each `salt`): `count` in all, or until `keepGoing` says
    /// stop. Returns each push's milliseconds.
    private func pushes(_ http: BenchHTTP, count: Int?, tagPrefix: String, salt: UInt64, keepGoing: (@Sendable () -> Bool)?) async throws -> [Double] {
        try await withThrowingTaskGroup(of: [Double].self) { group in
            for worker in 0 ..< 8 {
                group.addTask {
                    var latencies: [Double] = []
                    var turn = 0
                    while count.map({ turn < $0 / 8 }) ?? (keepGoing?() ?? false) {
                        turn += 1
                        let started = ContinuousClock.now
                        try await pushImage(http, "bench/load\(worker)", tag: "\(tagPrefix)-\(turn)", seed: UInt64(worker) << 40 | UInt64(turn) << 8 | salt)
                        latencies.append((ContinuousClock.now - started).seconds * 1000)
                    }
                    return latencies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }
}

/// What runs the collections under push load.
enum GarbageRunner: String {
    /// The server's `gc` job, started through the API (as the portal and schedules do).
    case server
    /// The `berth gc` command next to the running server.
    case cli
}

/// Whether a collection still runs, as the loading clients ask it.
final class RunningFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true

    var value: Bool { lock.withLock { running } }
    func stop() { lock.withLock { running = false } }
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
