import Foundation
import Testing

/// The portal's scanning screens in a real browser: a project's scanning settings, an artifact's report (its bar,
/// filters, sorting, CVE links, the log, the Scan and SBOM buttons), the artifact list's scan column, Administration →
/// Interrogation Services and the security hub — and what a developer may not do.
@Suite("Portal scanning")
struct PortalScanningTests {
    @Test("a security engineer scans from the portal, reads and filters the report, sets the project's policy, and follows scan all and the security hub in Chromium")
    func scanningScreens() async throws {
        let work = try TemporaryDirectory("portal-scan")
        defer { work.remove() }
        let data = try await ScanTests.importAdvisories(work)
        let layout = try await ScanTests.image(work)
        try await withSecuredServerOn(data) { server, admin in
            let pushed = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:\(BerthInstance.adminPassword)",
                                                      "oci:\(work.file("layout")):v1", "docker://\(server.hostPort)/library/scan-me:v1"])
            try #require(pushed.succeeded, "\(pushed.stderr)")
            try await admin.apiOK(.POST, "/users", json: ["username": "dev1", "password": PortalTests.userPassword])
            try await admin.apiOK(.POST, "/projects/library/members", json: ["role_id": 2, "member_user": ["username": "dev1"]])
            let bundle = work.file("portal-upload.json")
            try Data(#"{"id": "GO-2099-0001", "modified": "2099-01-01T00:00:00Z", "summary": "uploaded from the portal", "affected": [{"package": {"ecosystem": "Go", "name": "example.com/none"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}"#.utf8)
                .write(to: URL(fileURLWithPath: bundle))
            let run = try await ProcessRunner.run(["python3", PortalTests.scripts + "/portal_scanning.py", server.baseURL, BerthInstance.adminPassword,
                                                   "library/scan-me", layout.topDigest.description, PortalTests.userPassword, bundle], timeout: 600)
            #expect(run.succeeded, "\(run.stderr.suffix(4000))")
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
            func rows(_ key: String) -> [[String]] { seen[key] as? [[String]] ?? [] }

            // A developer reads but may not scan or change the policy.
            #expect(seen["developer_status"] as? String == "Not scanned yet.")
            #expect(seen["developer_scan_button"] as? Int == 0)
            #expect(seen["developer_scanning_form"] as? Int == 0)
            #expect((seen["developer_scanning_facts"] as? String)?.contains("Scan on push\noff") == true, "\(seen["developer_scanning_facts"] ?? "")")

            // The project's settings, saved and shown again; the API agrees.
            #expect(seen["config_saved"] as? String == "Saved.")
            #expect(seen["config_auto_scan"] as? Bool == true && seen["config_prevent"] as? Bool == true)
            #expect(seen["config_severity"] as? String == "medium")
            #expect(seen["config_allowlist"] as? String == "CVE-2099-0001\nCVE-2099-0002")
            #expect(seen["config_expires"] as? String == "2099-12-31")
            let project = try await admin.api(.GET, "/projects/library").json()
            let metadata = project["metadata"] as? [String: String] ?? [:]
            #expect(metadata["auto_scan"] == "true" && metadata["prevent_vul"] == "true" && metadata["severity"] == "medium", "\(metadata)")
            let allowlist = project["cve_allowlist"] as? [String: Any] ?? [:]
            #expect((allowlist["items"] as? [[String: Any]])?.compactMap { $0["cve_id"] as? String } == ["CVE-2099-0001", "CVE-2099-0002"])
            #expect(allowlist["expires_at"] as? Int == 4_102_444_799)

            // The report: status, bar, table, filters, sorting, links, log.
            #expect(seen["status_before"] as? String == "Not scanned yet.")
            #expect(seen["live_updated"] as? Bool == true, "the section did not follow the scan by itself: \(seen["status_running"] ?? "")")
            let status = seen["status_after"] as? String ?? ""
            #expect(status.contains("vulnerabilities") && status.contains("fixable"), "\(status)")
            #expect((seen["counts"] as? String)?.contains("Medium") == true, "\(seen["counts"] ?? "")")
            #expect((seen["bar_segments"] as? [String] ?? []).contains("sev medium"), "\(seen["bar_segments"] ?? "")")
            #expect((seen["scanned_by"] as? String)?.hasPrefix("Scanned by Berth") == true)
            let all = rows("rows")
            #expect(all.contains { $0.first == "CVE-2024-0727" && $0.count > 4 && $0[1] == "Medium" && $0[2] == "libssl3" && $0[4] == "3.0.13-1~deb12u1" }, "\(all)")
            #expect(all.contains { $0.first == "CVE-2022-32149" && $0[2] == "golang.org/x/text" }, "\(all)")
            #expect(!all.contains { $0.first == "CVE-2023-5678" })
            #expect((seen["first_link"] as? String)?.hasPrefix("http") == true)
            let medium = rows("medium_rows")
            #expect(!medium.isEmpty && medium.allSatisfy { $0.count > 1 && $0[1] == "Medium" }, "\(medium)")
            #expect(medium.count < all.count)
            let sorted = rows("sorted_rows").map { $0.count > 2 ? $0[2] : "" }
            #expect(sorted == sorted.sorted() && rows("sorted_rows").count == medium.count, "\(sorted)")
            #expect((seen["sort_url"] as? String)?.contains("severity=Medium") == true)
            #expect(seen["no_match"] as? String == "No vulnerability matches these filters.")
            #expect((seen["log"] as? String)?.contains("vulnerabilities (") == true, "\(seen["log"] ?? "")")
            #expect((seen["sbom_status"] as? String)?.contains("SBOM (SPDX 2.3 and CycloneDX 1.5)") == true, "\(seen["sbom_status"] ?? "")")
            #expect(seen["sbom_page"] != nil)

            // The artifact list.
            let cells = seen["list_cells"] as? [String] ?? []
            #expect(cells.contains { $0.contains("(") }, "\(cells)")
            #expect(seen["list_bars"] as? Int ?? 0 >= 1)

            // Interrogation services.
            let scanners = rows("scanners")
            #expect(scanners.first.map { Array($0.prefix(5)) } == ["Berth", "built in", "none", "Enabled", "Default"], "\(scanners)")
            let sources = rows("sources").compactMap(\.first)
            #expect(Set(sources) == ["go-vulndb", "debian"], "\(sources)")
            #expect(rows("sources").allSatisfy { $0.count > 3 && $0[3].contains("ago") || $0[3].contains("just now") })
            #expect(seen["upload_status"] as? String == "Imported 1 advisories into portal-upload.", "\(seen["upload_status"] ?? "")")
            #expect(rows("sources_after_upload").contains { $0.first == "portal-upload" && $0.count > 2 && $0[2] == "1" })
            #expect(seen["scan_all_saved"] as? String == "Saved.")
            #expect((seen["scan_all_progress"] as? String)?.contains("of") == true, "\(seen["scan_all_progress"] ?? "")")
            #expect(seen["schedule_type"] as? String == "Daily")
            #expect(seen["next_run"] != nil)
            #expect((seen["register_problem"] as? String)?.contains("url") == true, "\(seen["register_problem"] ?? "")")

            // The security hub.
            #expect(Int(seen["hub_total"] as? String ?? "") ?? 0 > 0)
            let bars = seen["hub_chart_bars"] as? [String] ?? []
            #expect(bars.count == 6 && bars.contains { $0.hasPrefix("Medium: ") }, "\(bars)")
            #expect(!rows("hub_rows").isEmpty)
            #expect(!rows("hub_filtered").isEmpty && rows("hub_filtered").allSatisfy { $0.first == "CVE-2024-0727" }, "\(rows("hub_filtered"))")
            #expect((seen["console"] as? [String] ?? []).isEmpty, "browser console errors: \(seen["console"] ?? "")")

            // The forms check the CSRF token and the caller's role, as the API does.
            try await PortalTests.withPortalClient { client in
                let http = RegistryHTTP(base: server.baseURL, client: client)
                let developer = try await PortalTests.session(http, "dev1", PortalTests.userPassword)
                let root = try await PortalTests.session(http, "admin", BerthInstance.adminPassword)
                let artifact = "/harbor/projects/library/repositories/scan-me/artifacts-tab/artifacts/\(layout.topDigest)"
                #expect(try await PortalTests.post(http, artifact + "/scan", "scan_type=vulnerability", as: developer).status == 403)
                #expect(try await PortalTests.post(http, artifact + "/scan", "scan_type=vulnerability", as: root, token: false).status == 403)
                #expect(try await PortalTests.post(http, "/harbor/interrogation-services/scan-all", "", as: developer).status == 403)
                #expect(try await PortalTests.post(http, "/harbor/interrogation-services/scanners", "name=x&url=http%3A%2F%2F127.0.0.1%3A9", as: developer).status == 403)
                #expect(try await PortalTests.post(http, "/harbor/projects/library/configs", "section=scanning&auto_scan=false", as: developer).status == 403)
                #expect(try await http.request(.GET, "/harbor/security-hub", headers: [developer.cookie]).status == 403)
                let badDate = try await PortalTests.post(http, "/harbor/projects/library/configs", "section=scanning&allowlist_expires=tomorrow", as: root)
                #expect(badDate.status == 400 && badDate.text.contains("YYYY-MM-DD"))
                #expect(try await PortalTests.post(http, artifact + "/scan", "scan_type=bogus", as: root).status == 400)
            }
            #expect(try await admin.api(.GET, "/scanners").jsonArray().count == 1, "the developer's registration must not exist")
        }
    }
}
