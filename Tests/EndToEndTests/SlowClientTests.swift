import Foundation
import OCI
import Testing

/// Clients that hold connections without finishing requests: trickled headers, idle sockets, stalled bodies, and
/// more connections than the server should serve at once. Deadlines are shortened so the tests run in seconds.
@Suite("Slow clients")
struct SlowClientTests {
    /// Short deadlines; the upper bounds the tests check are generous, since the whole suite shares two cores.
    static let shortDeadlines = ["BERTH_HTTP_HEADER_TIMEOUT_SECONDS": "2", "BERTH_HTTP_IDLE_TIMEOUT_SECONDS": "3",
                                 "BERTH_HTTP_BODY_STALL_TIMEOUT_SECONDS": "4"]

    static func withServer(_ environment: [String: String], _ body: (BerthInstance, RegistryHTTP) async throws -> Void) async throws {
        let server = try await BerthInstance.start(environment: environment)
        do { try await body(server, RegistryHTTP(base: server.baseURL)) } catch { Issue.record(error) }
        await server.destroy()
    }

    @Test("200 connections trickling their headers are answered 408 and closed at the header deadline while others are served")
    func trickledHeaders() async throws {
        try await Self.withServer(Self.shortDeadlines) { server, http in
            var slow: [RawConnection] = []
            for _ in 0 ..< 200 {
                let connection = try RawConnection(port: server.port)
                connection.send("GET /v2/ HTTP/1.1\r\nHost: x\r\n")
                slow.append(connection)
            }
            let started = ContinuousClock.now
            // Keep trickling: one header byte per connection every half second, never finishing.
            let trickle = Task {
                for _ in 0 ..< 16 {
                    for connection in slow { connection.send("X") }
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
            #expect(try await http.request(.GET, "/v2/").status == 200, "others are served meanwhile")
            var closedWith408 = 0
            for connection in slow {
                let answer = await connection.readUntilClose(timeout: .seconds(30))
                if answer.closed, RawConnection.status(of: answer.bytes) == 408 { closedWith408 += 1 }
            }
            trickle.cancel()
            #expect(closedWith408 == 200)
            #expect(ContinuousClock.now - started < .seconds(60))
            #expect(try await http.request(.GET, "/health").status == 200)
        }
    }

    @Test("a connection that sends nothing, or nothing more after a response, is closed at the idle deadline")
    func idleConnections() async throws {
        try await Self.withServer(Self.shortDeadlines) { server, _ in
            let silent = try RawConnection(port: server.port)
            let started = ContinuousClock.now
            let first = await silent.readUntilClose(timeout: .seconds(30))
            #expect(first.closed && first.bytes.isEmpty)
            #expect(ContinuousClock.now - started >= .seconds(2), "not before the deadline")

            let kept = try RawConnection(port: server.port)
            kept.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = await kept.readUntilClose(timeout: .seconds(30))
            #expect(RawConnection.status(of: answer.bytes) == 200)
            #expect(answer.closed, "the keep-alive connection is closed once idle")
        }
    }

    @Test("a stalled body is cut at the stall deadline, the session resumes; a slow body that keeps moving completes")
    func bodies() async throws {
        try await Self.withServer(Self.shortDeadlines) { server, http in
            let start = try await http.request(.POST, "/v2/library/slow/blobs/uploads/")
            let location = try #require(start.header("Location"))
            let stalled = try RawConnection(port: server.port)
            stalled.send("PATCH \(location) HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n")
            stalled.send([UInt8](repeating: 7, count: 100))
            let started = ContinuousClock.now
            let cut = await stalled.readUntilClose(timeout: .seconds(30))
            #expect(cut.closed)
            #expect(ContinuousClock.now - started >= .seconds(3), "not before the deadline")
            var status = try await http.request(.GET, location)
            for _ in 0 ..< 20 where status.header("Range") != "0-0" || status.status != 204 {
                try await Task.sleep(for: .milliseconds(100))
                status = try await http.request(.GET, location)
            }
            #expect(status.status == 204 && status.header("Range") == "0-0", "nothing of the cut chunk counts")

            // A byte every half second for six seconds: slower than the stall deadline in total, never stalled that long.
            let bytes = randomBytes(12, seed: 11)
            let slow = try RawConnection(port: server.port)
            slow.send("PUT \(location)?digest=\(Digest.compute(of: bytes)) HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\nConnection: close\r\n\r\n")
            for byte in bytes {
                try await Task.sleep(for: .milliseconds(500))
                #expect(slow.send([byte]))
            }
            let done = await slow.readUntilClose(timeout: .seconds(30))
            #expect(RawConnection.status(of: done.bytes) == 201, "\(String(decoding: done.bytes, as: UTF8.self))")
        }
    }

    @Test("connections beyond http.maxConnections wait until one is free")
    func connectionCap() async throws {
        try await Self.withServer(["BERTH_HTTP_MAX_CONNECTIONS": "4"]) { server, http in
            var held: [RawConnection] = []
            for _ in 0 ..< 4 {
                let connection = try RawConnection(port: server.port)
                connection.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                // Kept alive, so read only up to the end of the response head; a loaded machine may take seconds.
                #expect(RawConnection.status(of: await connection.readResponseHead(timeout: .seconds(15))) == 200)
                held.append(connection)
            }
            let waiting = try RawConnection(port: server.port)
            waiting.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let meanwhile = await waiting.readUntilClose(timeout: .seconds(1))
            #expect(meanwhile.bytes.isEmpty, "a fifth connection is not served while four are open")
            held.removeAll()  // closes them
            let later = await waiting.readUntilClose(timeout: .seconds(5))
            #expect(RawConnection.status(of: later.bytes) == 200)
            #expect(try await http.request(.GET, "/health").status == 200)
        }
    }
}
