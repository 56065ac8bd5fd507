import AsyncHTTPClient
import Foundation
import OCI
import Testing

/// A project's webhooks tab against the real binary and a real receiver, with raw HTTP: a project admin adds a policy,
/// a push reaches the receiver, the policy page shows the execution and the execution page the receiver's answer;
/// editing, disabling and deleting work; maintainers read without forms or secrets; developers get no tab; every form
/// checks its CSRF token and the caller's role, and bad input gets a sentence.
@Suite("Portal webhooks")
struct PortalWebhookTests {
    typealias Session = (cookie: (String, String), csrf: String)

    @Test("project admins add, edit, disable and delete webhook policies and follow their deliveries; maintainers only read; developers see no tab")
    func webhooks() async throws {
        let receiver = try await WebhookReceiver.start()
        defer { receiver.stop() }
        try await PortalTests.withPortalClient { client in
            try await withSecuredServer { server, admin in
                let http = RegistryHTTP(base: server.baseURL, client: client)
                try await admin.apiOK(.POST, "/projects", json: ["project_name": "hooks"])
                for (user, role) in [("maint1", 4), ("dev1", 2)] {
                    try await admin.apiOK(.POST, "/users", json: ["username": user, "password": PortalTests.userPassword])
                    try await admin.apiOK(.POST, "/projects/hooks/members", json: ["role_id": role, "member_user": ["username": user]])
                }
                let root = try await PortalTests.session(http, "admin", BerthInstance.adminPassword)
                let maintainer = try await PortalTests.session(http, "maint1", PortalTests.userPassword)
                let developer = try await PortalTests.session(http, "dev1", PortalTests.userPassword)
                let id = try await checkCreating(http, admin, receiver: receiver, root: root, maintainer: maintainer, developer: developer)
                try await checkDeliveries(http, admin, receiver: receiver, id: id, root: root, maintainer: maintainer)
                try await checkChanging(http, admin, receiver: receiver, id: id, root: root, maintainer: maintainer)
            }
        }
    }

    static let page = "/harbor/projects/hooks/webhook"

    func policies(_ admin: AccessClient) async throws -> [[String: Any]] {
        try await admin.api(.GET, "/projects/hooks/webhook/policies").jsonArray()
    }

    func form(name: String, address: String, events: [String], auth: String = "", format: String = "Default", enabled: Bool = true) -> String {
        var fields = ["name=\(PortalTests.encoded(name))", "description=\(PortalTests.encoded("builds <i>everything</i>"))", "notify_type=http",
                      "address=\(PortalTests.encoded(address))", "payload_format=\(format)", "auth_header=\(PortalTests.encoded(auth))"]
        fields += events.map { "event_type=\($0)" }
        if enabled { fields.append("enabled=true") }
        return fields.joined(separator: "&")
    }

