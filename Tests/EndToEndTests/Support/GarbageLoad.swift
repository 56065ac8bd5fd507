import Foundation
import NIOHTTP1
import OCI
import Testing

/// Garbage collection under load, shared by the single-instance and the three-instance tests: garbage made before the
/// run (blob files nothing names, as crashes leave them, and uploaded blobs no manifest uses), clients that push and
/// pull new images while it runs — some of them confirming one of those unused blobs (HEAD) and then pushing a
/// manifest that uses it, the race GC must not lose — and the check that every acknowledged push pulls back intact.
enum GarbageLoad {
    /// An image a client pushed and the registry acknowledged.
    struct Pushed: Sendable {
        let repository: String
        let digest: Digest
        let manifest: [UInt8]
        let blobs: [[UInt8]]
    }

    /// What the clients did.
    struct Outcome: Sendable {
        var pushed: [Pushed] = []
        var pulls = 0
        var raced = 0
        var racedRefused = 0
        var unexpected: [String] = []
    }

    /// Writes `count` blob files that no repository links straight into the storage directory (what a crash between
    /// writing a blob and linking it leaves behind), an hour old.
    static func orphans(in storageRoot: String, count: Int, seed: UInt64) throws -> [String] {
        var paths: [String] = []
        var made = Set<String>()
        let hourAgo = Date(timeIntervalSinceNow: -3600)
        for index in 0 ..< count {
            let bytes = Array("orphan \(seed) \(index)".utf8)
            let hex = Digest.compute(of: bytes).hex
            let directory = "\(storageRoot)/blobs/sha256/\(hex.prefix(2))"
            if made.insert(directory).inserted { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            let path = "\(directory)/\(hex)"
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.modificationDate: hourAgo]) else {
                throw TestFailure("could not write \(path)")
            }
            paths.append(path)
        }
        return paths
    }

    /// Uploads `count` blobs into `repository` that no manifest uses (GC candidates until something confirms them).
    static func unusedBlobs(_ client: AccessClient, _ repository: String, count: Int, seed: UInt64) async throws -> [[UInt8]] {
        var blobs: [[UInt8]] = []
        for index in 0 ..< count {
            let blob = randomBytes(700, seed: seed &* 1_000 &+ UInt64(index))
            let status = try await client.registry(.POST, "/v2/\(repository)/blobs/uploads/?digest=\(Digest.compute(of: blob))",
                                                   headers: [("Content-Type", "application/octet-stream")], body: blob).status
            guard status == 201 else { throw TestFailure("upload of an unused blob: \(status)") }
            blobs.append(blob)
        }
        return blobs
    }

    /// Runs `clients` clients until `keepGoing` says stop. Each pushes a fresh image and pulls one it pushed before, in
    /// turns; every third turn it confirms one of `candidates` (unused blobs in `repository`) with HEAD — uploading it
    /// again if it is gone — and pushes a manifest using it, which must be stored or refused with MANIFEST_BLOB_UNKNOWN.
    static func drive(_ account: AccessClient, clients: Int, repository: String, candidates: [[UInt8]],
                      keepGoing: @escaping @Sendable () -> Bool) async throws -> Outcome {
        // One token for the whole run, as a real client keeps its token (no 401 and token request before every call).
        guard let token = try await account.token(scope: "repository:\(repository):pull,push").token else { throw TestFailure("no token for the load") }
        let client = TokenClient(http: account.http, authorization: ("Authorization", "Bearer \(token)"))
        return try await withThrowingTaskGroup(of: Outcome.self) { group in
            for worker in 0 ..< clients {
                group.addTask {
                    var outcome = Outcome()
                    var turn = 0
                    while keepGoing() || turn < 3 {
                        turn += 1
                        let seed = UInt64(worker) << 32 | UInt64(turn)
                        var layer = randomBytes(2_048, seed: seed)
                        let raced = turn % 3 == 0 && !candidates.isEmpty
                        if raced {
                            // A blob left unused since before the collection started: confirmed now, used right after.
                            layer = candidates[(worker * 97 + turn) % candidates.count]
                            let digest = Digest.compute(of: layer)
                            let head = try await client.registry(.HEAD, "/v2/\(repository)/blobs/\(digest)").status
                            if head == 404 {
                                let again = try await client.registry(.POST, "/v2/\(repository)/blobs/uploads/?digest=\(digest)",
                                                                      headers: [("Content-Type", "application/octet-stream")], body: layer).status
                                if again != 201 { outcome.unexpected.append("re-upload after HEAD 404: \(again)") }
                            } else if head != 200 {
                                outcome.unexpected.append("HEAD of a candidate: \(head)")
                            }
                        } else {
                            let status = try await client.registry(.POST, "/v2/\(repository)/blobs/uploads/?digest=\(Digest.compute(of: layer))",
                                                                   headers: [("Content-Type", "application/octet-stream")], body: layer).status
                            if status != 201 { outcome.unexpected.append("layer upload: \(status)") }
                        }
                        let config = Array("{\"worker\":\(worker),\"turn\":\(turn)}".utf8)
                        let configStatus = try await client.registry(.POST, "/v2/\(repository)/blobs/uploads/?digest=\(Digest.compute(of: config))",
                                                                     headers: [("Content-Type", "application/octet-stream")], body: config).status
                        if configStatus != 201 { outcome.unexpected.append("config upload: \(configStatus)") }
                        let manifest = ManifestBuilder.image(config: config, layers: [layer])
                        let put = try await client.registry(.PUT, "/v2/\(repository)/manifests/w\(worker)-t\(turn)",
                                                            headers: [("Content-Type", MediaType.ociManifest)], body: manifest)
                        if raced { outcome.raced += 1 }
                        if put.status == 201 {
                            outcome.pushed.append(Pushed(repository: repository, digest: Digest.compute(of: manifest), manifest: manifest, blobs: [config, layer]))
                        } else if raced && put.status == 400 && put.errorCode == "MANIFEST_BLOB_UNKNOWN" {
                            outcome.racedRefused += 1
                        } else {
                            outcome.unexpected.append("manifest push: \(put.status) \(put.text.prefix(200))")
                        }
                        // A steady load rather than a flood: the suite runs other tests beside this one on two cores.
                        try await Task.sleep(for: .milliseconds(100))
                        if let earlier = outcome.pushed.randomElement() {
                            let pulled = try await client.registry(.GET, "/v2/\(repository)/manifests/\(earlier.digest)",
                                                                   headers: [("Accept", MediaType.ociManifest)])
                            if pulled.status != 200 || pulled.body != earlier.manifest { outcome.unexpected.append("pull during GC: \(pulled.status)") }
                            outcome.pulls += 1
                        }
                    }
                    return outcome
                }
            }
            return try await group.reduce(into: Outcome()) { total, part in
                total.pushed += part.pushed
                total.pulls += part.pulls
                total.raced += part.raced
                total.racedRefused += part.racedRefused
                total.unexpected += part.unexpected
            }
        }
    }

    /// Eight clients drive `repository` until the run `id` ends; returns the run as it ended and what the clients did.
    static func collectWhileDriving(_ admin: AccessClient, run id: Int, repository: String, candidates: [[UInt8]]) async throws
        -> (run: [String: Any], outcome: Outcome) {
        let collecting = SharedFlag(true)
        async let load = drive(admin, clients: 8, repository: repository, candidates: candidates, keepGoing: { collecting.isSet })
        let run = try await finished(admin, id)
        collecting.set(false)
        return (run, try await load)
    }

    /// Every acknowledged push pulls back intact: its manifest by digest, and each blob byte for byte.
    static func verify(_ client: AccessClient, _ pushed: [Pushed]) async throws -> [String] {
        var problems: [String] = []
        for image in pushed {
            let manifest = try await client.registry(.GET, "/v2/\(image.repository)/manifests/\(image.digest)", headers: [("Accept", MediaType.ociManifest)])
            if manifest.status != 200 || manifest.body != image.manifest { problems.append("\(image.digest): manifest \(manifest.status)") }
            for blob in image.blobs {
                let fetched = try await client.registry(.GET, "/v2/\(image.repository)/blobs/\(Digest.compute(of: blob))")
                if fetched.status != 200 || fetched.body != blob { problems.append("\(image.digest): blob \(Digest.compute(of: blob)) \(fetched.status)") }
            }
        }
        return problems
    }

    /// Starts a collection through the API and returns its id.
    static func start(_ admin: AccessClient, deleteUntagged: Bool = false, workers: Int = 2) async throws -> Int {
        let started = try await admin.api(.POST, "/system/gc/schedule", json: ["schedule": ["type": "Manual"],
                                                                               "parameters": ["delete_untagged": deleteUntagged, "workers": workers]])
        guard started.status == 201, let id = started.header("Location")?.split(separator: "/").last.flatMap({ Int($0) }) else {
            throw TestFailure("GC did not start: \(started.status) \(started.text)")
        }
        return id
    }

    /// Starts a dry run through the API and returns its id.
    static func startDry(_ admin: AccessClient) async throws -> Int {
        let started = try await admin.api(.POST, "/system/gc/schedule", json: ["schedule": ["type": "Manual"], "parameters": ["dry_run": true]])
        guard started.status == 201, let id = started.header("Location")?.split(separator: "/").last.flatMap({ Int($0) }) else {
            throw TestFailure("GC dry run did not start: \(started.status) \(started.text)")
        }
        return id
    }

    /// The run as the API shows it.
    static func run(_ admin: AccessClient, _ id: Int) async throws -> [String: Any] { try await admin.api(.GET, "/system/gc/\(id)").json() }

    /// Waits for the run to end; returns it.
    static func finished(_ admin: AccessClient, _ id: Int, timeout: Duration = .seconds(300)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = try await run(admin, id)
            if ["Success", "Error", "Stopped"].contains(current["job_status"] as? String ?? "") { return current }
            try await Task.sleep(for: .milliseconds(200))
        }
        return try await run(admin, id)
    }

    /// The run's counts.
    static func counts(_ run: [String: Any]) -> [String: Int] { run["counts"] as? [String: Int] ?? [:] }
}

/// A yes/no several tasks read while one of them changes it.
final class SharedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Bool

    init(_ value: Bool) { self.value = value }

    var isSet: Bool { lock.withLock { value } }
    func set(_ newValue: Bool) { lock.withLock { value = newValue } }
}

/// Registry calls with a bearer token obtained once.
struct TokenClient: Sendable {
    let http: RegistryHTTP
    let authorization: (String, String)

    func registry(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> HTTPResult {
        try await http.request(method, path, headers: headers + [authorization], body: body)
    }
}
