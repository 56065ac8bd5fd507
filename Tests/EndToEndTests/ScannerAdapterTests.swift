import Foundation
import OCI
import Testing

/// Berth's built-in scanner behind Harbor's scanner-adapter API (`/api/v1`): requests name a remote registry, a
/// credential and an artifact, as Harbor sends them; Berth pulls from there (CNCF distribution anonymously, another
/// Berth through its token service) and answers in the API's media types.
@Suite("Scanner-adapter API")
struct ScannerAdapterTests {
    static let vulnerabilityType = "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0"
    static let sbomType = "application/vnd.security.sbom.report+json; version=1.0"

    /// Polls the report of `id` until it is ready (or failed); returns the final answer.
    static func report(_ http: RegistryHTTP, _ id: String, auth: [(String, String)], accept: String = vulnerabilityType,
                       query: String = "") async throws -> HTTPResult {
        var last: HTTPResult?
        var sawPending = false
        let ended = try await eventually(timeout: .seconds(90)) {
            let answer = try await http.request(.GET, "/api/v1/scan/\(id)/report\(query)", headers: auth + [("Accept", accept)])
            last = answer
            if answer.status == 302 {
                sawPending = true
                #expect(answer.headers.first(name: "Refresh-After").flatMap(Int.init) ?? 0 > 0)
            }
            return answer.status != 302
        }
        _ = sawPending
        try #require(ended, "the report was not ready in time")
        return try #require(last)
    }

