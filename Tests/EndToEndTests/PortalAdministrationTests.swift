import AsyncHTTPClient
import Foundation
import OCI
import Testing

/// The portal's administration pages against the real binary, with raw HTTP: users (create, administrator flag,
/// password reset, delete), the whole audit log with filters, the job queue (stopping a job) and the configuration;
/// system robot accounts; only system administrators get them, every form checks its CSRF token, and bad input gets a sentence and a 4xx.
@Suite("Portal administration")
struct PortalAdministrationTests {
    typealias Session = (cookie: (String, String), csrf: String)

    @Test("system administrators manage users, read the whole audit log, watch and stop jobs and read the configuration; nobody else may")
    func administration() async throws {
        try await PortalTests.withPortalClient { client in
            try await withSecuredServer(environment: PortalTests.patientWebhooks) { server, admin in
                let http = RegistryHTTP(base: server.baseURL, client: client)
                try await admin.apiOK(.POST, "/users", json: ["username": "plain1", "password": PortalTests.userPassword])
                let root = try await PortalTests.session(http, "admin", BerthInstance.adminPassword)
                let plain = try await PortalTests.session(http, "plain1", PortalTests.userPassword)
                try await checkUsers(http, admin, root: root, plain: plain)
                try await checkLogs(http, root: root, plain: plain)
                try await checkJobs(http, admin, root: root, plain: plain)
                try await checkConfiguration(http, root: root, plain: plain)
                try await checkSystemRobots(http, admin, root: root, plain: plain)
                try await checkStorage(http, admin, root: root, plain: plain)
            }
        }
    }

    func userID(_ admin: AccessClient, _ name: String) async throws -> Int? {
        try await admin.api(.GET, "/users?q=username%3D\(name)").jsonArray().first { $0["username"] as? String == name }?["user_id"] as? Int
    }

