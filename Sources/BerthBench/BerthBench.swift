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
    @Option(help: "Artifacts in the repository whose portal page is timed (Berth only; 0 skips the portal workload).") var portalArtifacts = 10_000
    @Option(help: "Projects besides the timed one for the portal's projects list.") var portalProjects = 100
    @Option(help: "Synthetic advisories imported for the scanning workload (Berth only; 0 skips it).") var scanAdvisories = 100_000
    @Option(help: "Where to write the report (markdown).") var output = "docs/benchmarks.md"
    @Option(help: "Only these registries (berth, distribution).") var only: [String] = []
    @Option(help: "Only these workloads (push, pull, chunked, manifest, small, events); pull implies push.") var workloads: [String] = []
    @Option(help: "Rounds of the authenticated variant (push, pull, manifest, small with Basic credentials); 0 skips it.") var authRounds = 2
    @Option(help: "Rounds of the PostgreSQL + S3 configuration (Berth on PostgreSQL and moto S3, distribution on moto S3); 0 skips it.")
    var s3Rounds = 2
    @Option(help: "Rounds over HTTPS (push, pull, manifest GET; both registries serve the same certificate); 0 skips them.")
    var tlsRounds = 2
    @Flag(help: "Let the HTTPS rounds' client negotiate HTTP/2 (AsyncHTTPClient) instead of HTTP/1.1.") var tlsHTTP2 = false
    @Option(help: "Unreferenced blobs for the garbage-collection workload (Berth's online GC against distribution's offline one); 0 skips it.")
    var gcBlobs = 100_000
    @Option(help: "Times the garbage-collection workload collects new orphans under push load (latencies pooled).") var gcLoadedRounds = 3
    @Option(help: "What collects under push load: server (the server's gc job, started through the API) or cli (berth gc beside it).")
    var gcRunner = "server"
    @Option(help: "Images (10 layers of 1 MB each) for the replication workload: Berth's replication against skopeo sync; 0 skips it.")
    var replicationImages = 20
    @Option(help: "PostgreSQL server for the PostgreSQL + S3 rounds (bench/run starts one); a database is created per round.")
    var postgresURL = ""

    func validate() throws {
        guard GarbageRunner(rawValue: gcRunner) != nil else { throw ValidationError("--gc-runner must be server or cli") }
        guard (1 ... 20).contains(gcLoadedRounds) else { throw ValidationError("--gc-loaded-rounds must be between 1 and 20") }
    }

    func wants(_ name: String) -> Bool { workloads.isEmpty || workloads.contains(name) || (name == "push" && workloads.contains("pull")) }

    /// The HTTP client of a plan's rounds: the plain one, or one that trusts the benchmark certificate.
    func client(for plan: RoundPlan, plain: HTTPClient, secure: HTTPClient?) -> HTTPClient { plan.tls ? (secure ?? plain) : plain }

    /// One round of `plan` against a started registry: the plan's workloads, results keyed with its prefix.
    func runRound(_ plan: RoundPlan, round: Int, registry: RegistryUnderTest, settings: WorkloadSettings, base: [UInt8],
                  client: HTTPClient, log: @escaping @Sendable (String) -> Void) async throws -> RoundResult {
        var result: RoundResult = [:]
        func record(_ key: String, _ value: Double) { result[plan.keyPrefix + key] = value }
        func runs(_ workload: String) -> Bool { plan.workloads.contains(workload) && wants(workload) }
        if plan.recordsStartup {
            record("startup_ms", registry.startupSeconds * 1000)
            try await Task.sleep(for: .milliseconds(500))
            record("idle_rss_mb", registry.memory().rss / 1e6)
        }
        let workloads = Workloads(http: registry.http(client), settings: settings, base: base, log: log)
        if runs("push") {
            let blobs = workloads.makeBlobs(stamp: UInt64(plan.stampBase + round * 2 + 1))
            record("push_mono_mbps", try await workloads.push(blobs, chunked: false, repositoryPrefix: "bench/mono"))
            if runs("pull") { record("pull_mbps", try await workloads.pull(blobs, repositoryPrefix: "bench/mono")) }
        }
        if runs("chunked") {
            let blobs = workloads.makeBlobs(stamp: UInt64(plan.stampBase + round * 2 + 2))
            record("push_chunked_mbps", try await workloads.push(blobs, chunked: true, repositoryPrefix: "bench/chunked"))
        }
        if runs("manifest") {
            let get = try await workloads.manifestLoad(method: .GET)
            record("manifest_get_rps", get.0)
            record("manifest_get_p50_ms", get.1)
            record("manifest_get_p99_ms", get.2)
            if !plan.authenticated {
                let head = try await workloads.manifestLoad(method: .HEAD)
                record("manifest_head_rps", head.0)
                record("manifest_head_p50_ms", head.1)
                record("manifest_head_p99_ms", head.2)
            }
        }
        if runs("small") { record("small_pushes_per_s", try await workloads.smallPushes()) }
        if runs("events") && registry.kind == .berth {
            for (key, value) in try await EventsWorkload(workloads: workloads, http: registry.http(client), registry: registry, log: log).measure(round: round) {
                record(key, value)
            }
        }
        record("peak_rss_mb", registry.memory().peak / 1e6)
        return result
    }

    func run() async throws {
        var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60))
        pool.concurrentHTTP1ConnectionsPerHostSoftLimit = 512
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5)), connectionPool: pool)
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var secureClient: HTTPClient?
        do {
            let tls = tlsRounds > 0 ? try BenchTLS.make(in: NSTemporaryDirectory()) : nil
            if let tls {
                var secure = configuration
                secure.tlsConfiguration = try tls.clientConfiguration()
                // HTTP/1.1 over TLS, as the plain rounds use HTTP/1.1: the rows then show what TLS itself costs. (Over
                // HTTP/2, AsyncHTTPClient 1.37 fails an occasional HEAD request with a stream CANCEL at Berth's request
                // rate, which distribution does not reach; HTTP/2 is covered by the tests with curl and Go clients.)
                secure.httpVersion = tlsHTTP2 ? .automatic : .http1Only
                secureClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: secure)
            }
            try await measure(client, secureClient: secureClient, tls: tls)
        } catch {
            try? await client.shutdown()
            try? await secureClient?.shutdown()
            throw error
        }
        try await client.shutdown()
        try await secureClient?.shutdown()
    }

    func measure(_ client: HTTPClient, secureClient: HTTPClient?, tls: BenchTLS?) async throws {
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
        defer {
            // After the listing workload this is hundreds of thousands of files and takes minutes: say so, so the wait
            // is not taken for a hang.
            log("removing the data of \(finished.count) registry runs")
            for (index, registry) in finished.enumerated() {
                registry.removeData()
                if (index + 1) % 10 == 0 || index + 1 == finished.count { log("  removed \(index + 1) of \(finished.count)") }
            }
        }

        let plans = [
            RoundPlan(keyPrefix: "", label: "round", rounds: rounds, authenticated: false, scaled: false, stampBase: 0,
                      workloads: ["push", "pull", "chunked", "manifest", "small", "events"], recordsStartup: true),
            RoundPlan(keyPrefix: "auth_", label: "authenticated round", rounds: authRounds, authenticated: true, scaled: false, stampBase: 1000,
                      workloads: ["push", "pull", "manifest", "small"], recordsStartup: false),
            RoundPlan(keyPrefix: "s3_", label: "PostgreSQL + S3 round", rounds: postgresURL.isEmpty ? 0 : s3Rounds, authenticated: false,
                      scaled: true, stampBase: 2000, workloads: ["push", "pull", "chunked", "manifest", "small"], recordsStartup: true),
            // The HTTPS rounds and their plain-HTTP baseline, with the client and the server on CPUs of their own.
            RoundPlan(keyPrefix: "split_", label: "plain round on split CPUs", rounds: tls == nil ? 0 : tlsRounds, authenticated: false,
                      scaled: false, stampBase: 4000, workloads: ["push", "pull", "manifest"], recordsStartup: false, pinned: true),
            RoundPlan(keyPrefix: "tls_", label: "HTTPS round on split CPUs", rounds: tls == nil ? 0 : tlsRounds, authenticated: false,
                      scaled: false, stampBase: 3000, workloads: ["push", "pull", "manifest"], recordsStartup: false, tls: true, pinned: true),
        ]
        if s3Rounds > 0, postgresURL.isEmpty { log("no --postgres-url: skipping the PostgreSQL + S3 rounds") }
        let pinning = CPUPinning.split()
        if tls != nil, tlsRounds > 0 {
            log(pinning.map { "HTTPS rounds and their baseline: client on CPU \($0.client), registry on CPUs \($0.server)" }
                ?? "HTTPS rounds: fewer than two CPUs or no taskset, so client and registry share the CPUs")
        }
        for plan in plans {
            for round in 0 ..< plan.rounds {
                let order = round % 2 == 0 ? kinds : kinds.reversed()
                for kind in order {
                    log("\(plan.label) \(round + 1)/\(plan.rounds): \(kind.label)")
                    let scaled = plan.scaled ? try await ScaledBackend.create(postgresURL: postgresURL, client: client) : nil
                    let roundPinning = plan.pinned ? pinning : nil
                    try roundPinning?.pinClient()
                    defer { try? roundPinning?.release() }
                    let registry: RegistryUnderTest
                    do {
                        registry = try await RegistryUnderTest.start(kind, berthBinary: berth, distributionBinary: distribution,
                                                                     client: self.client(for: plan, plain: client, secure: secureClient),
                                                                     authenticated: plan.authenticated, backend: scaled.map { .scaled($0) } ?? .embedded,
                                                                     tls: plan.tls ? tls : nil, pinning: roundPinning)
                    } catch {
                        scaled?.destroy()
                        throw error
                    }
                    let result: RoundResult
                    do {
                        result = try await runRound(plan, round: round, registry: registry, settings: settings, base: base,
                                                    client: self.client(for: plan, plain: client, secure: secureClient), log: log)
                    } catch {
                        await registry.stop()
                        scaled?.destroy()
                        throw error
                    }
                    await registry.stop()
                    scaled?.destroy()
                    finished.append(registry)
                    log("  " + result.sorted { $0.key < $1.key }.map { "\($0.key)=\(String(format: "%.1f", $0.value))" }.joined(separator: " "))
                    if results[kind, default: []].count > round {
                        results[kind]![round].merge(result) { old, _ in old }
                    } else {
                        results[kind, default: []].append(result)
                    }
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

        if portalArtifacts > 0 && kinds.contains(.berth) {
            log("portal workload: Berth, \(portalProjects) projects, \(portalArtifacts) artifacts in one repository")
            let registry = try await RegistryUnderTest.start(.berth, berthBinary: berth, distributionBinary: distribution, client: client,
                                                             authenticated: true)
            do {
                let portal = PortalWorkload(http: registry.http(client), projects: portalProjects, artifacts: portalArtifacts, concurrency: 32,
                                            samples: 300, log: log)
                let result = try await portal.measure()
                log("  " + result.sorted { $0.key < $1.key }.map { "\($0.key)=\(String(format: "%.2f", $0.value))" }.joined(separator: " "))
                for i in results[.berth, default: []].indices { results[.berth]![i].merge(result) { old, _ in old } }
                if results[.berth, default: []].isEmpty { results[.berth] = [result] }
            } catch {
                await registry.stop()
                throw error
            }
            await registry.stop()
            finished.append(registry)
        }

        if scanAdvisories > 0 && kinds.contains(.berth) {
            log("scanning workload: Berth, \(scanAdvisories) synthetic advisories plus the Go vulnerability database")
            let result = try await ScanningWorkload(berth: berth, advisories: scanAdvisories, log: log).measure()
            for i in results[.berth, default: []].indices { results[.berth]![i].merge(result) { old, _ in old } }
            if results[.berth, default: []].isEmpty { results[.berth] = [result] }
        }

        if replicationImages > 0 && kinds.contains(.berth) {
            log("replication workload: \(replicationImages) images × 10 layers of 1 MB, Berth → Berth and → distribution, against skopeo sync")
            let (berthFigures, skopeoFigures) = try await ReplicationWorkload(berth: berth, distribution: distribution, client: client,
                                                                              images: replicationImages, layers: 10, layerBytes: 1_000_000, log: log).measure()
            for (kind, figures) in [(RegistryKind.berth, berthFigures), (.distribution, skopeoFigures)] {
                for i in results[kind, default: []].indices { results[kind]![i].merge(figures) { old, _ in old } }
                if results[kind, default: []].isEmpty { results[kind] = [figures] }
            }
        }

        if gcBlobs > 0 && kinds.contains(.berth) && kinds.contains(.distribution) {
            log("garbage-collection workload: \(gcBlobs) unreferenced blobs (\(min(5_000, gcBlobs)) uploaded, the rest orphan files)")
            let (berthFigures, distributionFigures) = try await GarbageWorkload(berth: berth, distribution: distribution, client: client, blobs: gcBlobs,
                                                                                linked: min(5_000, gcBlobs), loadedRounds: gcLoadedRounds,
                                                                                runner: GarbageRunner(rawValue: gcRunner)!, log: log).measure()
            for (kind, figures) in [(RegistryKind.berth, berthFigures), (.distribution, distributionFigures)] {
                for i in results[kind, default: []].indices { results[kind]![i].merge(figures) { old, _ in old } }
                if results[kind, default: []].isEmpty { results[kind] = [figures] }
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
            "listing \(repositories) repositories × \(tags) tags; portal \(portalArtifacts) artifacts; \(authRounds) authenticated rounds; " +
            "\(postgresURL.isEmpty ? 0 : s3Rounds) PostgreSQL + S3 rounds; \(tls == nil ? 0 : tlsRounds) HTTPS rounds"
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

/// A family of rounds: how they are set up, which workloads they run, and the prefix of their metric keys.
struct RoundPlan {
    let keyPrefix: String
    let label: String
    let rounds: Int
    let authenticated: Bool
    /// Berth on PostgreSQL + S3 and distribution on S3, instead of the embedded defaults.
    let scaled: Bool
    /// Seeds the generated layers, so no two rounds push the same bytes.
    let stampBase: Int
    let workloads: Set<String>
    /// Whether start time and idle memory are recorded.
    let recordsStartup: Bool
    /// Both registries serve HTTPS with the benchmark certificate.
    var tls = false
    /// The client and the registry run on separate CPUs (`CPUPinning`).
    var pinned = false
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
