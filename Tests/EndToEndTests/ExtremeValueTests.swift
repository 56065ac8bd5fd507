import Foundation
import NIOHTTP1
import OCI
import Testing

/// Every number a client can send to either API, with values at and past the edges of 64-bit integers. A Swift
/// overflow traps and takes the server down for everyone, so each answer must be a 2xx or a 4xx (never a 5xx or a
/// dead connection), out-of-domain values must be refused with a 4xx, and the server must still answer afterwards.
@Suite("Extreme numeric input")
struct ExtremeValueTests {
    static let huge = String(repeating: "9", count: 5000)
    /// The values tried for every numeric input, as they are written on the wire.
    static let values = ["0", "-1", "1", "9223372036854775807", "-9223372036854775808", "18446744073709551616", "1e308", "-1e308",
                         "0x10", "NaN", huge]

    /// One numeric input: how to send a value, and which values it should accept.
    struct Input {
        let name: String
        /// Values answered with a 2xx; everything else must get a 4xx.
        let accepted: Set<String>
        /// Values that may get either (the answer depends on state the test does not pin down, or both are right).
        var either: Set<String> = []
        let send: (String) async throws -> Int
    }

    @Test("numbers at and beyond Int64's edges get a 2xx or a clear 4xx on every numeric input of /v2 and /api/v2.0")
    func extremes() async throws {
        try await withSecuredServer { server, admin in
            let auth = admin.account.authorization
            let http = admin.http
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "edge", "metadata": ["public": "false"]])
            let blob = randomBytes(100, seed: 5)
            let pushed = try await admin.pushImage("edge/app", tag: "v1", seed: 5)
            #expect(pushed.status == 201)
            let layer = Digest.compute(of: randomBytes(512, seed: 5))
            _ = blob
            try await admin.apiOK(.POST, "/users", json: ["username": "eve", "password": "Eve-12345678", "email": "eve@example.org"])
            let robot = try await admin.apiOK(.POST, "/robots", json: [
                "name": "edge", "level": "project", "duration": -1,
                "permissions": [["kind": "project", "namespace": "edge", "access": [["resource": "repository", "action": "pull"]]]],
            ]) as! [String: Any]
            let robotID = robot["id"] as! Int
            let members = try await admin.apiOK(.GET, "/projects/edge/members") as! [[String: Any]]
            let memberID = members[0]["id"] as! Int