    func checkUsers(_ http: RegistryHTTP, _ admin: AccessClient, root: Session, plain: Session) async throws {
        func post(_ path: String, _ body: String, as session: Session, token: Bool = true) async throws -> HTTPResult {
            try await PortalTests.post(http, path, body, as: session, token: token)
        }
        let password = PortalTests.encoded("Fresh-Start-9")
        // Only administrators see the link and the page; another user is refused by the service, as on the API.
        let projects = try await http.request(.GET, "/harbor/projects", headers: [root.cookie])
        #expect(projects.text.contains(#"id="administration""#))
        #expect(!(try await http.request(.GET, "/harbor/projects", headers: [plain.cookie])).text.contains(#"id="administration""#))
        #expect(try await http.request(.GET, "/harbor/users", headers: [plain.cookie]).status == 403)
        let anonymous = try await http.request(.GET, "/harbor/users")
        #expect(anonymous.status == 303 && anonymous.header("Location")?.hasPrefix("/harbor/sign-in?next=") == true)
        #expect(try await post("/harbor/users", "username=sneak&password=\(password)&confirm_password=\(password)", as: plain).status == 403)
        #expect(try await userID(admin, "sneak") == nil)

        // Creating: the token is required, the passwords must match and pass the policy, names are unique.
        #expect(try await post("/harbor/users", "username=newbie&password=\(password)&confirm_password=\(password)", as: root, token: false).status == 403)
        let mismatch = try await post("/harbor/users", "username=newbie&password=\(password)&confirm_password=other", as: root)
        #expect(mismatch.status == 400 && mismatch.text.contains("do not match") && mismatch.text.contains(#"value="newbie""#))
        #expect(try await post("/harbor/users", "username=newbie&password=short&confirm_password=short", as: root).status == 400)
        #expect(try await post("/harbor/users", "username=bad%20name&password=\(password)&confirm_password=\(password)", as: root).status == 400)
        let markup = PortalTests.encoded("<b>New</b> Person")
        let created = try await post("/harbor/users", "username=newbie&email=newbie%40example.org&realname=\(markup)&password=\(password)&confirm_password=\(password)", as: root)
        #expect(created.status == 303 && created.header("Location") == "/harbor/users?username=newbie", "\(created.status) \(created.text)")
        let duplicate = try await post("/harbor/users", "username=newbie&password=\(password)&confirm_password=\(password)", as: root)
        #expect(duplicate.status == 409 && duplicate.text.contains("There is already a user newbie"))
        let newbie = try #require(try await userID(admin, "newbie"))
        let list = try await http.request(.GET, "/harbor/users?username=newb", headers: [root.cookie])
        #expect(list.status == 200 && list.text.contains("newbie@example.org") && list.text.contains("&lt;b&gt;New&lt;/b&gt; Person") && !list.text.contains("<b>New</b>"))
        #expect(list.text.contains(#"id="grant-admin-\#(newbie)""#) && !list.text.contains("plain1"), "the filter shows only matching users")
        // Nobody is offered to demote or delete themselves, and the service refuses it when forged.
        let adminID = try #require(try await userID(admin, "admin"))
        let everyone = try await http.request(.GET, "/harbor/users", headers: [root.cookie])
        #expect(everyone.text.contains(#"id="user-\#(adminID)""#) && !everyone.text.contains(#"id="delete-user-\#(adminID)""#))
        #expect(try await post("/harbor/users/\(adminID)/delete", "", as: root).status == 403)
        #expect(try await post("/harbor/users/\(adminID)/admin", "admin=false", as: root).status == 403)

        // The administrator flag, both ways; a user may not grant it to themselves.
        let plainID = try #require(try await userID(admin, "plain1"))
        #expect(try await post("/harbor/users/\(plainID)/admin", "admin=true", as: plain).status == 403)
        #expect(try await post("/harbor/users/\(newbie)/admin", "admin=maybe", as: root).status == 400)
        #expect(try await post("/harbor/users/\(newbie)/admin", "admin=true", as: root).status == 303)
        #expect(try await admin.api(.GET, "/users/\(newbie)").json()["sysadmin_flag"] as? Bool == true)
        #expect(try await http.request(.GET, "/harbor/users", headers: [root.cookie]).text.contains(#"id="revoke-admin-\#(newbie)""#))
        #expect(try await post("/harbor/users/\(newbie)/admin", "admin=false", as: root).status == 303)
        #expect(try await admin.api(.GET, "/users/\(newbie)").json()["sysadmin_flag"] as? Bool == false)

        // A password reset: only for administrators, the same new password twice; the old one stops working.
        let other = PortalTests.encoded("Other-Start-8")
        #expect(try await post("/harbor/users/\(newbie)/password", "new_password=\(other)&confirm_password=\(other)", as: plain).status == 403)
        #expect(try await post("/harbor/users/\(newbie)/password", "new_password=\(other)&confirm_password=x", as: root).status == 400)
        let reset = try await post("/harbor/users/\(newbie)/password", "new_password=\(other)&confirm_password=\(other)", as: root)
        #expect(reset.status == 200 && reset.text.contains("The password of newbie was set"), "\(reset.status)")
        let oldBasic = ("Authorization", "Basic " + Data("newbie:Fresh-Start-9".utf8).base64EncodedString())
        let newBasic = ("Authorization", "Basic " + Data("newbie:Other-Start-8".utf8).base64EncodedString())
        #expect(try await http.request(.GET, "/api/v2.0/users/current", headers: [oldBasic]).status == 401)
        #expect(try await http.request(.GET, "/api/v2.0/users/current", headers: [newBasic]).status == 200)

        // Deleting: token required, ids that do not exist or overflow are a 404, never a crash.
        #expect(try await post("/harbor/users/\(newbie)/delete", "", as: root, token: false).status == 403)
        #expect(try await post("/harbor/users/99999999999999999999/delete", "", as: root).status == 404)
        #expect(try await post("/harbor/users/-3/delete", "", as: root).status == 404)
        #expect(try await post("/harbor/users/\(newbie)/delete", "", as: plain).status == 403)
        #expect(try await post("/harbor/users/\(newbie)/delete", "", as: root).status == 303)
        #expect(try await userID(admin, "newbie") == nil)
        #expect(try await http.request(.GET, "/api/v2.0/users/current", headers: [newBasic]).status == 401)
    }

