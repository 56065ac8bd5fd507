import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// `berth-bench`: Berth and the CNCF distribution registry side by side, on the same workloads, in one run.
@main
struct BerthBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "berth-bench",
        abstract: "Benchmark Berth against docker-registry (CNCF distribution) and write docs/benchmarks.md."
    )

    @Option(help: "The berth binary (a release build).") var berth = ".build/release/berth"
    @Option(help: "The docker-registry binary.") var distribution = "/usr/bin/docker-registry"
    @Option(help: "Rounds per registry; the order alternates every round.") var rounds = 3
    @Option(help: "Concurrent push/pull clients.") var clients = 8
    @Option(help: "MiB per layer.") var layerMib = 128
    @Option(help: "Layers each client pushes (clients × layers × layer size is the data per push workload).") var layersPerClient = 2
    @Option(help: "Chunk size of chunked pushes, MiB.") var chunkMib = 10
    @Option(help: "Seconds of manifest GET and of HEAD load.") var manifestSeconds = 10.0
    @Option(help: "Seconds of small-artifact pushes.") var smallSeconds = 10.0
    @Option(help: "Repositories for the listing workload (0 skips it).") var repositories = 100_000
    @Option(help: "Tags per repository for the listing workload.") var tags = 10
    @Option(help: "Where to write the report (markdown).") var output = "docs/benchmarks.md"
    @Option(help: "Only these registries (berth, distribution).") var only: [String] = []
    @Option(help: "Only these workloads (push, pull, chunked, manifest, small); pull implies push.") var workloads: [String] = []
    @Option(help: "Rounds of the authenticated variant (push, pull, manifest, small with Basic credentials); 0 skips it.") var authRounds = 2

    func wants(_ name: String) -> Bool { workloads.isEmpty || workloads.contains(name) || (name == "push" && workloads.contains("pull")) }

    func run() async throws {
        var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60))
        pool.concurrentHTTP1ConnectionsPerHostSoftLimit = 512
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5)), connectionPool: pool)
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await measure(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    func measure(_ client: HTTPClient) async throws {
        let log: @Sendable (String) -> Void = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        let kinds = only.isEmpty ? RegistryKind.allCases : RegistryKind.allCases.filter { only.contains($0.rawValue) }
        let scratch = NSTemporaryDirectory()
        let warm = Int(Double(ProcessInfo.processInfo.physicalMemory) * 0.6)
        log("warming \(warm >> 30) GiB of memory")
        warmMemory(bytes: warm)
        log("measuring machine limits")
        let limits = try MachineLimits.measure(scratch: scratch)
        log(String(format: "  SHA-256 %.0f MB/s, cached read %.0f MB/s", limits.sha256MBps, limits.cachedReadMBps))
        let settings = WorkloadSettings(clients: clients, layerMiB: layerMib, layersPerClient: layersPerClient, chunkMiB: chunkMib,
                                        manifestSeconds: manifestSeconds, smallSeconds: smallSeconds)
        let base = randomBlock(1 << 20, seed: 12345)
        var results: [RegistryKind: [RoundResult]] = [:]
        var finished: [RegistryUnderTest] = []
        defer { for registry in finished { registry.removeData() } }

        for round in 0 ..< rounds {
            let order = round % 2 == 0 ? kinds : kinds.reversed()
            for kind in order {
                log("round \(round + 1)/\(rounds): \(kind.label)")
                let registry = try await RegistryUnderTest.start(kind, berthBinary: berth, distributionBinary: distribution, client: client)
                var result: RoundResult = ["startup_ms": registry.startupSeconds * 1000]
                do {
                    try await Task.sleep(for: .milliseconds(500))
                    result["idle_rss_mb"] = registry.memory().rss / 1e6
                    let workloads = Workloads(http: registry.http(client), settings: settings, base: base, log: log)
                    if wants("push") {
                        let blobs = workloads.makeBlobs(stamp: UInt64(round * 2 + 1))
                        result["push_mono_mbps"] = try await workloads.push(blobs, chunked: false, repositoryPrefix: "bench/mono")
                        if wants("pull") { result["pull_mbps"] = try await workloads.pull(blobs, repositoryPrefix: "bench/mono") }
                    }
                    if wants("chunked") {
                        let blobs = workloads.makeBlobs(stamp: UInt64(round * 2 + 2))
                        result["push_chunked_mbps"] = try await workloads.push(blobs, chunked: true, repositoryPrefix: "bench/chunked")
                    }
                    if wants("manifest") {
                        let get = try await workloads.manifestLoad(method: .GET)
                        (result["manifest_get_rps"], result["manifest_get_p50_ms"], result["manifest_get_p99_ms"]) = (get.0, get.1, get.2)
                        let head = try await workloads.manifestLoad(method: .HEAD)
                        (result["manifest_head_rps"], result["manifest_head_p50_ms"], result["manifest_head_p99_ms"]) = (head.0, head.1, head.2)
                    }
                    if wants("small") { result["small_pushes_per_s"] = try await workloads.smallPushes() }
                    result["peak_rss_mb"] = registry.memory().peak / 1e6
                } catch {
                    await registry.stop()
                    throw error
                }
                await registry.stop()
                finished.append(registry)
                log("  " + result.sorted { $0.key < $1.key }.map { "\($0.key)=\(String(format: "%.1f", $0.value))" }.joined(separator: " "))
                results[kind, default: []].append(result)
            }
        }

        for round in 0 ..< authRounds {
            let order = round % 2 == 0 ? kinds : kinds.reversed()
            for kind in order {
                log("authenticated round \(round + 1)/\(authRounds): \(kind.label)")
                let registry = try await RegistryUnderTest.start(kind, berthBinary: berth, distributionBinary: distribution, client: client,
                                                                 authenticated: true)
                var result: RoundResult = [:]
                do {
                    let workloads = Workloads(http: registry.http(client), settings: settings, base: base, log: log)
                    if wants("push") {
                        let blobs = workloads.makeBlobs(stamp: UInt64(1000 + round))
                        result["auth_push_mono_mbps"] = try await workloads.push(blobs, chunked: false, repositoryPrefix: "bench/mono")
                        if wants("pull") { result["auth_pull_mbps"] = try await workloads.pull(blobs, repositoryPrefix: "bench/mono") }
                    }
                    if wants("manifest") {
                        let get = try await workloads.manifestLoad(method: .GET)
                        (result["auth_manifest_get_rps"], result["auth_manifest_get_p50_ms"], result["auth_manifest_get_p99_ms"]) = (get.0, get.1, get.2)
                    }
                    if wants("small") { result["auth_small_pushes_per_s"] = try await workloads.smallPushes() }
                    result["auth_peak_rss_mb"] = registry.memory().peak / 1e6
                } catch {
                    await registry.stop()
                    throw error
                }
                await registry.stop()
                finished.append(registry)
                log("  " + result.sorted { $0.key < $1.key }.map { "\($0.key)=\(String(format: "%.1f", $0.value))" }.joined(separator: " "))
                if results[kind, default: []].count > round {
                    results[kind]![round].merge(result) { old, _ in old }
                } else {
                    results[kind, default: []].append(result)
                }
            }
        }

        if repositories > 0 {
            for kind in kinds {
                log("listing workload: \(kind.label), \(repositories) repositories × \(tags) tags")
                let registry = try await RegistryUnderTest.start(kind, berthBinary: berth, distributionBinary: distribution, client: client)
                do {
                    let listing = ListingWorkload(http: registry.http(client), repositories: repositories,
                                                  tagsPerRepository: tags, concurrency: 64, samples: 50, log: log)
                    var result = try await listing.measure(afterPopulating: true)
                    result["peak_rss_mb_listing"] = registry.memory().peak / 1e6
                    log("  " + result.sorted { $0.key < $1.key }.map { "\($0.key)=\(String(format: "%.2f", $0.value))" }.joined(separator: " "))
                    for i in results[kind, default: []].indices { results[kind]![i].merge(result) { old, _ in old } }
                    if results[kind, default: []].isEmpty { results[kind] = [result] }
                } catch {
                    await registry.stop()
                    throw error
                }
                await registry.stop()
                finished.append(registry)
            }
        }

        var shown: [String] = ["bench/run"]
        var arguments = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = arguments.next() {
            // bench/run supplies the two binaries itself.
            if argument == "--berth" || argument == "--distribution" { _ = arguments.next(); continue }
            shown.append(argument)
        }
        let command = shown.joined(separator: " ")
        let settingsText = "\(rounds) rounds; \(clients) clients × \(layersPerClient) layers × \(layerMib) MiB per push workload; " +
            "\(chunkMib) MiB chunks; manifest load \(Int(manifestSeconds)) s at 64 connections; small pushes \(Int(smallSeconds)) s at 200 clients; " +
            "listing \(repositories) repositories × \(tags) tags; \(authRounds) authenticated rounds"
        var report = Report(results: results, limits: limits, command: command, settings: settingsText)
        report.notes = (try? String(contentsOfFile: "docs/benchmark-notes.md", encoding: .utf8)) ?? ""
        let date = Date().formatted(Date.ISO8601FormatStyle().year().month().day())
        let markdown = report.markdown(date: date, machine: machineDescription())
        try markdown.write(toFile: output, atomically: true, encoding: .utf8)
        print(report.table())
        print("")
        print(report.limitsSection())
        log("wrote \(output)")
    }
}

extension ListingWorkload {
    /// Populates, then measures; the population rate is reported too.
    func measure(afterPopulating: Bool) async throws -> RoundResult {
        let rate = try await populate()
        var result = try await measure()
        result["populate_rps"] = rate
        return result
    }
}
