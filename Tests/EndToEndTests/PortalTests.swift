import AsyncHTTPClient
import Foundation
import OCI
import Testing

/// The web portal against the real binary: in headless Chromium driven by Selenium as a person would use it, and
/// with raw HTTP for what a browser hides (security headers, CSRF refusals, escaping, asset caching, redirects).
@Suite("Portal")
struct PortalTests {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts").path

    static let userPassword = "Portal-Users-1"

    /// Webhook retries that go on for minutes (1, 2, 4 … s apart), so a delivery to a closed port keeps a job waiting
    /// in the queue however slowly the test reaches the job queue page.
    static let patientWebhooks = ["BERTH_WEBHOOK_MAX_ATTEMPTS": "12"]

    @Test("in a real browser: anonymous visitors see public projects; admin creates a project, edits a repository's description, tags an artifact, manages members, creates a robot whose once-shown secret works, reads the log; each role is offered only its own forms")
    func browser() async throws {
        let shots = try TemporaryDirectory("portal-shots")
        defer { shots.remove() }
        try await withSecuredServer(environment: Self.patientWebhooks) { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "app-images", "public": true])
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "secret"])
            let pushed = try await Self.pushBuiltImage(admin, "app-images/web", tag: "v1")
            // dev1 is created in the browser, through Administration > Users.
            try await admin.apiOK(.POST, "/users", json: ["username": "guest1", "password": Self.userPassword])
            // A webhook whose receiver refuses connections keeps a delivery job waiting in the queue (for the job queue page).
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "hooks"])
            try await admin.apiOK(.POST, "/projects/hooks/webhook/policies", json: WebhookTests.policy(
                "nowhere", events: ["PUSH_ARTIFACT"], targets: [WebhookTests.http("http://127.0.0.1:9/hook")]))
            #expect(try await admin.pushImage("hooks/app", tag: "v1", seed: 12).status == 201)
            let run = try await ProcessRunner.run(["python3", Self.scripts + "/portal_browser.py", server.baseURL, BerthInstance.adminPassword, shots.path,
                                                   Self.userPassword])
            #expect(run.succeeded, "\(run.stderr.suffix(4000))")
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
            func rows(_ key: String) -> [[String]] { seen[key] as? [[String]] ?? [] }

            #expect(seen["anonymous_path"] as? String == "/harbor/projects")
            let anonymousNames = rows("anonymous_rows").compactMap(\.first)
            #expect(anonymousNames.contains("app-images") && !anonymousNames.contains("secret"), "\(anonymousNames)")
            #expect(seen["anonymous_sign_in_link"] as? String == "Sign in")
            #expect((seen["private_redirect"] as? String)?.hasPrefix("/harbor/sign-in?next=") == true, "\(seen["private_redirect"] ?? "")")
            #expect(seen["wrong_password_problem"] as? String == "Wrong user name or password.")
            #expect(seen["signed_in_path"] as? String == "/harbor/projects")
            #expect(seen["current_user"] as? String == "admin")
            #expect(seen["created_path"] as? String == "/harbor/projects/team/repositories")
            let empty = seen["empty_state"] as? String ?? ""
            #expect(empty.contains("No repositories yet") && empty.contains("podman push \(server.hostPort)/team/my-image:latest"), "\(empty)")
            #expect((seen["duplicate_problem"] as? String)?.contains("team") == true, "\(seen["duplicate_problem"] ?? "")")
            let team = rows("admin_rows").first { $0.first == "team" }
            #expect(team.map { Array($0.prefix(4)) } == ["team", "Private", "Project Admin", "0"], "\(rows("admin_rows"))")
            #expect(Set(rows("admin_rows").compactMap(\.first)).isSuperset(of: ["app-images", "library", "secret", "team"]))
            #expect(rows("filtered_rows").compactMap(\.first) == ["team"])
            #expect(rows("repository_rows").map { Array($0.prefix(3)) } == [["app-images/web", "1", "0"]])
            let summaryFacts = seen["summary_facts"] as? [String: String] ?? [:]
            #expect(summaryFacts["Repositories"] == "1" && summaryFacts["Artifacts"] == "1" && summaryFacts["Access"] == "Public", "\(summaryFacts)")
            #expect(seen["summary_bars"] as? Int == 30 && (seen["summary_chart_width"] as? Double ?? 0) > 300, "\(seen["summary_chart_width"] ?? "")")
            #expect((seen["phone_page_width"] as? Int ?? 9999) <= 390, "the page is wider than a phone: \(seen["phone_page_width"] ?? "")")
            // The repository page, its description kept as text, the artifact page, tags added and removed.
            #expect(seen["repository_path"] as? String == "/harbor/projects/app-images/repositories/web")
            #expect(seen["pull_command"] as? String == "podman pull \(server.hostPort)/app-images/web:<tag>")
            #expect(seen["docker_pull_command"] as? String == "docker pull \(server.hostPort)/app-images/web:<tag>")
            #expect(seen["copy_pull_shown"] as? Bool == true, "the script did not show the copy buttons")
            let artifactRow = rows("artifact_rows").first ?? []
            let expectedRow = ["sha256:" + pushed.hex.prefix(12), "v1", "IMAGE", "Not scanned"]
            #expect(artifactRow.count == 7 && Array(artifactRow.prefix(4)) == expectedRow, "\(rows("artifact_rows"))")
            #expect(seen["description_path"] as? String == "/harbor/projects/app-images/repositories/web")
            #expect(seen["admin_delete_repository"] as? Bool == true && seen["admin_delete_artifact"] as? Bool == true)
            #expect(seen["description"] as? String == "<script>window.__pwned = 1</script> Web front end\nSecond line & <b>more</b>",
                    "\(seen["description"] ?? "")")
            #expect(seen["script_ran"] as? Bool == false, "markup in a description ran as script")
            let repositoryView = try await admin.apiOK(.GET, "/projects/app-images/repositories/web") as? [String: Any]
            #expect((repositoryView?["description"] as? String)?.hasSuffix("Second line & <b>more</b>") == true, "\(repositoryView ?? [:])")
            #expect(seen["artifact_path"] as? String == "/harbor/projects/app-images/repositories/web/artifacts-tab/artifacts/\(pushed)")
            let facts = seen["artifact_facts"] as? [String: String] ?? [:]
            #expect(facts["Digest"] == pushed.description && facts["Type"] == "IMAGE" && facts["Architecture"] == "amd64" && facts["OS"] == "linux",
                    "\(facts)")
            #expect(facts["Author"] == "Berth tests" && facts["Created"] == "2026-11-30 08:15", "\(facts)")
            #expect(seen["pull_by_digest"] as? String == "podman pull \(server.hostPort)/app-images/web@\(pushed)")
            #expect(rows("tag_rows").count == 1 && rows("tag_rows")[0][0] == "v1"
                    && rows("tag_rows")[0][1].hasPrefix("podman pull \(server.hostPort)/app-images/web:v1"), "\(rows("tag_rows"))")
            let runConfig = seen["run_config"] as? [[String]] ?? []
            #expect(runConfig == [["Entrypoint", "/usr/bin/web"], ["Command", "--port 8080"], ["Working directory", "/srv"], ["Ports", "8080/tcp"],
                                  ["Env", "PATH=/usr/bin"], ["Env", "MODE=production"], ["Label", "org.opencontainers.image.title=web"]], "\(runConfig)")
            let layerHex = Digest.compute(of: randomBytes(2048, seed: 7)).hex
            #expect(rows("layer_rows") == [["1", "sha256:" + layerHex.prefix(12), "application/vnd.oci.image.layer.v1.tar", "2.00 KiB"]],
                    "\(rows("layer_rows"))")
            let history = seen["history"] as? [String] ?? []
            #expect(history.count == 2 && history.first?.contains("ADD rootfs.tar /") == true && history.last?.contains("CMD [\"web\"]") == true, "\(history)")
            #expect(seen["tags_after_add"] as? [String] == ["stable", "v1"])
            #expect(seen["tags_after_delete"] as? [String] == ["v1"])
            let tagsNow = try await admin.apiOK(.GET, "/projects/app-images/repositories/web/artifacts/v1/tags") as? [[String: Any]] ?? []
            #expect(tagsNow.compactMap { $0["name"] as? String } == ["v1"])

            // Members added, one role changed, an unknown user refused with a sentence.
            #expect(seen["members_path"] as? String == "/harbor/projects/app-images/members")
            let memberRows = rows("member_rows")
            #expect(memberRows.contains(["admin", "User", "Project Admin"]) && memberRows.contains(["dev1", "User", "Developer"])
                    && memberRows.contains(["guest1", "User", "Guest"]), "\(memberRows)")
            #expect(seen["unknown_member_problem"] as? String == "There is no user nobody-here.", "\(seen["unknown_member_problem"] ?? "")")
            let members = try await admin.apiOK(.GET, "/projects/app-images/members") as? [[String: Any]] ?? []
            #expect(Set(members.compactMap { "\($0["entity_name"] ?? "")=\($0["role_id"] ?? "")" }) == ["admin=1", "dev1=2", "guest1=3"], "\(members)")

            // The robot account works with the secret shown once: it pushes into the project and is refused elsewhere.
            #expect(seen["robots_path"] as? String == "/harbor/projects/app-images/robot-account")
            let robotName = seen["robot_name"] as? String ?? ""
            let robotSecret = seen["robot_secret"] as? String ?? ""
            #expect(robotName == "robot$app-images+ci" && robotSecret.count >= 8, "\(robotName)")
            #expect(seen["secret_shown_again"] as? Bool == false, "the robot's secret appeared again after the first answer")
            // Its copy button puts the secret on the clipboard (or, where the browser refuses, selects it for Ctrl+C).
            #expect(seen["copy_secret_shown"] as? Bool == true)
            let copied = seen["clipboard"] as? String == robotSecret
                || (seen["copy_secret_text"] as? String == "Press Ctrl+C" && seen["selection"] as? String == robotSecret)
            #expect(copied, "clipboard \(seen["clipboard"] ?? "nil"), button \(seen["copy_secret_text"] ?? "")")
            let robotRow = rows("robot_rows").first ?? []
            #expect(robotRow.prefix(5) == ["robot$app-images+ci", "Enabled", "repository:pull, repository:push", robotRow.count > 3 ? robotRow[3] : "", "pipeline pushes"],
                    "\(rows("robot_rows"))")
            // skopeo pushes with the robot's name and the secret the page showed, and is refused outside the project.
            _ = try OCILayoutWriter.write(to: shots.file("layout"), tag: "v1", layerSizes: [40_000])
            let robotPush = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "\(robotName):\(robotSecret)",
                                                         "oci:\(shots.file("layout")):v1", "docker://\(server.hostPort)/app-images/from-robot:v1"])
            #expect(robotPush.succeeded, "\(robotPush.stderr.suffix(2000))")
            let outside = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "\(robotName):\(robotSecret)",
                                                       "oci:\(shots.file("layout")):v1", "docker://\(server.hostPort)/secret/from-robot:v1"])
            #expect(!outside.succeeded)
            let fromRobot = try await admin.apiOK(.GET, "/projects/app-images/repositories/from-robot/artifacts") as? [[String: Any]] ?? []
            #expect(fromRobot.count == 1, "\(fromRobot)")
            // The project's log lists what happened, newest first.
            let logRows = rows("log_rows")
            #expect(logRows.first.map { Array($0.prefix(4)) } == ["admin", "robot$app-images+ci", "robot", "create"], "\(logRows.prefix(3))")
            #expect(logRows.contains { $0.count > 3 && $0[2] == "artifact" && $0[3] == "create" }, "\(logRows)")

            // A webhook added in the form lands on its policy page.
            #expect((seen["webhook_path"] as? String)?.hasPrefix("/harbor/projects/app-images/webhook/") == true, "\(seen["webhook_path"] ?? "")")
            #expect(seen["webhook_heading"] as? String == "deploy" && seen["webhook_state"] as? String == "Enabled")
            #expect(seen["configuration_public"] as? Bool == true, "app-images was created public")
            #expect((seen["about_facts"] as? String)?.contains("Registry address") == true, "\(seen["about_facts"] ?? "")")

            Self.checkAdministrationFindings(seen)
            #expect(try await admin.api(.GET, "/users?q=username%3Dops1").jsonArray().first?["email"] as? String == "ops1@example.org")

            #expect(seen["account_path"] as? String == "/harbor/account")
            #expect(seen["registry_address"] as? String == server.hostPort)
            #expect(seen["signed_out_path"] as? String == "/harbor/sign-in")
            #expect((seen["after_sign_out"] as? String)?.hasPrefix("/harbor/sign-in?next=") == true)
            try await admin.apiOK(.GET, "/projects/team")

            Self.checkRoleViews(seen)
        }
        try? FileManager.default.removeItem(atPath: shots.file("layout"))
        for name in ["sign-in", "projects", "project-empty", "repositories", "projects-phone", "repository", "artifact", "members", "robot-created", "logs", "account",
                     "webhook", "project-configuration", "about", "system-robots", "storage", "users", "audit-log", "job-queue", "configuration", "summary"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: shots.file("\(name).png"))[.size] as? Int) ?? 0
            #expect(size > 1000, "screenshot \(name).png")
        }
        // `BERTH_PORTAL_SCREENSHOTS=dir` keeps the screenshots (docs/portal.md shows them).
        if let keep = ProcessInfo.processInfo.environment["BERTH_PORTAL_SCREENSHOTS"] {
            try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            for file in (try? FileManager.default.contentsOfDirectory(atPath: shots.path)) ?? [] {
                try? FileManager.default.removeItem(atPath: keep + "/" + file)
                try FileManager.default.copyItem(atPath: shots.file(file), toPath: keep + "/" + file)
            }
        }
    }

    @Test("security headers, escaped output, hashed assets, CSRF-checked forms and sign-in that only redirects within the portal")
    func protections() async throws {
        let client = HTTPClient(configuration: .init(redirectConfiguration: .disallow))
        do { try await checkProtections(client) } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    func checkProtections(_ client: HTTPClient) async throws {
        try await withSecuredServer { server, admin in
            let http = RegistryHTTP(base: server.baseURL, client: client)
            #expect(try await http.request(.GET, "/").header("Location") == "/harbor/projects")

            let page = try await http.request(.GET, "/harbor/projects?name=%3Cscript%3Ealert(1)%3C/script%3E")
            #expect(page.status == 200)
            let policy = page.header("Content-Security-Policy") ?? ""
            #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"), "\(policy)")
            #expect(page.header("X-Content-Type-Options") == "nosniff" && page.header("X-Frame-Options") == "DENY")
            #expect(page.header("Referrer-Policy") == "same-origin" && page.header("Cache-Control") == "no-store")
            #expect(!page.text.contains("<script>alert(1)") && page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the filter is echoed unescaped")

            // The script is served the same way; without it the copy buttons stay hidden (pages work without script).
            let script = try #require(page.text.range(of: #"/harbor/assets/portal\.[0-9a-f]{12}\.js"#, options: .regularExpression).map { String(page.text[$0]) })
            let js = try await http.request(.GET, script)
            #expect(js.status == 200 && js.header("Content-Type")?.hasPrefix("text/javascript") == true && js.text.contains("data-copy"))
            #expect(js.header("Cache-Control") == "public, max-age=31536000, immutable")
            // The stylesheet's name carries its hash; it may be cached for a year; other names are not served.
            let stylesheet = try #require(page.text.range(of: #"/harbor/assets/portal\.[0-9a-f]{12}\.css"#, options: .regularExpression).map { String(page.text[$0]) })
            let css = try await http.request(.GET, stylesheet)
            #expect(css.status == 200 && css.header("Content-Type")?.hasPrefix("text/css") == true)
            #expect(css.header("Cache-Control") == "public, max-age=31536000, immutable")
            #expect(try await http.request(.GET, "/harbor/assets/portal.000000000000.css").status == 404)
            #expect(try await http.request(.GET, "/harbor/assets/..%2F..%2Fetc%2Fpasswd").status == 404)

            // Sign-in: the form's token lives in an HttpOnly cookie of its own; a post without it is refused.
            let form = try await http.request(.GET, "/harbor/sign-in")
            let formCookie = try #require(Self.cookie("__portal_form", in: form))
            let token = try #require(Self.hiddenValue("csrf_token", in: form.text))
            #expect(token == formCookie)
            let credentials = "principal=admin&password=\(BerthInstance.adminPassword.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            let formType = ("Content-Type", "application/x-www-form-urlencoded")
            let forged = try await http.request(.POST, "/harbor/sign-in", headers: [formType], body: Array("\(credentials)&next=/harbor/projects".utf8))
            #expect(forged.status == 403 && Self.cookie("sid", in: forged) == nil, "a sign-in without the form's token started a session")
            let elsewhere = try await http.request(.POST, "/harbor/sign-in", headers: [formType, ("Cookie", "__portal_form=\(formCookie)")],
                                                   body: Array("\(credentials)&csrf_token=\(token)&next=https://evil.example/".utf8))
            #expect(elsewhere.status == 303 && elsewhere.header("Location") == "/harbor/projects", "\(elsewhere.status) \(elsewhere.header("Location") ?? "")")
            let sid = try #require(Self.cookie("sid", in: elsewhere))
            let session = try await http.request(.GET, "/harbor/projects", headers: [("Cookie", "sid=\(sid)")])
            let csrf = try #require(Self.hiddenValue("csrf_token", in: session.text))

            // A signed-in change must carry the session's token: without it nothing is created.
            let noToken = try await http.request(.POST, "/harbor/projects", headers: [formType, ("Cookie", "sid=\(sid)")], body: Array("project_name=forged".utf8))
            #expect(noToken.status == 403)
            #expect(try await admin.api(.GET, "/projects/forged").status == 404, "a form post without the CSRF token created a project")
            let created = try await http.request(.POST, "/harbor/projects", headers: [formType, ("Cookie", "sid=\(sid)")],
                                                 body: Array("project_name=made-here&public=true&csrf_token=\(csrf)".utf8))
            #expect(created.status == 303 && created.header("Location") == "/harbor/projects/made-here/repositories")
            #expect(try await admin.api(.GET, "/projects/made-here").status == 200)
            // A bad name is refused by the service, and the form says why.
            let bad = try await http.request(.POST, "/harbor/projects", headers: [formType, ("Cookie", "sid=\(sid)")],
                                             body: Array("project_name=Not%20Valid&csrf_token=\(csrf)".utf8))
            #expect(bad.status == 400 && bad.text.contains("project name must be"), "\(bad.status)")
            // Anonymous visitors are sent to sign in for a private project and for a missing one alike.
            let hidden = try await http.request(.GET, "/harbor/projects/made-here-not/repositories")
            #expect(hidden.status == 303 && hidden.header("Location")?.hasPrefix("/harbor/sign-in?next=") == true)
            #expect(try await http.request(.GET, "/harbor/no-such-page").status == 404)
        }
    }

    @Test("repository, artifact, member, robot, account and delete forms check the CSRF token and the caller's role, keep what users wrote as text, and refuse bad input")
    func forms() async throws {
        let client = HTTPClient(configuration: .init(redirectConfiguration: .disallow))
        do { try await checkForms(client) } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    func checkForms(_ client: HTTPClient) async throws {
        try await withSecuredServer { server, admin in
            let http = RegistryHTTP(base: server.baseURL, client: client)
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "shop"])
            let pushed = try await admin.pushImage("shop/tools/cli", tag: "v1", seed: 3)
            #expect(pushed.status == 201)
            try await admin.apiOK(.POST, "/users", json: ["username": "dev2", "password": Self.userPassword])
            try await admin.apiOK(.POST, "/projects/shop/members", json: ["role_id": 2, "member_user": ["username": "dev2"]])
            let root = try await Self.session(http, "admin", BerthInstance.adminPassword)
            let developer = try await Self.session(http, "dev2", Self.userPassword)
            func post(_ path: String, _ body: String, as session: (cookie: (String, String), csrf: String)?, token: Bool = true) async throws -> HTTPResult {
                try await Self.post(http, path, body, as: session, token: token)
            }
            func description() async throws -> String {
                (try await admin.apiOK(.GET, "/projects/shop/repositories/tools%252Fcli") as? [String: Any])?["description"] as? String ?? "?"
            }

            // The summary tab: counts, storage, members per role, and today's push in the chart (30 days, one bar each).
            let summary = try await http.request(.GET, "/harbor/projects/shop/summary", headers: [developer.cookie])
            #expect(summary.status == 200 && summary.text.contains("<dt>Repositories</dt><dd>1</dd><dt>Artifacts</dt><dd>1</dd>"), "\(summary.text)")
            #expect(summary.text.contains("<dt>Developer</dt><dd>1</dd>") && summary.text.contains("<dt>Project Admin</dt><dd>1</dd>"))
            #expect(!summary.text.contains("<dt>Storage used</dt><dd>0 B</dd>") && summary.text.contains("<dt>Storage used</dt>"))
            #expect(summary.text.components(separatedBy: "<rect class=\"bar\"").count - 1 == 30)
            let today = Date().formatted(.iso8601.year().month().day())
            #expect(summary.text.contains("<title>\(today): 1 artifact pushed</title>") && summary.text.contains("1 pushed in the last 30 days"))
            #expect(try await http.request(.GET, "/harbor/projects/shop/summary").status == 303, "a private project's summary needs a sign-in")

            // Referrers: oras-py pushes an artifact and a CycloneDX SBOM whose subject it is; the subject's page lists the
            // SBOM with its kind and type and links to it, and the SBOM's own page says nothing refers to it.
            let work = try TemporaryDirectory("portal-oras")
            defer { work.remove() }
            let oras = try await ProcessRunner.run(["python3", RealClientTests.scriptsDirectory + "/oras_push_referrer.py", server.hostPort, "shop/attached", work.path],
                                                   environment: ["ORAS_USERNAME": "admin", "ORAS_PASSWORD": BerthInstance.adminPassword])
            try #require(oras.succeeded, "\(oras.combined)")
            let orasLine = try #require(oras.stdout.split(separator: "\n").last.map(String.init))
            let attached = try #require(try JSONSerialization.jsonObject(with: Data(orasLine.utf8)) as? [String: String])
            let subjectDigest = try #require(attached["subject"]), sbomDigest = try #require(attached["referrer"])
            let subjectPage = try await http.request(.GET, "/harbor/projects/shop/repositories/attached/artifacts-tab/artifacts/\(subjectDigest)", headers: [developer.cookie])
            #expect(subjectPage.status == 200 && subjectPage.text.contains(#"id="referrers""#) && subjectPage.text.contains("<td>SBOM (CycloneDX)</td><td>application/vnd.cyclonedx+json</td>"),
                    "\(subjectPage.text)")
            #expect(subjectPage.text.contains(#"href="/harbor/projects/shop/repositories/attached/artifacts-tab/artifacts/\#(sbomDigest)""#))
            let sbomPage = try await http.request(.GET, "/harbor/projects/shop/repositories/attached/artifacts-tab/artifacts/\(sbomDigest)", headers: [developer.cookie])
            #expect(sbomPage.status == 200 && sbomPage.text.contains(#"id="no-referrers""#) && sbomPage.text.contains("oras pull \(server.hostPort)/shop/attached@\(sbomDigest)"))

            // A nested repository is one percent-encoded path segment, linked from the project's list.
            let repository = "/harbor/projects/shop/repositories/tools%2Fcli"
            let list = try await http.request(.GET, "/harbor/projects/shop/repositories", headers: [root.cookie])
            #expect(list.text.contains(#"href="\#(repository)""#), "the list does not link to the nested repository")
            let page = try await http.request(.GET, repository, headers: [root.cookie])
            #expect(page.status == 200 && page.text.contains("shop/tools/cli") && page.text.contains("podman pull \(server.hostPort)/shop/tools/cli:&lt;tag&gt;"))
            #expect(page.text.contains(#"class="copy" hidden data-copy="docker pull"#), "copy buttons must stay hidden until the script shows them")

            // The description form: refused without the token; what was written is shown as text, not markup.
            #expect(try await post(repository + "/description", "description=forged", as: root, token: false).status == 403)
            #expect(try await description() == "")
            let markup = "<img src=x onerror=alert(1)> & \"quoted\""
            let saved = try await post(repository + "/description", "description=" + (markup.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""), as: root)
            #expect(saved.status == 303 && saved.header("Location") == repository)
            #expect(try await description() == markup)
            let shown = try await http.request(.GET, repository, headers: [root.cookie])
            #expect(!shown.text.contains("<img src=x") && shown.text.contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot;"), "the description is not escaped")

            // A developer holds a valid token but not the permission: the service refuses, nothing changes.
            let devEdit = try await post(repository + "/description", "description=mine", as: developer)
            #expect(devEdit.status == 403 && devEdit.text.contains("id=\"problem\""), "\(devEdit.status)")
            #expect(try await description() == markup)
            let artifact = repository + "/artifacts-tab/artifacts/\(pushed.digest)"
            #expect(try await post(artifact + "/tags/v1/delete", "", as: developer).status == 403)
            #expect(try await post("/harbor/projects/shop/members", "username=dev2&role_id=1", as: developer).status == 403)
            // … but may tag (developers push), which the page then lists.
            #expect(try await post(artifact + "/tags", "tag=from-dev", as: developer).status == 303)
            let tags = try await admin.apiOK(.GET, "/projects/shop/repositories/tools%252Fcli/artifacts/v1/tags") as? [[String: Any]] ?? []
            #expect(Set(tags.compactMap { $0["name"] as? String }) == ["v1", "from-dev"])

            // Bad input gets the service's sentence and a 4xx, never a crash.
            let badTag = try await post(artifact + "/tags", "tag=-no", as: root)
            #expect(badTag.status == 400 && badTag.text.contains("valid tag"), "\(badTag.status)")
            #expect(try await post(artifact + "/tags", "tag=v1", as: root).status == 409)
            let badRole = try await post("/harbor/projects/shop/members", "username=dev2&role_id=99", as: root)
            #expect(badRole.status == 400, "\(badRole.status)")
            #expect(try await post("/harbor/projects/shop/members/99999999999999999999999/delete", "", as: root).status == 404)
            #expect(try await post("/harbor/projects/shop/members/-1/role", "role_id=1", as: root).status == 404)
            #expect(try await http.request(.GET, repository + "/artifacts-tab/artifacts/sha256:" + String(repeating: "0", count: 64), headers: [root.cookie]).status == 404)
            #expect(try await http.request(.GET, repository + "/artifacts-tab/artifacts/not-a-digest", headers: [root.cookie]).status < 500)
            #expect(try await http.request(.GET, repository + "?page=99999999999999999999&tag=%3Cb%3E", headers: [root.cookie]).status == 200)
            // Robot accounts: only project admins create them; what the form gets wrong is said in a sentence.
            let robots = "/harbor/projects/shop/robot-account"
            #expect(try await post(robots, "name=sneaky&duration=30&access=repository%3Apull", as: developer).status == 403)
            #expect(try await post(robots, "name=sneaky&duration=30&access=repository%3Apull", as: root, token: false).status == 403)
            func robotNames() async throws -> [String] {
                (try await admin.apiOK(.GET, "/robots") as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            }
            #expect(try await robotNames().allSatisfy { !$0.contains("sneaky") })
            let badDuration = try await post(robots, "name=ok1&duration=abc&access=repository%3Apull", as: root)
            #expect(badDuration.status == 400 && badDuration.text.contains("Expiration must be a number of days"), "\(badDuration.status)")
            #expect(try await post(robots, "name=ok1&duration=99999999999&access=repository%3Apull", as: root).status == 400)
            let noAccess = try await post(robots, "name=ok1&duration=30", as: root)
            #expect(noAccess.status == 400 && noAccess.text.contains("Choose at least one"))
            #expect(try await post(robots, "name=ok1&duration=30&access=repository%3Afly", as: root).status == 400)
            #expect(try await post(robots, "name=Not%20Valid&duration=30&access=repository%3Apull", as: root).status == 400)
            let made = try await post(robots, "name=ok1&duration=-1&access=repository%3Apull&description=%3Cb%3Ex%3C%2Fb%3E", as: root)
            #expect(made.status == 201 && made.text.contains("robot$shop+ok1") && made.header("Cache-Control") == "no-store", "\(made.status)")
            #expect(try await robotNames().contains("robot$shop+ok1"))
            let listed = try await http.request(.GET, robots, headers: [root.cookie])
            #expect(listed.text.contains("&lt;b&gt;x&lt;/b&gt;") && listed.text.contains("Never") && !listed.text.contains("<b>x</b>"))
            #expect(try await post(robots + "/99999999999999999999/delete", "", as: root).status == 404)
            // Disable, enable and refresh the secret: project admins only; the new secret is shown once and the old one stops working.
            let robotID = try #require((try await admin.apiOK(.GET, "/robots") as? [[String: Any]] ?? []).first { $0["name"] as? String == "robot$shop+ok1" }?["id"] as? Int)
            let firstSecret = try #require(Self.elementText("robot-secret", in: made.text))
            func robotStatus(_ secret: String) async throws -> Int {
                let basic = ("Authorization", "Basic " + Data("robot$shop+ok1:\(secret)".utf8).base64EncodedString())
                return try await http.request(.GET, "/v2/shop/tools/cli/tags/list", headers: [basic]).status
            }
            #expect(try await robotStatus(firstSecret) == 200)
            #expect(try await post(robots + "/\(robotID)/state", "disable=true", as: developer).status == 403)
            #expect(try await post(robots + "/\(robotID)/state", "disable=true", as: root, token: false).status == 403)
            #expect(try await post(robots + "/\(robotID)/state", "disable=perhaps", as: root).status == 400)
            #expect(try await post(robots + "/\(robotID)/state", "disable=true", as: root).status == 303)
            #expect(try await robotStatus(firstSecret) == 401, "a disabled robot still signs in")
            #expect(try await http.request(.GET, robots, headers: [root.cookie]).text.contains(#"id="enable-robot-\#(robotID)""#))
            #expect(try await post(robots + "/\(robotID)/state", "disable=false", as: root).status == 303)
            #expect(try await robotStatus(firstSecret) == 200)
            #expect(try await post(robots + "/\(robotID)/secret", "", as: developer).status == 403)
            #expect(try await post(robots + "/99999/secret", "", as: root).status == 404)
            let refreshed = try await post(robots + "/\(robotID)/secret", "", as: root)
            #expect(refreshed.status == 200 && refreshed.text.contains("New secret for robot$shop+ok1") && refreshed.header("Cache-Control") == "no-store")
            let newSecret = try #require(Self.elementText("robot-secret", in: refreshed.text))
            #expect(newSecret != firstSecret)
            #expect(try await robotStatus(firstSecret) == 401)
            #expect(try await robotStatus(newSecret) == 200)
            // The account page: a password change needs the current password and the same new one twice, ends every
            // session of the user, and only the new password signs in afterwards.
            let account = try await http.request(.GET, "/harbor/account", headers: [developer.cookie])
            #expect(account.status == 200 && account.text.contains("id=\"account-name\">dev2") && account.text.contains("id=\"no-ca\""))
            let anonymousAccount = try await http.request(.GET, "/harbor/account")
            #expect(anonymousAccount.status == 303 && anonymousAccount.header("Location")?.hasPrefix("/harbor/sign-in?next=") == true)
            let newPassword = "Changed-Pass-2"
            let encodedOld = Self.userPassword.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let wrongOld = try await post("/harbor/account/password", "old_password=nope&new_password=\(newPassword)&confirm_password=\(newPassword)", as: developer)
            #expect(wrongOld.status == 403 && wrongOld.text.contains("The current password is wrong."), "\(wrongOld.status)")
            let mismatch = try await post("/harbor/account/password", "old_password=\(encodedOld)&new_password=\(newPassword)&confirm_password=other", as: developer)
            #expect(mismatch.status == 400 && mismatch.text.contains("do not match"))
            let weak = try await post("/harbor/account/password", "old_password=\(encodedOld)&new_password=short&confirm_password=short", as: developer)
            #expect(weak.status == 400)
            #expect(try await post("/harbor/account/password", "old_password=\(encodedOld)&new_password=\(newPassword)&confirm_password=\(newPassword)",
                                   as: developer, token: false).status == 403)
            let changed = try await post("/harbor/account/password", "old_password=\(encodedOld)&new_password=\(newPassword)&confirm_password=\(newPassword)", as: developer)
            #expect(changed.status == 200 && changed.text.contains("Password changed") && Self.cookie("sid", in: changed) == nil)
            #expect(changed.headers[canonicalForm: "Set-Cookie"].contains { $0.hasPrefix("sid=;") && $0.contains("Max-Age=0") },
                    "\(changed.headers[canonicalForm: "Set-Cookie"])")
            let afterChange = try await http.request(.GET, "/harbor/account", headers: [developer.cookie])
            #expect(afterChange.status == 303, "the old session still works after the password change")
            let oldBasic = ("Authorization", "Basic " + Data("dev2:\(Self.userPassword)".utf8).base64EncodedString())
            #expect(try await http.request(.GET, "/api/v2.0/users/current", headers: [oldBasic]).status == 401)
            _ = try await Self.session(http, "dev2", newPassword)

            // The logs tab lists the project's entries; a developer (a member) may read it, anonymous visitors may not.
            let member = try await Self.session(http, "dev2", newPassword)
            let logs = try await http.request(.GET, "/harbor/projects/shop/logs?username=admin", headers: [member.cookie])
            #expect(logs.status == 200 && logs.text.contains("robot$shop+ok1"))
            try await Self.checkLogFilters(http, member)

            // Deleting from the pages: a developer may not; a project admin deletes one artifact, then the repository.
            #expect(try await admin.pushImage("shop/tools/cli", tag: "v2", seed: 4).status == 201)
            #expect(try await post(artifact + "/delete", "", as: member).status == 403)
            #expect(try await post(repository + "/delete", "", as: member).status == 403)
            #expect(try await post(artifact + "/delete", "", as: root, token: false).status == 403)
            #expect(try await admin.api(.GET, "/projects/shop/repositories/tools%252Fcli/artifacts/\(pushed.digest)").status == 200)
            let artifactGone = try await post(artifact + "/delete", "", as: root)
            #expect(artifactGone.status == 303 && artifactGone.header("Location") == repository, "\(artifactGone.status)")
            #expect(try await admin.api(.GET, "/projects/shop/repositories/tools%252Fcli/artifacts/\(pushed.digest)").status == 404)
            #expect(try await admin.api(.GET, "/projects/shop/repositories/tools%252Fcli/artifacts/v2").status == 200)
            let repositoryGone = try await post(repository + "/delete", "", as: root)
            #expect(repositoryGone.status == 303 && repositoryGone.header("Location") == "/harbor/projects/shop/repositories", "\(repositoryGone.status)")
            #expect(try await admin.api(.GET, "/projects/shop/repositories/tools%252Fcli").status == 404)

            // A private project's repository is hidden from anonymous visitors, who are sent to sign in.
            let anonymous = try await http.request(.GET, repository)
            #expect(anonymous.status == 303 && anonymous.header("Location")?.hasPrefix("/harbor/sign-in?next=") == true)
        }
    }

    /// Runs `body` with an HTTP client that does not follow redirects (a portal answer's own status and cookies count).
    /// What the browser saw in Administration: the new user, the system log, system robots, storage, the job queue
    /// refreshing itself, the configuration.
    static func checkAdministrationFindings(_ seen: [String: Any]) {
        #expect(seen["dev1_created_path"] as? String == "/harbor/users?username=dev1")
        func rows(_ key: String) -> [[String]] { seen[key] as? [[String]] ?? [] }
        // Administration: the new user, the system log, the job queue refreshing itself, the configuration.
        #expect(seen["administration_path"] as? String == "/harbor/users")
        #expect(seen["created_user_path"] as? String == "/harbor/users?username=ops1")
        #expect(rows("created_user_rows") == [["ops1", "No", "ops1@example.org", "Olga Ops"]], "\(rows("created_user_rows"))")
        #expect(rows("system_log_rows").first == ["admin", "ops1", "user", "create"], "\(rows("system_log_rows"))")
        #expect(seen["system_robot_name"] as? String == "robot$mirror")
        #expect((seen["storage_chart_bars"] as? Int ?? 0) >= 1, "the storage chart has a bar per project that stores images")
        #expect(rows("system_robot_rows") == [["robot$mirror", "Enabled", "All projects, System"]], "\(rows("system_robot_rows"))")
        #expect(seen["job_queue_live"] as? Bool == true)
        #expect(Set(seen["schedule_kinds"] as? [String] ?? []).isSuperset(of: ["purge_uploads", "purge_events", "sweep_webhook_executions"]))
        #expect((seen["queue_kinds"] as? [String])?.contains("webhook") == true, "\(seen["queue_kinds"] ?? "")")
        #expect(rows("stopped_before").isEmpty)
        let stoppedID = seen["stopped_id"] as? String ?? "none"
        #expect(rows("live_rows").contains([stoppedID, "webhook", "stopped"]), "job \(stoppedID): \(rows("live_rows"))")
        #expect(seen["not_reloaded"] as? Bool == true, "the page was reloaded instead of refreshed in place")
        let configuration = seen["configuration"] as? [String: String] ?? [:]
        #expect(configuration["Authentication"] == "Local users" && configuration["Storage"] == "filesystem", "\(configuration)")
        #expect((seen["no_ldap"] as? String)?.contains("LDAP is not configured") == true)
    }

    /// Each role is offered exactly the forms its permissions allow.
    static func checkRoleViews(_ seen: [String: Any]) {
        // Each role is offered exactly the forms its permissions allow.
        let views = seen["views"] as? [String: [String: Any]] ?? [:]
        func view(_ who: String, _ key: String) -> Any? { views[who]?[key] }
        for who in ["dev1", "guest1", "anonymous"] {
            #expect(view(who, "path") as? String == "/harbor/projects/app-images/repositories/web", "\(who): \(views[who] ?? [:])")
            #expect(view(who, "edit_description") as? Bool == false, "\(who) is offered the description form")
            #expect(view(who, "delete_repository") as? Bool == false && view(who, "delete_artifact") as? Bool == false, "\(who) is offered deletion")
            #expect(view(who, "delete_tag") as? Bool == false, "\(who) is offered tag deletion")
            #expect(view(who, "add_member") as? Bool == false && view(who, "change_role") as? Bool == false, "\(who) is offered member forms")
        }
        #expect(view("dev1", "add_tag") as? Bool == true && view("guest1", "add_tag") as? Bool == false && view("anonymous", "add_tag") as? Bool == false)
        // Developers and guests get no Webhooks, Robot accounts or Tag immutability tab; the labels and the configuration
        // they may read (without their forms); developers read the tag retention policy.
        let memberTabs = ["Summary", "Repositories", "Members", "Labels", "Logs", "Configuration"]
        #expect(view("dev1", "tabs") as? [String] == ["Summary", "Repositories", "Members", "Labels", "Tag retention", "Logs", "Configuration"], "\(views)")
        #expect(view("guest1", "tabs") as? [String] == memberTabs, "\(views)")
        #expect(view("anonymous", "tabs") as? [String] == ["Summary", "Repositories", "Configuration"])
        #expect(view("dev1", "members_path") as? String == "/harbor/projects/app-images/members")
        #expect((view("anonymous", "members_path") as? String)?.hasPrefix("/harbor/sign-in?next=") == true, "\(views["anonymous"] ?? [:])")
    }

    /// The project log's operation and resource type filters narrow it; values that match nothing say so, as text.
    static func checkLogFilters(_ http: RegistryHTTP, _ member: (cookie: (String, String), csrf: String)) async throws {
        let robotsOnly = try await http.request(.GET, "/harbor/projects/shop/logs?operation=create&resource_type=robot", headers: [member.cookie])
        #expect(robotsOnly.text.contains("robot$shop+ok1") && !robotsOnly.text.contains("<td>repository</td>") && robotsOnly.text.contains(#"value="robot""#))
        let none = try await http.request(.GET, "/harbor/projects/shop/logs?operation=%3Cnone%3E", headers: [member.cookie])
        #expect(none.status == 200 && none.text.contains(#"id="empty""#) && none.text.contains("&lt;none&gt;"))
    }

    static func withPortalClient<R>(_ body: (HTTPClient) async throws -> R) async throws -> R {
        let client = HTTPClient(configuration: .init(redirectConfiguration: .disallow))
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Posts a portal form as `session` (with its CSRF token unless `token` is false).
    static func post(_ http: RegistryHTTP, _ path: String, _ body: String, as session: (cookie: (String, String), csrf: String)?,
                     token: Bool = true) async throws -> HTTPResult {
        var headers = [("Content-Type", "application/x-www-form-urlencoded")]
        if let session { headers.append(session.cookie) }
        let fields = body + (token && session != nil ? "&csrf_token=\(session!.csrf)" : "")
        return try await http.request(.POST, path, headers: headers, body: Array(fields.utf8))
    }

    /// `text` percent-encoded for a form body.
    static func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }

    /// Signs `user` in through the portal's form; the session cookie to send and the CSRF token its pages carry.
    static func session(_ http: RegistryHTTP, _ user: String, _ password: String) async throws -> (cookie: (String, String), csrf: String) {
        let form = try await http.request(.GET, "/harbor/sign-in")
        let formCookie = try #require(cookie("__portal_form", in: form))
        let token = try #require(hiddenValue("csrf_token", in: form.text))
        let body = "principal=\(user)&password=\(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&csrf_token=\(token)"
        let signedIn = try await http.request(.POST, "/harbor/sign-in", headers: [("Content-Type", "application/x-www-form-urlencoded"),
                                                                                 ("Cookie", "__portal_form=\(formCookie)")], body: Array(body.utf8))
        let sid = try #require(cookie("sid", in: signedIn), "\(user) could not sign in: \(signedIn.status)")
        let projects = try await http.request(.GET, "/harbor/projects", headers: [("Cookie", "sid=\(sid)")])
        return (("Cookie", "sid=\(sid)"), try #require(hiddenValue("csrf_token", in: projects.text)))
    }

    /// Pushes an image whose config says what a built image says (platform, author, creation time, build history).
    static func pushBuiltImage(_ client: AccessClient, _ repository: String, tag: String) async throws -> Digest {
        let config = Array(#"""
            {"architecture":"amd64","os":"linux","author":"Berth tests","created":"2026-11-30T08:15:00Z",
             "config":{"Entrypoint":["/usr/bin/web"],"Cmd":["--port","8080"],"Env":["PATH=/usr/bin","MODE=production"],
                       "Labels":{"org.opencontainers.image.title":"web"},"WorkingDir":"/srv","ExposedPorts":{"8080/tcp":{}}},
             "rootfs":{"type":"layers","diff_ids":[]},
             "history":[{"created":"2026-11-30T08:14:00Z","created_by":"/bin/sh -c #(nop) ADD rootfs.tar / "},
                        {"created":"2026-11-30T08:15:00Z","created_by":"/bin/sh -c #(nop)  CMD [\"web\"]","empty_layer":true}]}
            """#.utf8)
        let layer = randomBytes(2048, seed: 7)
        for blob in [config, layer] {
            let upload = try await client.registry(.POST, "/v2/\(repository)/blobs/uploads/?digest=\(Digest.compute(of: blob))",
                                                   headers: [("Content-Type", "application/octet-stream")], body: blob)
            #expect(upload.status == 201)
        }
        let manifest = ManifestBuilder.image(config: config, layers: [layer])
        let put = try await client.registry(.PUT, "/v2/\(repository)/manifests/\(tag)", headers: [("Content-Type", MediaType.ociManifest)], body: manifest)
        #expect(put.status == 201)
        return Digest.compute(of: manifest)
    }

    /// The value a response sets for cookie `name`.
    static func cookie(_ name: String, in response: HTTPResult) -> String? {
        for header in response.headers[canonicalForm: "Set-Cookie"] where header.hasPrefix("\(name)=") {
            let value = header.dropFirst(name.count + 1).prefix { $0 != ";" }
            return value.isEmpty ? nil : String(value)
        }
        return nil
    }

    /// The text of the element with id `id` (no nested markup), HTML entities left as they are.
    static func elementText(_ id: String, in html: String) -> String? {
        guard let start = html.range(of: #"id="\#(id)">"#), let end = html[start.upperBound...].firstIndex(of: "<") else { return nil }
        return String(html[start.upperBound ..< end])
    }

    /// The value of the hidden input `name` in a page.
    static func hiddenValue(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: #"name="\#(name)" value="[^"]*""#, options: .regularExpression) else { return nil }
        return String(html[range].dropFirst(#"name="\#(name)" value=""#.count).dropLast())
    }
}