    func checkLogs(_ http: RegistryHTTP, root: Session, plain: Session) async throws {
        // Everything that just happened is in the system log; the filters narrow it.
        let all = try await http.request(.GET, "/harbor/logs", headers: [root.cookie])
        #expect(all.status == 200 && all.text.contains("newbie") && all.text.contains(#"id="logs""#))
        let deletes = try await http.request(.GET, "/harbor/logs?operation=delete&resource_type=user", headers: [root.cookie])
        #expect(deletes.status == 200 && deletes.text.contains("<td>newbie</td>") && !deletes.text.contains("<td>create</td>"))
        let nobody = try await http.request(.GET, "/harbor/logs?username=nobody-at-all", headers: [root.cookie])
        #expect(nobody.text.contains(#"id="empty""#))
        #expect(try await http.request(.GET, "/harbor/logs?page=99999999999999999999&operation=%3Cx%3E", headers: [root.cookie]).status == 200)
        // A user who is no administrator does not get the system log page (their projects' logs are on the project).
        #expect(try await http.request(.GET, "/harbor/logs", headers: [plain.cookie]).status == 403)
    }

    func checkJobs(_ http: RegistryHTTP, _ admin: AccessClient, root: Session, plain: Session) async throws {
        // A webhook whose receiver refuses connections leaves its delivery job waiting for a retry.
        try await admin.apiOK(.POST, "/projects", json: ["project_name": "queue"])
        try await admin.apiOK(.POST, "/projects/queue/webhook/policies", json: WebhookTests.policy(
            "nowhere", events: ["PUSH_ARTIFACT"], targets: [WebhookTests.http("http://127.0.0.1:9/hook")]))
        #expect(try await admin.pushImage("queue/app", tag: "v1", seed: 11).status == 201)
        // The job is listed as pending between attempts; while an attempt runs it is "running" and the pending list
        // leaves it out, so the page is read until a job shows there with its Stop button. The queue may take that
        // job up between the read and the Stop (then the answer is 409 and the next retry, due a little later each
        // time, is the one stopped).
        var page = HTTPResult(status: 0, headers: [:], body: [])
        var stopped: String?
        var refusalsChecked = false
        let deadline = ContinuousClock.now + .seconds(60)
        while stopped == nil, ContinuousClock.now < deadline {
            page = try await http.request(.GET, "/harbor/job-service-dashboard?status=pending", headers: [root.cookie])
            guard let found = page.text.range(of: #"id="stop-job-[0-9]+""#, options: .regularExpression)
                .map({ String(page.text[$0].dropFirst(#"id="stop-job-"#.count).dropLast()) }) else {
                try await Task.sleep(for: .milliseconds(100))
                continue
            }
            #expect(page.status == 200 && page.text.contains("<td>webhook</td>"), "no webhook job is waiting")
            #expect(page.text.contains(#"data-live="5""#), "a page with waiting work refreshes itself")
            #expect(page.text.contains("purge_uploads") && page.text.contains(#"id="schedules""#))
            if !refusalsChecked {
                #expect(try await PortalTests.post(http, "/harbor/job-service-dashboard/jobs/\(found)/stop", "", as: plain).status == 403)
                #expect(try await PortalTests.post(http, "/harbor/job-service-dashboard/jobs/\(found)/stop", "", as: root, token: false).status == 403)
                refusalsChecked = true
            }
            let answer = try await PortalTests.post(http, "/harbor/job-service-dashboard/jobs/\(found)/stop", "", as: root).status
            #expect(answer == 303 || answer == 409, "stopping a waiting job answered \(answer)")
            if answer == 303 { stopped = found }
        }
        let stop = try #require(stopped, "no waiting webhook job was stopped (last page: \(page.status))")
        let job = try await admin.api(.GET, "/jobservice/jobs/\(stop)/log")
        #expect(job.text.contains("stopped"), "\(job.text)")
        #expect(try await PortalTests.post(http, "/harbor/job-service-dashboard/jobs/\(stop)/stop", "", as: root).status == 409)
        #expect(try await PortalTests.post(http, "/harbor/job-service-dashboard/jobs/99999999999999999999/stop", "", as: root).status == 404)
        let stoppedList = try await http.request(.GET, "/harbor/job-service-dashboard?status=stopped", headers: [root.cookie])
        #expect(stoppedList.text.contains("<td>\(stop)</td>"))
        #expect(try await http.request(.GET, "/harbor/job-service-dashboard?status=%3Cbogus%3E", headers: [root.cookie]).status == 400)
        #expect(try await http.request(.GET, "/harbor/job-service-dashboard", headers: [plain.cookie]).status == 403)
    }

    func checkSystemRobots(_ http: RegistryHTTP, _ admin: AccessClient, root: Session, plain: Session) async throws {
        func post(_ path: String, _ body: String, as session: Session, token: Bool = true) async throws -> HTTPResult {
            try await PortalTests.post(http, path, body, as: session, token: token)
        }
        func systemRobots() async throws -> [[String: Any]] {
            try await admin.api(.GET, "/robots?q=Level%3Dsystem").jsonArray()
        }
        #expect(try await http.request(.GET, "/harbor/robot-accounts", headers: [plain.cookie]).status == 403)
        let empty = try await http.request(.GET, "/harbor/robot-accounts", headers: [root.cookie])
        #expect(empty.status == 200 && empty.text.contains(#"id="new-system-robot""#) && empty.text.contains(#"id="empty""#))
        let mirror = "name=mirror&description=pulls+everything&duration=30&coverage=all&access=repository%3Apull&system_access=project%3Alist"
        #expect(try await post("/harbor/robot-accounts", mirror, as: plain).status == 403)
        #expect(try await post("/harbor/robot-accounts", mirror, as: root, token: false).status == 403)
        // Listed projects that are not named, or do not exist; nothing chosen.
        let unnamed = try await post("/harbor/robot-accounts", "name=x&coverage=listed&projects=&access=repository%3Apull", as: root)
        #expect(unnamed.status == 400 && unnamed.text.contains("Name the projects") && unnamed.text.contains(#"id="robot-listed-projects" checked"#))
        let missing = try await post("/harbor/robot-accounts", "name=x&coverage=listed&projects=queue%2C+nowhere&access=repository%3Apull", as: root)
        #expect(missing.status == 404 && missing.text.contains("nowhere"), "\(missing.status)")
        #expect(try await post("/harbor/robot-accounts", "name=x&coverage=all", as: root).status == 400)
        #expect(try await post("/harbor/robot-accounts", "name=x&coverage=all&system_access=nothing%3Aever", as: root).status == 400)
        #expect(try await systemRobots().isEmpty)

        // Created: the secret is shown once and works in every project (queue holds queue/app from the job test).
        let created = try await post("/harbor/robot-accounts", mirror, as: root)
        #expect(created.status == 201 && created.header("Cache-Control")?.contains("no-store") == true)
        let name = try #require(PortalTests.elementText("robot-name-created", in: created.text))
        let secret = try #require(PortalTests.elementText("robot-secret", in: created.text))
        #expect(name == "robot$mirror")
        let robot = AccessClient(http: admin.http, account: .basic(name, secret))
        #expect(try await robot.registry(.GET, "/v2/queue/app/tags/list").json()["tags"] as? [String] == ["v1"])
        #expect(try await robot.api(.GET, "/projects").status == 200)
        let listed = try await http.request(.GET, "/harbor/robot-accounts", headers: [root.cookie])
        #expect(listed.text.contains("<td>robot$mirror</td><td>Enabled</td><td>All projects, System</td>"), "\(listed.text)")
        #expect(!listed.text.contains(secret))
        let id = try #require(try await systemRobots().first?["id"] as? Int)
        // The project robot pages never act on it, and this page never on a project robot.
        #expect(try await post("/harbor/projects/queue/robot-account/\(id)/secret", "", as: root).status == 404)

        // Disable, refresh the secret (the old one stops working), delete.
        #expect(try await post("/harbor/robot-accounts/\(id)/state", "disable=true", as: plain).status == 403)
        #expect(try await post("/harbor/robot-accounts/\(id)/state", "disable=true", as: root).status == 303)
        #expect(try await systemRobots().first?["disable"] as? Bool == true)
        #expect(try await post("/harbor/robot-accounts/\(id)/state", "disable=false", as: root).status == 303)
        let refreshed = try await post("/harbor/robot-accounts/\(id)/secret", "", as: root)
        let newSecret = try #require(PortalTests.elementText("robot-secret", in: refreshed.text))
        #expect(newSecret != secret)
        #expect(try await AccessClient(http: admin.http, account: .basic(name, secret)).api(.GET, "/projects").status == 401)
        #expect(try await AccessClient(http: admin.http, account: .basic(name, newSecret)).api(.GET, "/projects").status == 200)
        #expect(try await post("/harbor/robot-accounts/\(id)/delete", "", as: plain).status == 403)
        #expect(try await post("/harbor/robot-accounts/\(id)/delete", "", as: root, token: false).status == 403)
        #expect(try await post("/harbor/robot-accounts/\(id)/delete", "", as: root).status == 303)
        #expect(try await systemRobots().isEmpty)
        #expect(try await post("/harbor/robot-accounts/99999999999999999999/delete", "", as: root).status == 404)
    }

    func checkStorage(_ http: RegistryHTTP, _ admin: AccessClient, root: Session, plain: Session) async throws {
        try await admin.apiOK(.POST, "/projects", json: ["project_name": "bulky"])
        for seed in 40 ..< 43 { #expect(try await admin.pushImage("bulky/app", tag: "v\(seed)", seed: UInt64(seed)).status == 201) }
        #expect(try await http.request(.GET, "/harbor/storage", headers: [plain.cookie]).status == 403)
        let page = try await http.request(.GET, "/harbor/storage", headers: [root.cookie])
        #expect(page.status == 200 && page.text.contains(#"id="storage-chart""#) && page.text.contains("<title id=\"storage-title\">"))
        // bulky holds three images, queue one: bulky ranks first, and the total is what /statistics reports.
        let bulky = try #require(page.text.range(of: ">bulky</a>")), queue = try #require(page.text.range(of: ">queue</a>"))
        #expect(bulky.lowerBound < queue.lowerBound)
        let total = try await admin.api(.GET, "/statistics").json()["total_storage_consumption"] as? Int ?? -1
        #expect(total > 0)
        let shown = try #require(PortalTests.elementText("storage-total", in: page.text))
        #expect(shown.hasSuffix("KiB") || shown.hasSuffix(" B"), "\(shown) for \(total) bytes")
    }

    func checkConfiguration(_ http: RegistryHTTP, root: Session, plain: Session) async throws {
        let page = try await http.request(.GET, "/harbor/configs", headers: [root.cookie])
        #expect(page.status == 200 && page.text.contains("Local users") && page.text.contains(#"id="no-ldap""#) && page.text.contains("filesystem"))
        #expect(try await http.request(.GET, "/harbor/configs", headers: [plain.cookie]).status == 403)
        #expect(try await PortalTests.post(http, "/harbor/configs/ldap-test", "", as: plain).status == 403)
    }
}
