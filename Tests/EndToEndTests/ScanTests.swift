import Foundation
import OCI
import Testing

/// Vulnerability scanning end to end: advisory data imported with `berth advisories import` (the real Go
/// vulnerability database and a Debian tracker export), an image pushed with skopeo, a scan through Harbor's API,
/// the report and scan overview in Harbor's shapes, and the scan log.
@Suite("Vulnerability scanning")
struct ScanTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static let tracker = """
        {"openssl": {
          "CVE-2024-0727": {"description": "PKCS12 NULL dereference", "scope": "local", "releases": {
            "bookworm": {"status": "resolved", "repositories": {"bookworm": "3.0.11-1~deb12u2"}, "fixed_version": "3.0.13-1~deb12u1", "urgency": "medium"}}},
          "CVE-2023-5678": {"description": "slow DH key generation", "scope": "remote", "releases": {
            "bookworm": {"status": "resolved", "repositories": {"bookworm": "3.0.11-1~deb12u2"}, "fixed_version": "3.0.11-1~deb12u1", "urgency": "low"}}}
        }}
        """

    /// A Go program with a vendored golang.org/x/text v0.3.7, built by Debian's Go toolchain without a network.
    static func goBinary(in work: TemporaryDirectory) async throws -> [UInt8] {
        let root = work.file("go")
        let files = [
            "go.mod": "module example.com/hello\n\ngo 1.19\n\nrequire golang.org/x/text v0.3.7\n",
            "vendor/modules.txt": "# golang.org/x/text v0.3.7\n## explicit; go 1.17\ngolang.org/x/text/language\n",
            "vendor/golang.org/x/text/language/language.go": "package language\n\n// Tag names a language.\nfunc Tag() string { return \"en\" }\n",
            "main.go": "package main\n\nimport (\n\t\"fmt\"\n\n\t\"golang.org/x/text/language\"\n)\n\nfunc main() { fmt.Println(language.Tag()) }\n",
        ]
        for (path, text) in files {
            try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: root + "/" + path).deletingLastPathComponent().path, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/" + path))
        }
        let build = try await ProcessRunner.run(["go", "build", "-mod=vendor", "-o", "hello", "."],
                                                environment: ["HOME": root, "GOCACHE": root + "/cache", "CGO_ENABLED": "0", "GOTOOLCHAIN": "local"], directory: root)
        try #require(build.succeeded, "go build: \(build.stderr)")
        return Array(try Data(contentsOf: URL(fileURLWithPath: root + "/hello")))
    }

    /// Writes `files` under a new directory and archives it.
    static func layer(_ work: TemporaryDirectory, _ name: String, _ files: [String: [UInt8]], mode: [String: Int] = [:]) throws -> [UInt8] {
        let root = work.file(name)
        for (path, bytes) in files {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
            if let mode = mode[path] { try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path) }
        }
        return try OCILayoutWriter.tarDirectory(root)
    }

    /// An image whose bottom layer is a Debian 12 system with an affected libssl3 and whose top layer is a Go binary
    /// with an affected golang.org/x/text, as an OCI layout tagged v1 at `work/layout`.
    static func image(_ work: TemporaryDirectory) async throws -> OCILayoutWriter.Written {
        let bottom = try Self.layer(work, "os", [
            "etc/os-release": Array("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n".utf8),
            "var/lib/dpkg/status": Array("""
                Package: libssl3
                Status: install ok installed
                Architecture: amd64
                Source: openssl
                Version: 3.0.11-1~deb12u2

                Package: base-files
                Status: install ok installed
                Architecture: amd64
                Version: 12.4+deb12u5

                """.utf8),
        ])
        let app = try Self.layer(work, "app", ["usr/local/bin/hello": try await Self.goBinary(in: work)], mode: ["usr/local/bin/hello": 0o755])
        return try OCILayoutWriter.write(to: work.file("layout"), tag: "v1", layerTars: [bottom, app])

    }

    /// A data directory with the Go vulnerability database and the Debian tracker export above imported.
    static func importAdvisories(_ work: TemporaryDirectory) async throws -> String {
        let data = work.file("data")
        try Data(Self.tracker.utf8).write(to: URL(fileURLWithPath: work.file("tracker.json")))
        let berth = BerthInstance.binaryPath
        let goImport = try await ProcessRunner.run([berth, "advisories", "import", "--data-dir", data, Self.fixtures + "/go-vulndb.tar.gz"])
        #expect(goImport.succeeded && goImport.stdout.contains("into source go-vulndb"), "\(goImport.combined)")
        let debianImport = try await ProcessRunner.run([berth, "advisories", "import", "--data-dir", data, "--source", "debian", work.file("tracker.json")])
        #expect(debianImport.succeeded, "\(debianImport.combined)")
        return data
    }

    @Test("skopeo pushes an image, Harbor's scan API scans it against imported advisories, and the report, overview and log say what was found")
    func scanThroughHarborAPI() async throws {
        let work = try TemporaryDirectory("scan")
        defer { work.remove() }
        let data = try await Self.importAdvisories(work)
        let listed = try await ProcessRunner.run([BerthInstance.binaryPath, "advisories", "list", "--data-dir", data])
        #expect(listed.stdout.contains("debian\t1 advisories") || listed.stdout.contains("debian\t2 advisories"))

        let layout = try await Self.image(work)

        let server = try await BerthInstance.start(dataDirectory: data)
        do {
            let http = RegistryHTTP(base: server.baseURL)
            let push = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "oci:\(work.file("layout")):v1",
                                                    "docker://\(server.hostPort)/library/scan-me:v1"])
            try #require(push.succeeded, "\(push.stderr)")
            let artifact = "/api/v2.0/projects/library/repositories/scan-me/artifacts/v1"

            // Before a scan: an empty report and an empty overview; the artifact links its vulnerabilities addition.
            #expect(try await http.request(.GET, artifact + "/additions/vulnerabilities").text == "{}")
            let before = try await http.request(.GET, artifact + "?with_scan_overview=true").json()
            #expect((before["scan_overview"] as? [String: Any])?.isEmpty == true)
            #expect(((before["addition_links"] as? [String: Any])?["vulnerabilities"] as? [String: Any])?["href"] as? String
                == "/api/v2.0/projects/library/repositories/scan-me/artifacts/\(layout.topDigest)/additions/vulnerabilities")

            #expect(try await http.request(.POST, artifact + "/scan").status == 202)
            let reportType = "application/vnd.security.vulnerability.report; version=1.1"
            var overview: [String: Any] = [:]
            let finished = try await eventually(timeout: .seconds(60)) {
                let listed = try await http.request(.GET, "/api/v2.0/projects/library/repositories/scan-me/artifacts?with_scan_overview=true").body
                let artifacts = try JSONSerialization.jsonObject(with: Data(listed)) as? [[String: Any]] ?? []
                overview = (artifacts.first?["scan_overview"] as? [String: Any])?[reportType] as? [String: Any] ?? [:]
                return ["Success", "Error"].contains(overview["scan_status"] as? String ?? "")
            }
            try #require(finished, "the scan did not end: \(overview)")
            #expect(overview["scan_status"] as? String == "Success")
            #expect(overview["complete_percent"] as? Int == 100)

            let report = try await http.request(.GET, artifact + "/additions/vulnerabilities").json()
            let body = try #require(report[reportType] as? [String: Any])
            let vulnerabilities = try #require(body["vulnerabilities"] as? [[String: Any]])
            func find(_ id: String) -> [String: Any]? { vulnerabilities.first { $0["id"] as? String == id } }
            // The Debian tracker: fixed later (reported with its fix), fixed earlier (not reported).
            #expect(find("CVE-2024-0727")?["fix_version"] as? String == "3.0.13-1~deb12u1")
            #expect(find("CVE-2024-0727")?["package"] as? String == "libssl3")
            #expect(find("CVE-2024-0727")?["severity"] as? String == "Medium")
            #expect(find("CVE-2023-5678") == nil)
            // The Go database: golang.org/x/text 0.3.7 has GO-2022-1059 (CVE-2022-32149, fixed in 0.3.8), not GO-2021-0113 (fixed in 0.3.7).
            #expect(find("CVE-2022-32149")?["fix_version"] as? String == "0.3.8")
            #expect(find("CVE-2021-38561") == nil)
            #expect(vulnerabilities.contains { $0["package"] as? String == "stdlib" })
            #expect((body["artifact"] as? [String: Any])?["digest"] as? String == layout.topDigest.description)
            #expect((body["scanner"] as? [String: Any])?["name"] as? String == "Berth")

            let summary = try #require(overview["summary"] as? [String: Any])
            #expect(summary["total"] as? Int == vulnerabilities.count)
            let counts = (summary["summary"] as? [String: Int]) ?? [:]
            #expect(counts.values.reduce(0, +) == vulnerabilities.count)
            #expect(counts["Medium", default: 0] >= 1)
            #expect(overview["severity"] as? String == body["severity"] as? String)

            let reportID = try #require(overview["report_id"] as? String)
            let log = try await http.request(.GET, artifact + "/scan/\(reportID)/log")
            #expect(log.status == 200 && log.text.contains("advisory source go-vulndb") && log.text.contains("reading layer 2 of 2"))
            #expect(try await http.request(.GET, artifact + "/scan/not-a-report/log").status == 404)

            // Bad requests get Harbor's error JSON.
            let unknown = try await http.request(.POST, "/api/v2.0/projects/library/repositories/scan-me/artifacts/nope/scan")
            #expect(unknown.status == 404 && unknown.text.contains("\"errors\""))
            let badType = try await http.request(.POST, artifact + "/scan", headers: [("Content-Type", "application/json")], body: Array(#"{"scan_type":"everything"}"#.utf8))
            #expect(badType.status == 400)
            #expect(try await http.request(.POST, artifact + "/scan/stop").status == 404)

            // Scanning again makes a new report; the inventory is reused (no layer read in its log).
            #expect(try await http.request(.POST, artifact + "/scan").status == 202)
            var second: [String: Any] = [:]
            #expect(try await eventually(timeout: .seconds(60)) {
                second = (try await http.request(.GET, artifact + "?with_scan_overview=true").json()["scan_overview"] as? [String: Any])?[reportType] as? [String: Any] ?? [:]
                return second["scan_status"] as? String == "Success"
            })
            let secondID = try #require(second["report_id"] as? String)
            #expect(secondID != reportID)
            #expect(try await !http.request(.GET, artifact + "/scan/\(secondID)/log").text.contains("reading layer"))

            // An SBOM on request: an OCI referrer of the image, listed by the referrers API and pulled by oras.
            let sbomRequest = try await http.request(.POST, artifact + "/scan", headers: [("Content-Type", "application/json")],
                                                     body: Array(#"{"scan_type":"sbom"}"#.utf8))
            #expect(sbomRequest.status == 202)
            var sbomOverview: [String: Any] = [:]
            #expect(try await eventually(timeout: .seconds(60)) {
                sbomOverview = try await http.request(.GET, artifact + "?with_sbom_overview=true").json()["sbom_overview"] as? [String: Any] ?? [:]
                return ["Success", "Error"].contains(sbomOverview["scan_status"] as? String ?? "")
            })
            #expect(sbomOverview["scan_status"] as? String == "Success")
            let sbomDigest = try #require(sbomOverview["sbom_digest"] as? String)
            let referrers = try await http.request(.GET, "/v2/library/scan-me/referrers/\(layout.topDigest)").json()
            let listedSBOM = (referrers["manifests"] as? [[String: Any]])?.first { $0["digest"] as? String == sbomDigest }
            #expect(listedSBOM?["artifactType"] as? String == "application/vnd.goharbor.harbor.sbom.v1")
            let pulled = try await ProcessRunner.run(["python3", RealClientTests.scriptsDirectory + "/oras_pull.py", server.hostPort, "library/scan-me",
                                                      sbomDigest, work.file("sbom")])
            #expect(pulled.succeeded, "\(pulled.combined)")
            let spdx = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work.file("sbom") + "/sbom.spdx.json"))) as? [String: Any]
            #expect(spdx?["spdxVersion"] as? String == "SPDX-2.3" && spdx?["dataLicense"] as? String == "CC0-1.0")
            let spdxPackages = spdx?["packages"] as? [[String: Any]] ?? []
            func purls(_ name: String) -> [String] {
                spdxPackages.filter { $0["name"] as? String == name }.flatMap { ($0["externalRefs"] as? [[String: Any]] ?? []).compactMap { $0["referenceLocator"] as? String } }
            }
            #expect(purls("libssl3") == ["pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12"])
            #expect(purls("golang.org/x/text") == ["pkg:golang/golang.org/x/text@v0.3.7"])
            let cycloneDX = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work.file("sbom") + "/sbom.cdx.json"))) as? [String: Any]
            #expect(cycloneDX?["bomFormat"] as? String == "CycloneDX" && cycloneDX?["specVersion"] as? String == "1.5")
            #expect((cycloneDX?["components"] as? [[String: Any]] ?? []).contains { $0["name"] as? String == "libssl3" && $0["version"] as? String == "3.0.11-1~deb12u2" })

            // New advisory data imported while the server runs: the report is matched again from the stored inventory.
            let extra = #"{"openssl": {"CVE-2099-0001": {"description": "made up for this test", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.14-1~deb12u1", "urgency": "high"}}}}}"#
            try Data(extra.utf8).write(to: URL(fileURLWithPath: work.file("extra.json")))
            let imported = try await ProcessRunner.run([BerthInstance.binaryPath, "advisories", "import", "--data-dir", data, "--source", "debian-extra",
                                                        work.file("extra.json")])
            #expect(imported.succeeded, "\(imported.combined)")
            #expect(try await eventually(timeout: .seconds(30)) {
                let report = try await http.request(.GET, artifact + "/additions/vulnerabilities").json()
                let found = ((report[reportType] as? [String: Any])?["vulnerabilities"] as? [[String: Any]]) ?? []
                return found.contains { $0["id"] as? String == "CVE-2099-0001" && $0["fix_version"] as? String == "3.0.14-1~deb12u1" }
            })
            let rematched = (try await http.request(.GET, artifact + "?with_scan_overview=true").json()["scan_overview"] as? [String: Any])?[reportType] as? [String: Any]
            #expect(rematched?["report_id"] as? String == secondID && rematched?["severity"] as? String == "High")
            let rematchLog = try await http.request(.GET, artifact + "/scan/\(secondID)/log").text
            #expect(rematchLog.contains("matched again after an advisory import") && !rematchLog.contains("reading layer"))
        } catch {
            await server.destroy()
            throw error
        }
        await server.destroy()
    }

    @Test("scan on push, and prevent-vulnerable pulls: unscanned and vulnerable images refused to developers with Harbor's words, admins exempt, project and system CVE allowlists")
    func preventVulnerablePulls() async throws {
        let work = try TemporaryDirectory("scan-policy")
        defer { work.remove() }
        let data = try await Self.importAdvisories(work)
        _ = try await Self.image(work)
        let server = try await BerthInstance.start(dataDirectory: data, authentication: true)
        do {
            let http = RegistryHTTP(base: server.baseURL)
            let admin = AccessClient(http: http, account: .basic("admin", BerthInstance.adminPassword))
            let developer = AccessClient(http: http, account: .basic("dev", "Dev-12345678"))
            try await admin.apiOK(.POST, "/users", json: ["username": "dev", "password": "Dev-12345678"])
            let reportType = "application/vnd.security.vulnerability.report; version=1.1"
            // Reports belong to the digest (as in Harbor), so the never-scanned case is checked before the same image
            // reaches the auto-scanning project.
            for (name, autoScan) in [("strict", "false"), ("secure", "true")] {
                try await admin.apiOK(.POST, "/projects", json: ["project_name": name, "metadata": [
                    "auto_scan": autoScan, "prevent_vul": "true", "severity": "medium"]])
                try await admin.apiOK(.POST, "/projects/\(name)/members", json: ["role_id": 2, "member_user": ["username": "dev"]])
                let push = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:\(BerthInstance.adminPassword)",
                                                        "oci:\(work.file("layout")):v1", "docker://\(server.hostPort)/\(name)/app:v1"])
                try #require(push.succeeded, "\(push.stderr)")
                if name == "strict" {
                    // Never scanned (no auto_scan): refused, saying why.
                    let unscanned = try await developer.registry(.GET, "/v2/strict/app/manifests/v1")
                    #expect(unscanned.status == 412 && unscanned.errorCode == "PROJECTPOLICYVIOLATION")
                    #expect(unscanned.text.contains("without vulnerability scanning cannot be pulled due to configured policy"), "\(unscanned.text)")
                }
            }

            // Scan on push in secure.
            #expect(try await eventually(timeout: .seconds(60)) {
                let artifact = try await admin.api(.GET, "/projects/secure/repositories/app/artifacts/v1?with_scan_overview=true").json()
                return ((artifact["scan_overview"] as? [String: Any])?[reportType] as? [String: Any])?["scan_status"] as? String == "Success"
            })
            // One vulnerability at Medium or above (CVE-2024-0727); the Go database's have no severity (Unknown).
            let refused = try await developer.registry(.GET, "/v2/secure/app/manifests/v1")
            #expect(refused.status == 412 && refused.text.contains("1 vulnerabilities") && refused.text.contains("\\\"Medium\\\" or higher"), "\(refused.text)")
            let skopeo = try await ProcessRunner.run(["skopeo", "inspect", "--tls-verify=false", "--creds", "dev:Dev-12345678",
                                                      "docker://\(server.hostPort)/secure/app:v1"])
            #expect(!skopeo.succeeded && skopeo.stderr.contains("cannot be pulled due to configured policy"), "\(skopeo.stderr)")
            // Project and system administrators may still pull.
            #expect(try await admin.registry(.GET, "/v2/secure/app/manifests/v1").status == 200)

            // The project's allowlist exempts the CVE.
            try await admin.apiOK(.PUT, "/projects/secure", json: ["cve_allowlist": ["items": [["cve_id": "CVE-2024-0727"]]]])
            #expect(try await eventually(timeout: .seconds(5)) { try await developer.registry(.GET, "/v2/secure/app/manifests/v1").status == 200 })

            // Reusing the system allowlist: empty at first (refused again), then holding the CVE.
            try await admin.apiOK(.PUT, "/projects/secure", json: ["metadata": ["reuse_sys_cve_allowlist": "true"]])
            #expect(try await eventually(timeout: .seconds(5)) { try await developer.registry(.GET, "/v2/secure/app/manifests/v1").status == 412 })
            #expect(try await developer.api(.PUT, "/system/CVEAllowlist", json: ["items": [["cve_id": "CVE-2024-0727"]]]).status == 403)
            try await admin.apiOK(.PUT, "/system/CVEAllowlist", json: ["items": [["cve_id": "CVE-2024-0727"]]])
            let system = try await developer.api(.GET, "/system/CVEAllowlist").json()
            #expect((system["items"] as? [[String: Any]])?.first?["cve_id"] as? String == "CVE-2024-0727")
            #expect(try await eventually(timeout: .seconds(5)) { try await developer.registry(.GET, "/v2/secure/app/manifests/v1").status == 200 })

            // A CVE export of the project, as CSV, by a developer; only its maker sees it.
            let projectID = try #require(try await admin.api(.GET, "/projects/secure").json()["project_id"] as? Int)
            let started = try await developer.api(.POST, "/export/cve", json: ["job_name": "audit-2026", "projects": [projectID], "cveIds": "CVE-2024-0727"])
            let exportID = try #require(try started.json()["id"] as? Int, "\(started.text)")
            #expect(try await eventually(timeout: .seconds(30)) {
                try await developer.api(.GET, "/export/cve/execution/\(exportID)").json()["status"] as? String == "Success"
            })
            let csv = try await developer.api(.GET, "/export/cve/download/\(exportID)")
            #expect(csv.status == 200 && csv.header("Content-Disposition") == "attachment; filename=\"audit-2026.csv\"")
            let rows = csv.text.split(separator: "\r\n")
            #expect(rows.first?.hasPrefix("Project,Repository,Digest,Tags,CVE,Package,Version,Fix Version,Severity") == true)
            #expect(rows.count == 2 && rows.last?.contains("secure,secure/app,sha256:") == true && rows.last?.contains(",v1,CVE-2024-0727,libssl3,") == true,
                    "\(csv.text)")
            #expect(try await admin.api(.GET, "/export/cve/download/\(exportID)").status == 404)
            #expect((try await developer.api(.GET, "/export/cve/executions").json()["items"] as? [[String: Any]])?.count == 1)
            #expect(try await developer.api(.POST, "/export/cve", json: ["projects": [projectID, projectID + 1]]).status == 400)

            // A developer may read the report but not start a scan (Harbor's "Scan/delete image" is the maintainers').
            #expect(try await developer.api(.POST, "/projects/secure/repositories/app/artifacts/v1/scan").status == 403)
            #expect(try await developer.api(.GET, "/projects/secure/repositories/app/artifacts/v1/additions/vulnerabilities").status == 200)
        } catch {
            await server.destroy()
            throw error
        }
        await server.destroy()
    }

    @Test("scan all: its schedule, a manual run over every image (each digest once), its metrics, and who may do it")
    func scanAll() async throws {
        let work = try TemporaryDirectory("scan-all")
        defer { work.remove() }
        let data = try await Self.importAdvisories(work)
        let image = try await Self.image(work)
        let other = try OCILayoutWriter.write(to: work.file("other"), tag: "v1", layerSizes: [20_000])
        let server = try await BerthInstance.start(dataDirectory: data, authentication: true)
        do {
            let http = RegistryHTTP(base: server.baseURL)
            let admin = AccessClient(http: http, account: .basic("admin", BerthInstance.adminPassword))
            try await admin.apiOK(.POST, "/users", json: ["username": "dev", "password": "Dev-12345678"])
            let developer = AccessClient(http: http, account: .basic("dev", "Dev-12345678"))
            for (layout, repository) in [("layout", "a"), ("layout", "b"), ("other", "c")] {
                let push = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:\(BerthInstance.adminPassword)",
                                                        "oci:\(work.file(layout)):v1", "docker://\(server.hostPort)/library/\(repository):v1"])
                try #require(push.succeeded, "\(push.stderr)")
            }

            #expect((try await admin.api(.GET, "/system/scanAll/schedule").json()["schedule"] as? [String: Any])?["type"] as? String == "None")
            try await admin.apiOK(.PUT, "/system/scanAll/schedule", json: ["schedule": ["type": "Daily"]])
            let daily = try await admin.api(.GET, "/system/scanAll/schedule").json()["schedule"] as? [String: Any]
            #expect(daily?["type"] as? String == "Daily" && daily?["cron"] as? String == "0 0 0 * * *" && daily?["next_scheduled_time"] is String)
            #expect(try await admin.api(.PUT, "/system/scanAll/schedule", json: ["schedule": ["type": "Custom", "cron": "61 * * * *"]]).status == 400)
            #expect(try await developer.api(.POST, "/system/scanAll/schedule", json: ["schedule": ["type": "Manual"]]).status == 403)
            #expect(try await developer.api(.GET, "/scans/all/metrics").status == 403)

            #expect(try await admin.api(.POST, "/system/scanAll/schedule", json: ["schedule": ["type": "Manual"]]).status == 201)
            var metrics: [String: Any] = [:]
            #expect(try await eventually(timeout: .seconds(60)) {
                metrics = try await admin.api(.GET, "/scans/all/metrics").json()
                return metrics["total"] as? Int == 2 && metrics["completed"] as? Int == 2 && metrics["ongoing"] as? Bool == false
            }, "\(metrics)")
            #expect((metrics["metrics"] as? [String: Int])?["Success"] == 2)
            #expect(metrics["trigger"] as? String == "Manual" && metrics["requester"] as? String == "admin")
            let reportType = "application/vnd.security.vulnerability.report; version=1.1"
            for repository in ["a", "b", "c"] {
                let artifact = try await admin.api(.GET, "/projects/library/repositories/\(repository)/artifacts/v1?with_scan_overview=true").json()
                #expect(((artifact["scan_overview"] as? [String: Any])?[reportType] as? [String: Any])?["scan_status"] as? String == "Success")
            }
            #expect(image.topDigest != other.topDigest)

            // The security hub over every project.
            let summary = try await admin.api(.GET, "/security/summary?with_dangerous_cve=true&with_dangerous_artifact=true").json()
            #expect(summary["total_artifact"] as? Int == 3 && summary["scanned_cnt"] as? Int == 3)
            #expect((summary["medium_cnt"] as? Int ?? 0) >= 1 && (summary["total_vuls"] as? Int ?? 0) > 10)
            #expect((summary["dangerous_cves"] as? [[String: Any]])?.first?["cve_id"] as? String == "CVE-2024-0727")
            #expect((summary["dangerous_artifacts"] as? [[String: Any]])?.first?["digest"] as? String == image.topDigest.description)
            let listed = try await admin.api(.GET, "/security/vul?q=cve_id%3DCVE-2024-0727&with_tag=true")
            let items = try listed.jsonArray()
            #expect(listed.header("X-Total-Count") == "2")
            #expect(Set(items.compactMap { $0["repository_name"] as? String }) == ["library/a", "library/b"])
            #expect(items.allSatisfy { $0["tags"] as? [String] == ["v1"] && $0["fixed_version"] as? String == "3.0.13-1~deb12u1" && $0["package"] as? String == "libssl3" })
            let paged = try await admin.api(.GET, "/security/vul?q=repository_name%3Dlibrary%2Fa&page_size=5&page=1")
            #expect(try paged.jsonArray().count == 5 && Int(paged.header("X-Total-Count") ?? "") ?? 0 > 5)
            #expect(try await admin.api(.GET, "/security/vul?q=nonsense%3D1").status == 400)
            #expect(try await developer.api(.GET, "/security/summary").status == 403)
            // Advisory bundles imported through the API (system administrators), then matched into the reports.
            let auth = AccessClient(http: http, account: .basic("admin", BerthInstance.adminPassword)).account.authorization
            let extra = #"{"openssl": {"CVE-2099-0001": {"description": "made up", "releases": {"bookworm": {"status": "open", "urgency": "high"}}}}}"#
            let imported = try await http.request(.POST, "/api/v2.0/advisories/import?source=api-extra", headers: auth + [("Content-Type", "application/json")],
                                                  body: Array(extra.utf8))
            let importedSource = try imported.json()["source"] as? [String: Any]
            #expect(imported.status == 201 && importedSource?["advisories"] as? Int == 1, "\(imported.text)")
            let bundle = Array(try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/go-vulndb.tar.gz")))
            let goBundle = try await http.request(.POST, "/api/v2.0/advisories/import?source=go-api", headers: auth + [("Content-Type", "application/gzip")],
                                                  body: bundle)
            let goDocuments = try goBundle.json()["documents"] as? Int
            #expect(goBundle.status == 201 && goDocuments == 4291, "\(goBundle.text)")
            let malformed = try await http.request(.POST, "/api/v2.0/advisories/import?source=api-extra", headers: auth + [("Content-Type", "application/json")],
                                                   body: Array(#"{"openssl": 5}"#.utf8))
            #expect(malformed.status == 400 && malformed.text.contains("upload") && malformed.text.contains("not an OSV advisory"), "\(malformed.text)")
            #expect(try await developer.api(.POST, "/advisories/import?source=x", json: ["id": "X"]).status == 403)
            let sources = try await admin.api(.GET, "/advisories/sources").jsonArray().compactMap { $0["name"] as? String }
            #expect(Set(sources) == ["debian", "go-vulndb", "api-extra", "go-api"])
            func hasExtra() async throws -> Bool {
                let report = try await admin.api(.GET, "/projects/library/repositories/a/artifacts/v1/additions/vulnerabilities").json()
                return ((report[reportType] as? [String: Any])?["vulnerabilities"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == "CVE-2099-0001" }
            }
            #expect(try await eventually(timeout: .seconds(30)) { try await hasExtra() })
            #expect(try await admin.api(.DELETE, "/advisories/sources/api-extra").status == 200)
            #expect(try await eventually(timeout: .seconds(30)) { try await !hasExtra() })
            #expect(try await admin.api(.DELETE, "/advisories/sources/api-extra").status == 404)

            #expect(try await admin.api(.POST, "/system/scanAll/stop").status == 202)
            try await admin.apiOK(.PUT, "/system/scanAll/schedule", json: ["schedule": ["type": "None"]])
            #expect((try await admin.api(.GET, "/system/scanAll/schedule").json()["schedule"] as? [String: Any])?["type"] as? String == "None")
        } catch {
            await server.destroy()
            throw error
        }
        await server.destroy()
    }

    @Test("an image whose layer is not a tar archive ends its scan as Error, with the reason in the log; the server goes on")
    func brokenLayer() async throws {
        let work = try TemporaryDirectory("scan-broken")
        defer { work.remove() }
        let garbage = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ ($0 >> 3)) }
        let layout = try OCILayoutWriter.write(to: work.file("layout"), tag: "v1", layerTars: [garbage])
        try await withServer { server, http in
            let push = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "oci:\(work.file("layout")):v1",
                                                    "docker://\(server.hostPort)/library/broken:v1"])
            try #require(push.succeeded, "\(push.stderr)")
            let artifact = "/api/v2.0/projects/library/repositories/broken/artifacts/v1"
            #expect(try await http.request(.POST, artifact + "/scan").status == 202)
            let reportType = "application/vnd.security.vulnerability.report; version=1.1"
            var overview: [String: Any] = [:]
            #expect(try await eventually(timeout: .seconds(30)) {
                overview = (try await http.request(.GET, artifact + "?with_scan_overview=true").json()["scan_overview"] as? [String: Any])?[reportType] as? [String: Any] ?? [:]
                return overview["scan_status"] as? String == "Error"
            })
            let log = try await http.request(.GET, artifact + "/scan/\(overview["report_id"] as? String ?? "")/log").text
            #expect(log.contains("is not a readable tar archive"), "\(log)")
            #expect(try await http.request(.GET, "/v2/library/broken/manifests/\(layout.topDigest)").status == 200)

            // A multi-platform index is scanned through its platform images.
            _ = try OCILayoutWriter.write(to: work.file("multi"), tag: "v1", layerSizes: [10_000], platforms: ["linux/amd64", "linux/arm64"])
            let multi = try await ProcessRunner.run(["skopeo", "copy", "--all", "--dest-tls-verify=false", "oci:\(work.file("multi")):v1",
                                                     "docker://\(server.hostPort)/library/multi:v1"])
            try #require(multi.succeeded, "\(multi.stderr)")
            let index = "/api/v2.0/projects/library/repositories/multi/artifacts/v1"
            #expect(try await http.request(.POST, index + "/scan").status == 202)
            #expect(try await eventually(timeout: .seconds(30)) {
                let state = (try await http.request(.GET, index + "?with_scan_overview=true").json()["scan_overview"] as? [String: Any])?[reportType] as? [String: Any]
                return state?["scan_status"] as? String == "Success"
            })
            let indexLog = try await http.request(.GET, index + "/additions/vulnerabilities").json()
            #expect((indexLog[reportType] as? [String: Any])?["vulnerabilities"] as? [Any] != nil)
        }
    }
}
