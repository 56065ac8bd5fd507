import AsyncHTTPClient
import Foundation
import Testing

/// The web portal against the real binary: in headless Chromium driven by Selenium as a person would use it, and
/// with raw HTTP for what a browser hides (security headers, CSRF refusals, escaping, asset caching, redirects).
@Suite("Portal")
struct PortalTests {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts").path

    @Test("in a real browser: anonymous visitors see public projects; admin signs in, creates a project, sees lists and empty states, signs out")
    func browser() async throws {
        let shots = try TemporaryDirectory("portal-shots")
        defer { shots.remove() }
        try await withSecuredServer { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "app-images", "public": true])
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "secret"])
            #expect(try await admin.pushImage("app-images/web", tag: "v1", seed: 1).status == 201)
            let run = try await ProcessRunner.run(["python3", Self.scripts + "/portal_browser.py", server.baseURL, BerthInstance.adminPassword, shots.path])
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
            #expect((seen["phone_page_width"] as? Int ?? 9999) <= 390, "the page is wider than a phone: \(seen["phone_page_width"] ?? "")")
            #expect(seen["signed_out_path"] as? String == "/harbor/sign-in")
            #expect((seen["after_sign_out"] as? String)?.hasPrefix("/harbor/sign-in?next=") == true)
            try await admin.apiOK(.GET, "/projects/team")
        }
        for name in ["sign-in", "projects", "project-empty", "repositories", "projects-phone"] {
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

    /// The value a response sets for cookie `name`.
    static func cookie(_ name: String, in response: HTTPResult) -> String? {
        for header in response.headers[canonicalForm: "Set-Cookie"] where header.hasPrefix("\(name)=") {
            let value = header.dropFirst(name.count + 1).prefix { $0 != ";" }
            return value.isEmpty ? nil : String(value)
        }
        return nil
    }

    /// The value of the hidden input `name` in a page.
    static func hiddenValue(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: #"name="\#(name)" value="[^"]*""#, options: .regularExpression) else { return nil }
        return String(html[range].dropFirst(#"name="\#(name)" value=""#.count).dropLast())
    }
}