    @Test("Berth scans through Harbor's scanner-adapter API: images pulled from CNCF distribution and from a Berth with credentials, reports and SBOMs in the API's types, bad requests refused")
    func servesTheAdapterAPI() async throws {
        let work = try TemporaryDirectory("adapter")
        defer { work.remove() }
        let data = try await ScanTests.importAdvisories(work)
        let layout = try await ScanTests.image(work)
        let digest = layout.topDigest.description

        let scanner = try await BerthInstance.start(dataDirectory: data, authentication: true)
        defer { Task { await scanner.destroy() } }
        let source = try await BerthInstance.start(authentication: true)
        defer { Task { await source.destroy() } }
        let distribution = try await TestDistribution.start()
        defer { distribution.stop() }

        let toDistribution = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "oci:\(work.file("layout")):v1",
                                                          "docker://\(distribution.hostPort)/team/app:v1"])
        try #require(toDistribution.succeeded, "\(toDistribution.stderr)")
        let toBerth = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:\(BerthInstance.adminPassword)",
                                                   "oci:\(work.file("layout")):v1", "docker://\(source.hostPort)/library/app:v1"])
        try #require(toBerth.succeeded, "\(toBerth.stderr)")

        let http = RegistryHTTP(base: scanner.baseURL)
        let admin = Account.basic("admin", BerthInstance.adminPassword).authorization
        let json = [("Content-Type", "application/vnd.scanner.adapter.scan.request+json; version=1.1")]

        // Metadata: for those allowed to use scanners only.
        let anonymous = try await http.request(.GET, "/api/v1/metadata")
        #expect(anonymous.status == 401)
        #expect(anonymous.headers.first(name: "Content-Type") == "application/vnd.scanner.adapter.error+json; version=1.0")
        let developer = try await AccessClient(http: http, account: .basic("admin", BerthInstance.adminPassword))
            .api(.POST, "/users", json: ["username": "dev", "email": "dev@example.org", "realname": "Dev", "password": "Dev-Password-1"])
        #expect(developer.status == 201)
        #expect(try await http.request(.GET, "/api/v1/metadata", headers: Account.basic("dev", "Dev-Password-1").authorization).status == 403)
        let metadata = try await http.request(.GET, "/api/v1/metadata", headers: admin)
        #expect(metadata.status == 200)
        #expect(metadata.headers.first(name: "Content-Type") == "application/vnd.scanner.adapter.metadata+json; version=1.1")
        let meta = try metadata.json()
        #expect((meta["scanner"] as? [String: Any])?["name"] as? String == "Berth")
        let capabilities = meta["capabilities"] as? [[String: Any]] ?? []
        #expect(capabilities.compactMap { $0["type"] as? String } == ["vulnerability", "sbom"])
        #expect((capabilities.first?["produces_mime_types"] as? [String])?.contains(Self.vulnerabilityType) == true)
        #expect(((meta["properties"] as? [String: String])?["harbor.scanner-adapter/vulnerability-database-updated-at"] ?? "").hasPrefix("20"))

        // An image in CNCF distribution, pulled anonymously.
        let fromDistribution: [String: Any] = ["registry": ["url": distribution.baseURL],
                                               "artifact": ["repository": "team/app", "digest": digest, "tag": "v1",
                                                            "mime_type": "application/vnd.oci.image.manifest.v1+json"]]
        let accepted = try await http.request(.POST, "/api/v1/scan", headers: admin + json, body: Array(try JSONSerialization.data(withJSONObject: fromDistribution)))
        #expect(accepted.status == 202)
        #expect(accepted.headers.first(name: "Content-Type") == "application/vnd.scanner.adapter.scan.response+json; version=1.0")
        let id = try #require(try accepted.json()["id"] as? String)
        let answer = try await Self.report(http, id, auth: admin)
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.headers.first(name: "Content-Type") == Self.vulnerabilityType)
        let report = try answer.json()
        #expect((report["artifact"] as? [String: Any])?["digest"] as? String == digest)
        #expect((report["artifact"] as? [String: Any])?["tag"] as? String == "v1")
        #expect((report["scanner"] as? [String: Any])?["name"] as? String == "Berth")
        let vulnerabilities = report["vulnerabilities"] as? [[String: Any]] ?? []
        func find(_ id: String) -> [String: Any]? { vulnerabilities.first { $0["id"] as? String == id } }
        #expect(find("CVE-2024-0727")?["fix_version"] as? String == "3.0.13-1~deb12u1")
        #expect(find("CVE-2024-0727")?["package"] as? String == "libssl3")
        #expect(find("CVE-2023-5678") == nil)
        #expect(find("CVE-2022-32149")?["package"] as? String == "golang.org/x/text")
        #expect(find("CVE-2022-32149")?["fix_version"] as? String == "0.3.8")
        // The v1.1 name of the same report.
        let v11 = try await http.request(.GET, "/api/v1/scan/\(id)/report", headers: admin + [("Accept", "application/vnd.security.vulnerability.report; version=1.1")])
        #expect(v11.status == 200)
        #expect((try v11.json()["vulnerabilities"] as? [[String: Any]])?.count == vulnerabilities.count)

        // An image in a Berth with authentication, pulled with Basic credentials through its token service; SBOMs too.
        let credential = "Basic " + Data("admin:\(BerthInstance.adminPassword)".utf8).base64EncodedString()
        let fromBerth: [String: Any] = ["registry": ["url": source.baseURL, "authorization": credential],
                                        "artifact": ["repository": "library/app", "digest": digest],
                                        "enabled_capabilities": [["type": "vulnerability"],
                                                                 ["type": "sbom", "parameters": ["sbom_media_types": ["application/spdx+json", "application/vnd.cyclonedx+json"]]]]]
        let second = try await http.request(.POST, "/api/v1/scan", headers: admin + json, body: Array(try JSONSerialization.data(withJSONObject: fromBerth)))
        #expect(second.status == 202)
        let secondID = try #require(try second.json()["id"] as? String)
        let secondReport = try await Self.report(http, secondID, auth: admin)
        #expect(secondReport.status == 200, "\(secondReport.text)")
        #expect((try secondReport.json()["vulnerabilities"] as? [[String: Any]])?.count == vulnerabilities.count)
        let spdx = try await http.request(.GET, "/api/v1/scan/\(secondID)/report?sbom_media_type=application/spdx%2Bjson", headers: admin + [("Accept", Self.sbomType)])
        #expect(spdx.status == 200, "\(spdx.text)")
        #expect(spdx.headers.first(name: "Content-Type") == Self.sbomType)
        let spdxReport = try spdx.json()
        #expect(spdxReport["media_type"] as? String == "application/spdx+json")
        let document = try #require(spdxReport["sbom"] as? [String: Any])
        #expect(document["spdxVersion"] as? String == "SPDX-2.3")
        #expect((document["packages"] as? [[String: Any]])?.contains { $0["name"] as? String == "libssl3" } == true)
        let cyclone = try await http.request(.GET, "/api/v1/scan/\(secondID)/report?sbom_media_type=application/vnd.cyclonedx%2Bjson", headers: admin + [("Accept", Self.sbomType)])
        #expect((try cyclone.json()["sbom"] as? [String: Any])?["bomFormat"] as? String == "CycloneDX")
        #expect(try await http.request(.GET, "/api/v1/scan/\(secondID)/report", headers: admin + [("Accept", Self.sbomType)]).status == 400)
        #expect(try await http.request(.GET, "/api/v1/scan/\(secondID)/report", headers: admin + [("Accept", "application/x-unknown")]).status == 501)

        // Wrong credentials: the scan fails with a reason, and the password appears nowhere.
        let wrong: [String: Any] = ["registry": ["url": source.baseURL, "authorization": "Basic " + Data("admin:Wrong-Secret-987".utf8).base64EncodedString()],
                                    "artifact": ["repository": "library/app", "digest": digest]]
        let third = try await http.request(.POST, "/api/v1/scan", headers: admin + json, body: Array(try JSONSerialization.data(withJSONObject: wrong)))
        let thirdID = try #require(try third.json()["id"] as? String)
        let failed = try await Self.report(http, thirdID, auth: admin)
        #expect(failed.status == 500)
        #expect(failed.headers.first(name: "Content-Type") == "application/vnd.scanner.adapter.error+json; version=1.0")
        let message = (try failed.json()["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("unauthorized"), "\(message)")
        #expect(!failed.text.contains("Wrong-Secret-987"))
        let log = (try? String(contentsOfFile: scanner.logPath, encoding: .utf8)) ?? ""
        #expect(!log.contains("Wrong-Secret-987") && !log.contains(BerthInstance.adminPassword))

        // Bad requests.
        #expect(try await http.request(.POST, "/api/v1/scan", headers: admin + json, body: Array("{not json".utf8)).status == 400)
        for bad: [String: Any] in [
            ["registry": ["url": "file:///etc"], "artifact": ["repository": "team/app", "digest": digest]],
            ["registry": ["url": distribution.baseURL], "artifact": ["repository": "team/app", "digest": "sha256:123"]],
            ["registry": ["url": distribution.baseURL], "artifact": ["repository": "Team/../app", "digest": digest]],
        ] {
            let refused = try await http.request(.POST, "/api/v1/scan", headers: admin + json, body: Array(try JSONSerialization.data(withJSONObject: bad)))
            #expect(refused.status == 422, "\(bad): \(refused.text)")
        }
        let chart: [String: Any] = ["registry": ["url": distribution.baseURL],
                                    "artifact": ["repository": "team/app", "digest": digest, "mime_type": "application/vnd.cncf.helm.config.v1+json"]]
        #expect(try await http.request(.POST, "/api/v1/scan", headers: admin + json, body: Array(try JSONSerialization.data(withJSONObject: chart))).status == 501)
        #expect(try await http.request(.GET, "/api/v1/scan/no-such-id/report", headers: admin).status == 404)
    }
}