    func checkCreating(_ http: RegistryHTTP, _ admin: AccessClient, receiver: WebhookReceiver, root: Session, maintainer: Session,
                       developer: Session) async throws -> Int {
        func post(_ body: String, as session: Session, token: Bool = true) async throws -> HTTPResult {
            try await PortalTests.post(http, Self.page, body, as: session, token: token)
        }
        // The tab: project admins get the form, maintainers the list only, developers neither tab nor page.
        let empty = try await http.request(.GET, Self.page, headers: [root.cookie])
        #expect(empty.status == 200 && empty.text.contains(#"id="new-webhook""#) && empty.text.contains(#"id="empty""#))
        #expect(empty.text.contains(#"value="PUSH_ARTIFACT" checked"#) && empty.text.contains("Artifact pushed"))
        let read = try await http.request(.GET, Self.page, headers: [maintainer.cookie])
        #expect(read.status == 200 && !read.text.contains(#"id="new-webhook""#))
        let repositories = try await http.request(.GET, "/harbor/projects/hooks/repositories", headers: [developer.cookie])
        #expect(repositories.status == 200 && !repositories.text.contains(Self.page))
        #expect(try await http.request(.GET, Self.page, headers: [developer.cookie]).status == 403)
        #expect(try await http.request(.GET, Self.page).status == 303)

        let good = form(name: "ci <b>hook</b>", address: "\(receiver.url)/ok/portal", events: ["PUSH_ARTIFACT", "DELETE_ARTIFACT"],
                        auth: "Bearer portal-s3cret", format: "CloudEvents")
        // Refused: no token, the wrong role, an address that is no http(s) URL, no event, a bad event type.
        #expect(try await post(good, as: root, token: false).status == 403)
        #expect(try await post(good, as: maintainer).status == 403)
        #expect(try await post(good, as: developer).status == 403)
        let badAddress = try await post(form(name: "kept-name", address: "ftp://example.org/x", events: ["PUSH_ARTIFACT"]), as: root)
        #expect(badAddress.status == 400 && badAddress.text.contains("Target address must be an http or https URL")
            && badAddress.text.contains(#"value="kept-name""#) && badAddress.text.contains(#"id="new-webhook" open"#), "\(badAddress.text)")
        let noEvent = try await post(form(name: "x", address: "\(receiver.url)/ok/x", events: []), as: root)
        #expect(noEvent.status == 400 && noEvent.text.contains("Choose at least one event"))
        #expect(try await post(form(name: "x", address: "\(receiver.url)/ok/x", events: ["NOT_AN_EVENT"]), as: root).status == 400)
        #expect(try await post(form(name: "x", address: "\(receiver.url)/ok/x", events: ["PUSH_ARTIFACT"], auth: "a\nb"), as: root).status == 400)
        #expect(try await policies(admin).isEmpty)

        let created = try await post(good, as: root)
        #expect(created.status == 303, "\(created.status) \(created.text)")
        let listed = try #require(try await policies(admin).first)
        let id = try #require(listed["id"] as? Int)
        #expect(created.header("Location") == "\(Self.page)/\(id)")
        #expect(listed["name"] as? String == "ci <b>hook</b>" && listed["enabled"] as? Bool == true)
        #expect(Set(listed["event_types"] as? [String] ?? []) == ["PUSH_ARTIFACT", "DELETE_ARTIFACT"])
        let target = (listed["targets"] as? [[String: Any]])?.first
        #expect(target?["auth_header"] as? String == "Bearer portal-s3cret" && target?["payload_format"] as? String == "CloudEvents")
        #expect(try await post(good, as: root).text.contains("There is already a policy with that name"))

        // Listed with its name as text, its events in words, never fired.
        let list = try await http.request(.GET, Self.page, headers: [root.cookie])
        #expect(list.text.contains("ci &lt;b&gt;hook&lt;/b&gt;") && !list.text.contains("<b>hook</b>"))
        #expect(list.text.contains("Artifact pushed, Artifact deleted") || list.text.contains("Artifact deleted, Artifact pushed"))
        #expect(list.text.contains("<td>Never</td>") && list.text.contains("id=\"disable-webhook-\(id)\""))
        let maintainerList = try await http.request(.GET, Self.page, headers: [maintainer.cookie])
        #expect(maintainerList.text.contains("ci &lt;b&gt;hook&lt;/b&gt;") && !maintainerList.text.contains("disable-webhook-"))
        return id
    }

    func checkDeliveries(_ http: RegistryHTTP, _ admin: AccessClient, receiver: WebhookReceiver, id: Int, root: Session,
                         maintainer: Session) async throws {
        #expect(try await admin.pushImage("hooks/app", tag: "v1", seed: 21).status == 201)
        #expect(try await eventually(timeout: .seconds(20)) { !receiver.deliveries(under: "/ok/portal").isEmpty })
        let delivery = try #require(receiver.deliveries(under: "/ok/portal").first)
        #expect(delivery.headers.first { $0.key.lowercased() == "authorization" }?.value == "Bearer portal-s3cret")

        // The policy page shows the execution once its task succeeded; the execution page the receiver's answer.
        var policy = HTTPResult(status: 0, headers: [:], body: [])
        #expect(try await eventually(timeout: .seconds(20)) {
            policy = try await http.request(.GET, "\(Self.page)/\(id)", headers: [root.cookie])
            return policy.text.contains(#"class="status-Success""#)
        }, "\(policy.text)")
        #expect(policy.text.contains("Artifact pushed") && policy.text.contains("1 of 1") && policy.text.contains(#"id="edit-webhook""#))
        #expect(policy.text.contains(#"value="Bearer portal-s3cret""#))
        let execution = try #require(policy.text.range(of: #"id="execution-[0-9]+""#, options: .regularExpression)
            .map { String(policy.text[$0].dropFirst(#"id="execution-"#.count).dropLast()) })
        let tasks = try await http.request(.GET, "\(Self.page)/\(id)/executions/\(execution)", headers: [maintainer.cookie])
        #expect(tasks.status == 200 && tasks.text.contains("\(receiver.url)/ok/portal") && tasks.text.contains(#"class="status-Success""#))
        #expect(tasks.text.range(of: #"id="task-[0-9]+-code">200<"#, options: .regularExpression) != nil, "\(tasks.text)")

        // A maintainer reads the policy without its secret and without the edit form; the list now has a time.
        let readOnly = try await http.request(.GET, "\(Self.page)/\(id)", headers: [maintainer.cookie])
        #expect(readOnly.status == 200 && !readOnly.text.contains("portal-s3cret") && !readOnly.text.contains(#"id="edit-webhook""#))
        #expect(!(try await http.request(.GET, Self.page, headers: [root.cookie])).text.contains("<td>Never</td>"))
        // Ids that are not numbers of this project's policies and executions are 404s.
        for path in ["\(Self.page)/99999999999999999999", "\(Self.page)/-1", "\(Self.page)/abc", "\(Self.page)/\(id)/executions/99999",
                     "\(Self.page)/\(id + 1)/executions/\(execution)", "/harbor/projects/nope/webhook/\(id)"] {
            #expect(try await http.request(.GET, path, headers: [root.cookie]).status == 404, "\(path)")
        }
    }

    func checkChanging(_ http: RegistryHTTP, _ admin: AccessClient, receiver: WebhookReceiver, id: Int, root: Session,
                       maintainer: Session) async throws {
        func post(_ path: String, _ body: String, as session: Session, token: Bool = true) async throws -> HTTPResult {
            try await PortalTests.post(http, path, body, as: session, token: token)
        }
        let policyPath = "\(Self.page)/\(id)"
        // Editing: only project admins, with the token; a bad address keeps what was typed.
        let edited = form(name: "ci-hook", address: "\(receiver.url)/ok/edited", events: ["DELETE_ARTIFACT"])
        #expect(try await post(policyPath, edited, as: maintainer).status == 403)
        #expect(try await post(policyPath, edited, as: root, token: false).status == 403)
        let bad = try await post(policyPath, form(name: "ci-hook", address: "not a url", events: ["DELETE_ARTIFACT"]), as: root)
        #expect(bad.status == 400 && bad.text.contains(#"value="not a url""#) && bad.text.contains(#"id="edit-webhook" open"#))
        #expect(try await post(policyPath, edited, as: root).status == 303)
        var policy = try #require(try await policies(admin).first)
        #expect(policy["name"] as? String == "ci-hook" && policy["event_types"] as? [String] == ["DELETE_ARTIFACT"])
        #expect((policy["targets"] as? [[String: Any]])?.first?["address"] as? String == "\(receiver.url)/ok/edited")

        // Disabling and enabling.
        #expect(try await post("\(policyPath)/state", "enabled=false", as: maintainer).status == 403)
        #expect(try await post("\(policyPath)/state", "enabled=maybe", as: root).status == 400)
        #expect(try await post("\(policyPath)/state", "enabled=false", as: root).status == 303)
        policy = try #require(try await policies(admin).first)
        #expect(policy["enabled"] as? Bool == false)
        let disabled = try await http.request(.GET, Self.page, headers: [root.cookie])
        #expect(disabled.text.contains("<td>Disabled</td>") && disabled.text.contains("id=\"enable-webhook-\(id)\""))

        // Deleting.
        #expect(try await post("\(policyPath)/delete", "", as: maintainer).status == 403)
        #expect(try await post("\(policyPath)/delete", "", as: root, token: false).status == 403)
        #expect(try await policies(admin).count == 1)
        #expect(try await post("\(policyPath)/delete", "", as: root).status == 303)
        #expect(try await policies(admin).isEmpty)
        #expect(try await post("\(policyPath)/delete", "", as: root).status == 404)

        // A policy with two targets (made through the API): the form keeps both and edits the rest.
        try await admin.apiOK(.POST, "/projects/hooks/webhook/policies", json: WebhookTests.policy(
            "fanout", events: ["PUSH_ARTIFACT"], targets: [WebhookTests.http("\(receiver.url)/ok/a"), WebhookTests.http("\(receiver.url)/ok/b")]))
        let fanout = try await WebhookTests.policyID(admin, "hooks", "fanout")
        let page = try await http.request(.GET, "\(Self.page)/\(fanout)", headers: [root.cookie])
        #expect(page.text.contains(#"id="webhook-targets-kept""#) && !page.text.contains(#"id="webhook-address""#))
        #expect(try await post("\(Self.page)/\(fanout)", "name=fanout2&description=&event_type=DELETE_ARTIFACT&enabled=true", as: root).status == 303)
        let kept = try #require(try await policies(admin).first { $0["id"] as? Int == fanout })
        #expect(kept["name"] as? String == "fanout2" && kept["event_types"] as? [String] == ["DELETE_ARTIFACT"])
        #expect((kept["targets"] as? [[String: Any]])?.compactMap { $0["address"] as? String } == ["\(receiver.url)/ok/a", "\(receiver.url)/ok/b"])
    }
}