            func v2(_ method: HTTPMethod, _ path: String, _ headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Int {
                try await http.request(method, path, headers: auth + headers, body: body).status
            }
            func api(_ method: HTTPMethod, _ path: String, raw body: String? = nil) async throws -> Int {
                try await http.request(method, "/api/v2.0" + path, headers: auth + [("Content-Type", "application/json")],
                                       body: body.map { Array($0.utf8) }).status
            }
            func newUpload() async throws -> String {
                let r = try await http.request(.POST, "/v2/edge/app/blobs/uploads/", headers: auth)
                guard r.status == 202, let location = r.header("Location") else { throw TestFailure("upload start: \(r.status)") }
                return location
            }
            let positive: Set<String> = ["1", "9223372036854775807"]
            let integers: Set<String> = ["0", "-1", "1", "9223372036854775807", "-9223372036854775808"]

            let nonIntegers = Set(Self.values).subtracting(integers)
            var inputs: [Input] = [
                Input(name: "Range: bytes=0-N", accepted: integers.subtracting(["-1", "-9223372036854775808"]).union(nonIntegers),
                      either: ["-1", "-9223372036854775808"]) { v in
                    try await v2(.GET, "/v2/edge/app/blobs/\(layer)", [("Range", "bytes=0-\(v)")])
                },
                Input(name: "Range: bytes=N-", accepted: Set(["0", "1"]).union(nonIntegers),
                      either: ["-1", "-9223372036854775808"]) { v in
                    try await v2(.GET, "/v2/edge/app/blobs/\(layer)", [("Range", "bytes=\(v)-")])
                },
                Input(name: "Range: bytes=-N", accepted: Set(Self.values).subtracting(["0", "-1", "-9223372036854775808"]),
                      either: ["-1", "-9223372036854775808"]) { v in
                    try await v2(.GET, "/v2/edge/app/blobs/\(layer)", [("Range", "bytes=-\(v)")])
                },
                Input(name: "Content-Range: 0-N on PATCH", accepted: ["0"]) { v in
                    let location = try await newUpload()
                    return try await v2(.PATCH, location, [("Content-Range", "0-\(v)")], body: [1])
                },
                Input(name: "Content-Range: N-N on PATCH", accepted: ["0"]) { v in
                    let location = try await newUpload()
                    return try await v2(.PATCH, location, [("Content-Range", "\(v)-\(v)")], body: [1])
                },
                Input(name: "Content-Range: 0-N on the closing PUT", accepted: []) { v in
                    let location = try await newUpload()
                    return try await v2(.PUT, location + "?digest=\(Digest.compute(of: [1, 2]))", [("Content-Range", "0-\(v)")], body: [1])
                },
                Input(name: "n on tags/list", accepted: ["0", "1", "9223372036854775807"]) { v in try await v2(.GET, "/v2/edge/app/tags/list?n=\(v)") },
                Input(name: "n on _catalog", accepted: ["0", "1", "9223372036854775807"]) { v in try await v2(.GET, "/v2/_catalog?n=\(v)") },
            ]
            for list in ["/projects", "/users", "/audit-logs", "/robots", "/usergroups", "/repositories", "/projects/edge/repositories", "/projects/edge/members",
                         "/projects/edge/logs", "/projects/edge/repositories/app/artifacts", "/jobservice/jobs"] {
                inputs.append(Input(name: "page on \(list)", accepted: positive) { v in try await api(.GET, "\(list)?page=\(v)") })
                inputs.append(Input(name: "page_size on \(list)", accepted: positive) { v in try await api(.GET, "\(list)?page_size=\(v)") })
            }
            for (list, key) in [("/projects", "project_id"), ("/users", "user_id"), ("/robots", "project_id"), ("/audit-logs", "project_id")] {
                inputs.append(Input(name: "q=\(key)=N on \(list)", accepted: integers) { v in try await api(.GET, "\(list)?q=\(key)%3D\(v)") })
            }
            inputs.append(Input(name: "q=op_time=[N~N] on /audit-logs", accepted: integers) { v in
                try await api(.GET, "/audit-logs?q=op_time%3D%5B\(v)~\(v)%5D")
            })
            // Years 0 and 1 are dates; the point here is that a year past Int64 milliseconds is refused, not trapped on.
            inputs.append(Input(name: "q=op_time=[date~] on /audit-logs", accepted: [], either: ["0", "1", "-1"]) { v in
                try await api(.GET, "/audit-logs?q=op_time%3D%5B\(v.prefix(200))-01-01~%5D")
            })
            for path in ["/users/", "/robots/", "/usergroups/", "/projects/edge/members/", "/jobservice/jobs/"] {
                // Id 1 may well exist (the admin, the first robot, the first membership).
                inputs.append(Input(name: "id in \(path){id}", accepted: [], either: ["1"]) { v in
                    try await api(.GET, path + v + (path.hasPrefix("/jobservice") ? "/log" : ""))
                })
            }
            inputs.append(Input(name: "project id in /projects/{id}", accepted: ["1"]) { v in try await api(.GET, "/projects/" + v) })
            inputs += [
                Input(name: "duration on POST /robots", accepted: ["0", "-1", "1"]) { v in
                    try await api(.POST, "/robots", raw: #"{"name":"d\#(abs(v.hashValue % 1_000_000))","level":"project","duration":\#(v),"permissions":[{"kind":"project","namespace":"edge","access":[{"resource":"repository","action":"pull"}]}]}"#)
                },
                Input(name: "duration on PUT /robots/{id}", accepted: ["0", "-1", "1"]) { v in
                    try await api(.PUT, "/robots/\(robotID)", raw: #"{"duration":\#(v)}"#)
                },
                Input(name: "storage_limit on POST /projects", accepted: ["0", "-1", "1", "1152921504606846976"]) { v in
                    try await api(.POST, "/projects", raw: #"{"project_name":"sl\#(abs(v.hashValue % 1_000_000))","storage_limit":\#(v)}"#)
                },
                Input(name: "storage_limit on PUT /projects/{p}", accepted: ["0", "-1", "1", "1152921504606846976"]) { v in
                    try await api(.PUT, "/projects/edge", raw: #"{"storage_limit":\#(v)}"#)
                },
                Input(name: "cve_allowlist.expires_at on PUT /projects/{p}", accepted: ["0", "1"]) { v in
                    try await api(.PUT, "/projects/edge", raw: #"{"cve_allowlist":{"items":[],"expires_at":\#(v)}}"#)
                },
                Input(name: "role_id on POST members", accepted: ["1"]) { v in
                    try await api(.POST, "/projects/edge/members", raw: #"{"role_id":\#(v),"member_user":{"username":"eve"}}"#)
                },
                Input(name: "member_user.user_id on POST members", accepted: []) { v in
                    try await api(.POST, "/projects/edge/members", raw: #"{"role_id":3,"member_user":{"user_id":\#(v)}}"#)
                },
                Input(name: "member_group.id on POST members", accepted: []) { v in
                    try await api(.POST, "/projects/edge/members", raw: #"{"role_id":3,"member_group":{"id":\#(v)}}"#)
                },
                Input(name: "role_id on PUT members/{id}", accepted: ["1"]) { v in
                    try await api(.PUT, "/projects/edge/members/\(memberID)", raw: #"{"role_id":\#(v)}"#)
                },
                Input(name: "group_type on POST /usergroups", accepted: []) { v in
                    try await api(.POST, "/usergroups", raw: #"{"group_name":"g","group_type":\#(v),"ldap_group_dn":"cn=g,dc=example,dc=org"}"#)
                },
                // JSON numbers are not booleans; whether 0 and 1 are read as false and true is the decoder's business.
                Input(name: "sysadmin_flag on PUT /users/{id}/sysadmin", accepted: [], either: ["0", "1"]) { v in
                    try await api(.PUT, "/users/2/sysadmin", raw: #"{"sysadmin_flag":\#(v)}"#)
                },
            ]

            var problems: [String] = []
            for input in inputs {
                for value in Self.values {
                    let shown = value.count > 24 ? "\(value.prefix(8))…(\(value.count) digits)" : value
                    let status: Int
                    do { status = try await input.send(value) } catch {
                        problems.append("\(input.name) = \(shown): no answer (\(error))")
                        continue
                    }
                    if input.either.contains(value) {
                        if !(200 ..< 500).contains(status) { problems.append("\(input.name) = \(shown): \(status)") }
                    } else if input.accepted.contains(value) {
                        if !(200 ..< 300).contains(status) { problems.append("\(input.name) = \(shown): \(status), expected 2xx") }
                    } else if !(400 ..< 500).contains(status) {
                        problems.append("\(input.name) = \(shown): \(status), expected 4xx")
                    }
                    let health = try? await http.request(.GET, "/health")
                    guard health?.status == 200 else {
                        Issue.record("the server stopped answering after \(input.name) = \(shown)")
                        return
                    }
                }
            }
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")

            // Header numbers that HTTP parsing sees before Berth does: the connection may be refused, the server must live.
            for length in ["18446744073709551616", "-1", "9223372036854775807", Self.huge] {
                let connection = try RawConnection(port: server.port)
                connection.send("PATCH /v2/edge/app/blobs/uploads/x HTTP/1.1\r\nHost: x\r\nContent-Length: \(length)\r\n\r\nabc")
                let answer = await connection.readUntilClose(timeout: .seconds(5))
                if let status = RawConnection.status(of: answer.bytes) { #expect((400 ..< 500).contains(status), "Content-Length \(length.prefix(20)): \(status)") }
                #expect(try await http.request(.GET, "/health").status == 200)
            }
        }
    }
}
