import AsyncHTTPClient
import Foundation
import NIOCore
import OCI

/// The portal's render time (Berth only; distribution has no portal): a signed-in administrator's projects list among
/// `projects` projects, and a repository page when the repository holds `artifacts` artifacts, each tagged (its first
/// page, newest first, and a page deep in it). Each figure is the latency of sequential GETs over loopback, so it is
/// the server's time to look the page up and render it plus one local round trip.
struct PortalWorkload {
    let http: BenchHTTP
    let projects: Int
    let artifacts: Int
    let concurrency: Int
    let samples: Int
    let log: @Sendable (String) -> Void

    static let repository = "portal/app"
    static let admin = "Basic " + Data("admin:\(RegistryUnderTest.berthAdminPassword)".utf8).base64EncodedString()

    /// Creates the projects and pushes the artifacts (one shared config and layer; each manifest made unique by an
    /// annotation, and tagged); returns artifacts pushed per second.
    func populate() async throws -> Double {
        var admin = http
        admin.authorization = Self.admin
        for index in 0 ..< projects {
            let body = #"{"project_name":"team\#(String(format: "%03d", index))","metadata":{"public":"false"}}"#
            try await admin.send(.POST, "/api/v2.0/projects", headers: [("Content-Type", "application/json")], body: .bytes(ByteBuffer(string: body)),
                                 expect: [201])
        }
        try await admin.send(.POST, "/api/v2.0/projects", headers: [("Content-Type", "application/json")],
                             body: .bytes(ByteBuffer(string: #"{"project_name":"portal"}"#)), expect: [201])
        let configBytes = Array(#"{"architecture":"amd64","os":"linux","config":{"Cmd":["/app"]}}"#.utf8)
        let layerBytes = randomBlock(4096, seed: 4242)
        let config = try await admin.pushSmall(Self.repository, configBytes)
        let layer = try await admin.pushSmall(Self.repository, layerBytes)
        let pusher = admin
        let start = ContinuousClock.now
        let next = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0 ..< concurrency {
                group.addTask {
                    while let index = next.take(below: artifacts) {
                        let manifest = Self.manifest(config: (config, configBytes.count), layer: (layer, layerBytes.count), index: index)
                        try await pusher.pushManifest(Self.repository, "v\(index)", manifest)
                        if index % 2_000 == 1_999 { log("    pushed \(index + 1) of \(artifacts) artifacts") }
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(artifacts) / seconds(since: start)
    }

    static func manifest(config: (Digest, Int), layer: (Digest, Int), index: Int) -> [UInt8] {
        let object: [String: Any] = [
            "schemaVersion": 2, "mediaType": MediaType.ociManifest,
            "config": ["mediaType": "application/vnd.oci.image.config.v1+json", "digest": config.0.description, "size": config.1],
            "layers": [["mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer.0.description, "size": layer.1]],
            "annotations": ["org.opencontainers.image.revision": String(index)],
        ]
        return Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    /// Signs in as the portal does (`/c/login`) and returns the session cookie.
    func signIn() async throws -> String {
        let form = "principal=admin&password=\(RegistryUnderTest.berthAdminPassword)"
        let answer = try await http.send(.POST, "/c/login", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                         body: .bytes(ByteBuffer(string: form)), expect: [200])
        for header in answer.headers["Set-Cookie"] where header.hasPrefix("sid=") {
            return String(header.prefix { $0 != ";" })
        }
        throw BenchError("no session cookie from /c/login")
    }

    /// Median and p99 latency (ms) of `samples` sequential GETs of a portal page (after a few unmeasured ones).
    func latency(_ path: String, cookie: String) async throws -> (Double, Double) {
        var plain = http
        plain.authorization = nil
        return try await plain.latency(of: path, headers: [("Cookie", cookie)], samples: samples, warmUp: 5)
    }

    /// Populates the registry, then measures the pages.
    func measure() async throws -> RoundResult {
        var result: RoundResult = [:]
        result["portal_populate_per_s"] = try await populate()
        let cookie = try await signIn()
        let repositoryPage = "/harbor/projects/portal/repositories/app"
        let projectsList = try await latency("/harbor/projects", cookie: cookie)
        let firstPage = try await latency(repositoryPage, cookie: cookie)
        let deepPage = try await latency(repositoryPage + "?page=\(max(1, artifacts / 15 * 9 / 10))", cookie: cookie)
        let summary = try await latency("/harbor/projects/portal/summary", cookie: cookie)
        result["portal_projects_ms"] = projectsList.0
        result["portal_projects_p99_ms"] = projectsList.1
        result["portal_repository_ms"] = firstPage.0
        result["portal_repository_p99_ms"] = firstPage.1
        result["portal_repository_deep_p99_ms"] = deepPage.1
        result["portal_summary_p99_ms"] = summary.1
        return result
    }
}
