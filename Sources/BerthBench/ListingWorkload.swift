import AsyncHTTPClient
import Foundation
import NIOCore
import OCI

/// Workload 5: a registry holding `repositories` × `tagsPerRepository`, and the latency of list pages in it.
struct ListingWorkload {
    let http: BenchHTTP
    let repositories: Int
    let tagsPerRepository: Int
    let concurrency: Int
    let samples: Int
    let log: @Sendable (String) -> Void

    static func name(_ i: Int) -> String { String(format: "r%06d/app", i) }

    /// Fills the registry through the API (blob mounts from a seed repository, then manifest pushes by tag); returns requests/s.
    func populate() async throws -> Double {
        let seed = "seed/app"
        let configBytes = Array(#"{"architecture":"amd64","os":"linux"}"#.utf8)
        let layerBytes = randomBlock(2048, seed: 99)
        let config = try await http.pushSmall(seed, configBytes)
        let layer = try await http.pushSmall(seed, layerBytes)
        let manifest = imageManifest(config: (config, configBytes.count), layers: [(layer, layerBytes.count)])
        let start = ContinuousClock.now
        let next = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0 ..< concurrency {
                group.addTask {
                    while let i = next.take(below: repositories) {
                        let repo = Self.name(i)
                        for digest in [config, layer] {
                            try await http.send(.POST, "/v2/\(repo)/blobs/uploads/?mount=\(digest)&from=\(seed)", expect: [201])
                        }
                        for t in 0 ..< tagsPerRepository { try await http.pushManifest(repo, "tag\(t)", manifest) }
                        if i % 10_000 == 9_999 { log("    populated \(i + 1) of \(repositories) repositories") }
                    }
                }
            }
            try await group.waitForAll()
        }
        let requests = Double(repositories * (2 + tagsPerRepository))
        return requests / seconds(since: start)
    }

    /// Median and p99 latency (ms) of a GET, over `samples` sequential requests.
    func latency(_ path: String) async throws -> (Double, Double) {
        try await http.latency(of: path, samples: samples)
    }

    /// The measured pages.
    func measure() async throws -> RoundResult {
        var result: RoundResult = [:]
        let deep = Self.name(repositories * 9 / 10)
        let first = try await latency("/v2/_catalog?n=100")
        let deepPage = try await latency("/v2/_catalog?n=100&last=\(deep)")
        let tags = try await latency("/v2/\(deep)/tags/list")
        let tagPage = try await latency("/v2/\(deep)/tags/list?n=5&last=tag4")
        result["catalog_first_ms"] = first.0
        result["catalog_first_p99_ms"] = first.1
        result["catalog_deep_ms"] = deepPage.0
        result["catalog_deep_p99_ms"] = deepPage.1
        result["tags_list_ms"] = tags.0
        result["tags_page_ms"] = tagPage.0
        return result
    }
}

/// A shared counter handing out 0, 1, 2, … to concurrent workers.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}
