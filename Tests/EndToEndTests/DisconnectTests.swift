import AsyncHTTPClient
import Foundation
import NIOCore
import OCI
import Testing

/// A body that sends some bytes and then fails, so the client drops the connection mid-request.
struct FailingBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let bytes: [UInt8]
    let failAfter: Int

    struct Dropped: Error {}

    struct Iterator: AsyncIteratorProtocol {
        let body: FailingBody
        var sent = 0
        mutating func next() async throws -> ByteBuffer? {
            if sent >= body.failAfter {
                try await Task.sleep(for: .milliseconds(50))
                throw Dropped()
            }
            let n = Swift.min(64 * 1024, body.failAfter - sent)
            defer { sent += n }
            return ByteBuffer(bytes: body.bytes[sent ..< sent + n])
        }
    }

    func makeAsyncIterator() -> Iterator { Iterator(body: self) }
}

@Suite("Client disconnects")
struct DisconnectTests {
    @Test("a client that disconnects mid-chunk leaves the session at its last complete chunk, ready to resume")
    func disconnectMidPatch() async throws {
        try await withServer { server, http in
            let bytes = randomBytes(6_000_000)
            let digest = Digest.compute(of: bytes)
            let start = try await http.request(.POST, "/v2/flaky/blobs/uploads/")
            let location = try #require(start.header("Location"))
            let first = try await http.request(.PATCH, location, headers: [("Content-Range", "0-999999")], body: Array(bytes[0 ..< 1_000_000]))
            #expect(first.status == 202)

            var request = HTTPClientRequest(url: server.baseURL + location)
            request.method = .PATCH
            request.headers.add(name: "Content-Range", value: "1000000-5999999")
            request.body = .stream(FailingBody(bytes: Array(bytes[1_000_000...]), failAfter: 3_000_000), length: .known(5_000_000))
            await #expect(throws: (any Error).self) { _ = try await HTTPClient.shared.execute(request, timeout: .seconds(30)) }

            // The interrupted chunk is not counted, and the session is free for the next request.
            var status = try await http.request(.GET, location)
            for _ in 0 ..< 20 where status.header("Range") != "0-999999" {
                try await Task.sleep(for: .milliseconds(50))
                status = try await http.request(.GET, location)
            }
            #expect(status.status == 204)
            #expect(status.header("Range") == "0-999999")
            let resumed = try await http.request(.PATCH, location, headers: [("Content-Range", "1000000-5999999")], body: Array(bytes[1_000_000...]))
            #expect(resumed.status == 202)
            let done = try await http.request(.PUT, location + "?digest=\(digest)")
            #expect(done.status == 201)
            #expect(try await http.request(.GET, "/v2/flaky/blobs/\(digest)").body == bytes)
        }
    }

    @Test("a monolithic upload cut off by the client stores nothing")
    func disconnectMidPost() async throws {
        try await withServer { server, http in
            let bytes = randomBytes(4_000_000)
            let digest = Digest.compute(of: bytes)
            var request = HTTPClientRequest(url: server.baseURL + "/v2/flaky/blobs/uploads/?digest=\(digest)")
            request.method = .POST
            request.body = .stream(FailingBody(bytes: bytes, failAfter: 2_000_000), length: .known(4_000_000))
            await #expect(throws: (any Error).self) { _ = try await HTTPClient.shared.execute(request, timeout: .seconds(30)) }
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await http.request(.HEAD, "/v2/flaky/blobs/\(digest)").status == 404)
            let blobs = server.dataDirectory + "/storage/blobs"
            let stored = (try? FileManager.default.subpathsOfDirectory(atPath: blobs)) ?? []
            #expect(!stored.contains { $0.contains(digest.hex) })
        }
    }
}
