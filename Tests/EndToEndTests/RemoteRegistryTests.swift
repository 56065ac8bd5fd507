import Foundation
import Testing

/// Harbor's registry endpoints (`/api/v2.0/registries`): CNCF distribution and another Berth (through its token
/// service) as remote registries, pinged with their credentials; secrets sealed and never returned; who may.
@Suite("Remote registries")
struct RemoteRegistryTests {
    @Test("registry endpoints: create, list with health, ping (good and wrong credentials, unreachable), update keeping the secret, info, adapters, delete; only system administrators")
    func registryEndpoints() async throws {
        let distribution = try await TestDistribution.start()
        defer { distribution.stop() }
        let remote = try await BerthInstance.start(authentication: true)
        defer { Task { await remote.destroy() } }
        try await withSecuredServer { server, admin in
            // Ping before creating: the settings alone.
            #expect(try await admin.api(.POST, "/registries/ping", json: ["type": "docker-registry", "url": distribution.baseURL]).status == 200)
            let wrong = try await admin.api(.POST, "/registries/ping", json: [
                "type": "harbor", "url": remote.baseURL, "credential": ["type": "basic", "access_key": "admin", "access_secret": "Wrong-Secret-1"]])
            #expect(wrong.status == 400 && wrong.text.contains("unauthorized"), "\(wrong.text)")
            #expect(!wrong.text.contains("Wrong-Secret-1"))
            let nowhere = try await admin.api(.POST, "/registries/ping", json: ["type": "docker-registry", "url": "http://127.0.0.1:9"])
            #expect(nowhere.status == 400, "\(nowhere.text)")

            // Creating.
            let hub = try await admin.api(.POST, "/registries", json: ["name": "dist", "type": "docker-registry", "url": distribution.baseURL + "/",
                                                                       "description": "CNCF distribution"])
            #expect(hub.status == 201)
            let hubID = try #require(hub.header("Location")?.split(separator: "/").last.flatMap { Int($0) })
            let berth = try await admin.api(.POST, "/registries", json: [
                "name": "other-berth", "type": "harbor", "url": remote.baseURL,
                "credential": ["type": "basic", "access_key": "admin", "access_secret": BerthInstance.adminPassword]])
            #expect(berth.status == 201)
            let berthID = try #require(berth.header("Location")?.split(separator: "/").last.flatMap { Int($0) })
            #expect(try await admin.api(.POST, "/registries", json: ["name": "dist", "type": "docker-registry", "url": distribution.baseURL]).status == 409)
            for bad: [String: Any] in [["name": "x", "type": "docker-registry", "url": "ftp://example.org"],
                                       ["name": "x", "type": "quay", "url": distribution.baseURL],
                                       ["name": "", "type": "docker-registry", "url": distribution.baseURL],
                                       ["name": "x", "type": "docker-registry", "url": distribution.baseURL, "ca_certificate": "not a certificate"]] {
                #expect(try await admin.api(.POST, "/registries", json: bad).status == 400, "\(bad)")
            }

            // Listing: health through the stored credentials, the secret masked; the database holds it sealed.
            let listed = try await admin.api(.GET, "/registries").jsonArray()
            #expect(listed.compactMap { $0["name"] as? String } == ["dist", "other-berth"])
            #expect(listed.allSatisfy { $0["status"] as? String == "healthy" }, "\(listed)")
            let credential = listed.last?["credential"] as? [String: Any]
            #expect(credential?["access_key"] as? String == "admin" && credential?["access_secret"] as? String == "*****")
            #expect(!(try await admin.api(.GET, "/registries").text.contains(BerthInstance.adminPassword)))
            let stored = try await ProcessRunner.run(["python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select access_secret from remote_registries where name=\"other-berth\"').fetchone()[0])",
                                                      server.dataDirectory + "/berth.db"])
            #expect(stored.stdout.hasPrefix("sealed:v1:") && !stored.stdout.contains(BerthInstance.adminPassword), "\(stored.combined)")
            #expect(try await admin.api(.GET, "/registries?name=berth").jsonArray().count == 1)
            #expect(try await admin.api(.GET, "/registries/\(hubID)").json()["url"] as? String == distribution.baseURL)

            // Ping a stored registry by id; an update without a secret keeps it; a wrong one makes it unhealthy.
            #expect(try await admin.api(.POST, "/registries/ping", json: ["id": berthID]).status == 200)
            #expect(try await admin.api(.PUT, "/registries/\(berthID)", json: ["description": "the other one", "access_key": "admin"]).status == 200)
            #expect(try await admin.api(.POST, "/registries/ping", json: ["id": berthID]).status == 200)
            #expect(try await admin.api(.GET, "/registries/\(berthID)").json()["description"] as? String == "the other one")
            #expect(try await admin.api(.PUT, "/registries/\(berthID)", json: ["access_key": "admin", "access_secret": "Not-It-123"]).status == 200)
            #expect(try await admin.api(.GET, "/registries/\(berthID)").json()["status"] as? String == "unhealthy")
            #expect(try await admin.api(.PUT, "/registries/\(berthID)", json: ["name": "dist"]).status == 409)

            // Info and adapters.
            let info = try await admin.api(.GET, "/registries/\(hubID)/info").json()
            #expect(info["supported_triggers"] as? [String] == ["manual", "scheduled", "event_based"])
            #expect((info["supported_resource_filters"] as? [[String: Any]])?.compactMap { $0["type"] as? String } == ["name", "tag", "label", "resource"])
            #expect(try await admin.api(.GET, "/replication/adapters").text == #"["docker-registry","harbor"]"#)
            let infos = try await admin.api(.GET, "/replication/adapterinfos").json()
            #expect(Set(infos.keys) == ["docker-registry", "harbor"])

            // Only system administrators.
            try await admin.apiOK(.POST, "/users", json: ["username": "ops", "password": "Ops-Password-1"])
            let ops = AccessClient(http: admin.http, account: .basic("ops", "Ops-Password-1"))
            #expect(try await ops.api(.GET, "/registries").status == 403)
            #expect(try await ops.api(.POST, "/registries", json: ["name": "evil", "type": "docker-registry", "url": "http://127.0.0.1:9"]).status == 403)
            #expect(try await ops.api(.POST, "/registries/ping", json: ["type": "docker-registry", "url": "http://169.254.169.254"]).status == 403)
            #expect(try await AccessClient(http: admin.http, account: .anonymous).api(.GET, "/registries").status == 401)

            // Deleting.
            #expect(try await admin.api(.DELETE, "/registries/\(hubID)").status == 200)
            #expect(try await admin.api(.GET, "/registries/\(hubID)").status == 404)
            #expect(try await admin.api(.DELETE, "/registries/999999").status == 404)
        }
    }
}
