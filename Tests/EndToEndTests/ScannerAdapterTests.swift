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
        // The registry credential waits in the database sealed, never in clear.
        let kept = try await ProcessRunner.run(["python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select request from adapter_scans where id=?', (sys.argv[2],)).fetchone()[0])",
                                                data + "/berth.db", secondID])
        #expect(kept.succeeded && !kept.stdout.contains(credential.dropFirst(6)), "\(kept.combined)")
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

    /// Waits for the artifact's vulnerability scan to end; returns its overview.
    static func scanned(_ admin: AccessClient, _ artifact: String) async throws -> [String: Any] {
        let reportType = "application/vnd.security.vulnerability.report; version=1.1"
        var overview: [String: Any] = [:]
        let ended = try await eventually(timeout: .seconds(90)) {
            let listed = try await admin.api(.GET, artifact + "?with_scan_overview=true").json()
            overview = (listed["scan_overview"] as? [String: Any])?[reportType] as? [String: Any] ?? [:]
            return ["Success", "Error"].contains(overview["scan_status"] as? String ?? "")
        }
        try #require(ended, "the scan did not end: \(overview)")
        return overview
    }

    @Test("Berth uses external scanners through the scanner-adapter API: another Berth registered with /scanners scans a project's images (pulling with a short-lived pull-only token), and a Berth's own adapter over loopback; registrations, default, project scanner and who may change them")
    func usesExternalScanners() async throws {
        let work = try TemporaryDirectory("external-scanner")
        defer { work.remove() }
        let data = try await ScanTests.importAdvisories(work)
        let layout = try await ScanTests.image(work)
        // The scanner has the advisory data; the registry has none, so every finding it shows came from the scanner.
        let scanner = try await BerthInstance.start(dataDirectory: data, authentication: true)
        defer { Task { await scanner.destroy() } }
        let registry = try await BerthInstance.start(authentication: true)
        defer { Task { await registry.destroy() } }
        let pushed = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:\(BerthInstance.adminPassword)",
                                                  "oci:\(work.file("layout")):v1", "docker://\(registry.hostPort)/library/app:v1"])
        try #require(pushed.succeeded, "\(pushed.stderr)")
        let admin = AccessClient(http: RegistryHTTP(base: registry.baseURL), account: .basic("admin", BerthInstance.adminPassword))

        // Registering: ping checks the settings, the credential is sealed and never returned.
        let settings: [String: Any] = ["name": "berth-a", "url": scanner.baseURL, "auth": "Basic", "access_credential": "admin:\(BerthInstance.adminPassword)",
                                       "description": "the other Berth"]
        var wrong = settings
        wrong["access_credential"] = "admin:Not-The-Password-1"
        let refusedPing = try await admin.api(.POST, "/scanners/ping", json: wrong)
        #expect(refusedPing.status == 400)
        #expect(refusedPing.text.contains("refused the credentials"), "\(refusedPing.text)")
        #expect(try await admin.api(.POST, "/scanners/ping", json: ["name": "x", "url": "http://127.0.0.1:1"]).status == 400)
        #expect(try await admin.api(.POST, "/scanners/ping", json: settings).status == 200)
        let created = try await admin.api(.POST, "/scanners", json: settings)
        #expect(created.status == 201)
        let id = try #require(created.header("Location")?.split(separator: "/").last.map(String.init))
        #expect(try await admin.api(.POST, "/scanners", json: settings).status == 409)
        let listed = try await admin.api(.GET, "/scanners").jsonArray()
        #expect(listed.compactMap { $0["name"] as? String } == ["Berth", "berth-a"])
        #expect(listed.first?["is_default"] as? Bool == true)
        #expect(listed.allSatisfy { ($0["access_credential"] as? String) == "" })
        #expect(!(try await admin.api(.GET, "/scanners/\(id)").text.contains(BerthInstance.adminPassword)))
        let stored = try await ProcessRunner.run(["python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select access_credential from scanner_registrations').fetchone()[0])",
                                                  registry.dataDirectory + "/berth.db"])
        #expect(stored.stdout.hasPrefix("sealed:v1:") && !stored.stdout.contains(BerthInstance.adminPassword), "\(stored.combined)")
        let metadata = try await admin.api(.GET, "/scanners/\(id)/metadata").json()
        #expect((metadata["scanner"] as? [String: Any])?["name"] as? String == "Berth")

        // Who may: a project admin sets the project's scanner, but only system admins register scanners.
        #expect(try await admin.api(.POST, "/users", json: ["username": "owner", "email": "o@example.org", "realname": "O", "password": "Owner-Password-1"]).status == 201)
        #expect(try await admin.api(.POST, "/projects", json: ["project_name": "team", "metadata": ["public": "false"]]).status == 201)
        #expect(try await admin.api(.POST, "/projects/team/members", json: ["role_id": 1, "member_user": ["username": "owner"]]).status == 201)
        let owner = AccessClient(http: admin.http, account: .basic("owner", "Owner-Password-1"))
        #expect(try await owner.api(.GET, "/scanners").status == 403)
        #expect(try await owner.api(.POST, "/scanners", json: ["name": "evil", "url": "http://127.0.0.1:9"]).status == 403)
        #expect(try await owner.api(.PATCH, "/scanners/\(id)", json: ["is_default": true]).status == 403)
        #expect(try await owner.api(.PUT, "/projects/team/scanner", json: ["uuid": id]).status == 200)
        #expect(try await owner.api(.GET, "/projects/team/scanner").json()["name"] as? String == "berth-a")
        #expect(try await owner.api(.PUT, "/projects/library/scanner", json: ["uuid": id]).status == 403)

        // The default scanner scans library/app: the report comes from the other Berth.
        #expect(try await admin.api(.PATCH, "/scanners/\(id)", json: ["is_default": true]).status == 200)
        #expect(try await admin.api(.GET, "/projects/library/scanner").json()["name"] as? String == "berth-a")
        #expect(try await admin.api(.DELETE, "/scanners/\(id)").status == 403)
        let artifact = "/projects/library/repositories/app/artifacts/v1"
        #expect(try await admin.api(.POST, artifact + "/scan").status == 202)
        let overview = try await Self.scanned(admin, artifact)
        #expect(overview["scan_status"] as? String == "Success")
        let report = try await admin.api(.GET, artifact + "/additions/vulnerabilities").json()
        let body = try #require(report["application/vnd.security.vulnerability.report; version=1.1"] as? [String: Any])
        let vulnerabilities = body["vulnerabilities"] as? [[String: Any]] ?? []
        #expect(vulnerabilities.first { $0["id"] as? String == "CVE-2024-0727" }?["fix_version"] as? String == "3.0.13-1~deb12u1")
        #expect(vulnerabilities.contains { $0["id"] as? String == "CVE-2022-32149" })
        let reportID = try #require(overview["report_id"] as? String)
        let log = try await admin.api(.GET, artifact + "/scan/\(reportID)/log").text
        #expect(log.contains("scanner berth-a") && log.contains("accepted"), "\(log)")
        // The other Berth pulled with a token of this registry, which is good for pulling that repository only.
        let scannerLog = (try? String(contentsOfFile: scanner.logPath, encoding: .utf8)) ?? ""
        #expect(!scannerLog.contains(BerthInstance.adminPassword))

        // Prevent-vulnerable pulls act on the external report like on the built-in one.
        #expect(try await admin.api(.PUT, "/projects/library", json: ["metadata": ["prevent_vul": "true", "severity": "medium"]]).status == 200)
        #expect(try await owner.registry(.GET, "/v2/library/app/manifests/v1").status != 200)

        // The built-in scanner becomes the default again; the registration can then be removed.
        #expect(try await admin.api(.PATCH, "/scanners/berth-builtin", json: ["is_default": true]).status == 200)
        #expect(try await admin.api(.GET, "/projects/library/scanner").json()["name"] as? String == "Berth")
        #expect(try await admin.api(.DELETE, "/scanners/\(id)").status == 200)
        #expect(try await admin.api(.GET, "/scanners/\(id)").status == 404)
        #expect(try await owner.api(.GET, "/projects/team/scanner").json()["name"] as? String == "Berth")
    }

    @Test("Harbor's Python client (harborapi) registers a scanner, pings it, reads its metadata, sets the project's scanner, scans and reads the report")
    func harborClientDrivesScanners() async throws {
        let work = try TemporaryDirectory("harborapi-scanner")
        defer { work.remove() }
        let data = try await ScanTests.importAdvisories(work)
        _ = try await ScanTests.image(work)
        try await withSecuredServerOn(data) { server, _ in
            let pushed = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:\(BerthInstance.adminPassword)",
                                                      "oci:\(work.file("layout")):v1", "docker://\(server.hostPort)/library/app:v1"])
            try #require(pushed.succeeded, "\(pushed.stderr)")
            let run = try await ProcessRunner.run(["python3", PortalTests.scripts + "/harbor_scanners.py", server.baseURL, BerthInstance.adminPassword,
                                                   server.baseURL], timeout: 300)
            #expect(run.succeeded, "\(run.stderr.suffix(3000))")
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
            #expect((seen["location"] as? String)?.contains("/api/v2.0/scanners/") == true, "\(seen["location"] ?? "")")
            let scanners = seen["scanners"] as? [[Any]] ?? []
            #expect(scanners.map { $0.first as? String } == ["Berth", "adapter"] && scanners.allSatisfy { $0.last as? String == "" }, "\(scanners)")
            #expect((seen["metadata"] as? [Any])?.first as? String == "Berth")
            #expect(seen["project_scanner"] as? String == "adapter")
            #expect(seen["candidates"] as? [String] == ["Berth", "adapter"])
            #expect((seen["vulnerabilities"] as? [String] ?? []).contains("CVE-2024-0727"), "\(seen["vulnerabilities"] ?? "")")
            #expect(seen["default"] as? [String] == ["adapter"])
            #expect(seen["after_delete"] as? [String] == ["Berth"])
        }
    }

    @Test("a Berth registers its own scanner-adapter API over loopback as the default scanner and scans through it")
    func loopbackAdapter() async throws {
        let work = try TemporaryDirectory("loopback-scanner")
        defer { work.remove() }
        let data = try await ScanTests.importAdvisories(work)
        let layout = try await ScanTests.image(work)
        _ = layout
        try await withSecuredServerOn(data) { server, admin in
            let pushed = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:\(BerthInstance.adminPassword)",
                                                      "oci:\(work.file("layout")):v1", "docker://\(server.hostPort)/library/app:v1"])
            try #require(pushed.succeeded, "\(pushed.stderr)")
            let created = try await admin.api(.POST, "/scanners", json: ["name": "self", "url": server.baseURL, "auth": "Basic",
                                                                         "access_credential": "admin:\(BerthInstance.adminPassword)"])
            let id = try #require(created.header("Location")?.split(separator: "/").last.map(String.init))
            #expect(try await admin.api(.PATCH, "/scanners/\(id)", json: ["is_default": true]).status == 200)
            let artifact = "/projects/library/repositories/app/artifacts/v1"
            #expect(try await admin.api(.POST, artifact + "/scan").status == 202)
            let overview = try await Self.scanned(admin, artifact)
            #expect(overview["scan_status"] as? String == "Success")
            let reportID = try #require(overview["report_id"] as? String)
            #expect(try await admin.api(.GET, artifact + "/scan/\(reportID)/log").text.contains("scanner self"))
            let report = try await admin.api(.GET, artifact + "/additions/vulnerabilities").text
            #expect(report.contains("CVE-2024-0727"))
            // A disabled default is refused; a disabled scanner ends a scan with the reason.
            #expect(try await admin.api(.PUT, "/scanners/\(id)", json: ["name": "self", "url": server.baseURL, "auth": "Basic", "disabled": true]).status == 200)
            #expect(try await admin.api(.POST, artifact + "/scan").status == 202)
            let disabled = try await Self.scanned(admin, artifact)
            #expect(disabled["scan_status"] as? String == "Error")
        }
    }
}

/// A secured server on an existing data directory (one with advisory data imported), with its admin client.
func withSecuredServerOn(_ data: String, _ body: (BerthInstance, AccessClient) async throws -> Void) async throws {
    let server = try await BerthInstance.start(dataDirectory: data, authentication: true)
    do {
        try await body(server, AccessClient(http: RegistryHTTP(base: server.baseURL), account: .basic("admin", BerthInstance.adminPassword)))
        await server.destroy()
    } catch {
        await server.destroy()
        throw error
    }
}

