import AsyncHTTPClient
import Foundation
import NIOCore
import OCI
import Testing

/// Uploads that outlive a process, concurrent pushes, crashes and very large blobs.
@Suite("Durability and concurrency", .serialized)
struct DurabilityTests {
    @Test("an upload begun on one berth process is continued and finished by another on the same data directory")
    func uploadAcrossProcesses() async throws {
        let data = try TemporaryDirectory("shared-data")
        defer { data.remove() }
        let first = try await BerthInstance.start(dataDirectory: data.path)
        let second = try await BerthInstance.start(dataDirectory: data.path)
        let a = RegistryHTTP(base: first.baseURL)
        let b = RegistryHTTP(base: second.baseURL)
        let bytes = randomBytes(3_000_000)
        let digest = Digest.compute(of: bytes)

        let start = try await a.request(.POST, "/v2/handoff/blobs/uploads/")
        let location = try #require(start.header("Location"))
        let p1 = try await b.request(.PATCH, location, headers: [("Content-Range", "0-999999")], body: Array(bytes[0 ..< 1_000_000]))
        #expect(p1.status == 202)
        let p2 = try await a.request(.PATCH, location, headers: [("Content-Range", "1000000-1999999")], body: Array(bytes[1_000_000 ..< 2_000_000]))
        #expect(p2.status == 202)
        await first.stop()

        let status = try await b.request(.GET, location)
        #expect(status.status == 204)
        #expect(status.header("Range") == "0-1999999")

        // A new process, after the first one is gone, finishes the upload.
        let third = try await BerthInstance.start(dataDirectory: data.path)
        let c = RegistryHTTP(base: third.baseURL)
        let done = try await c.request(.PUT, location + "?digest=\(digest)", body: Array(bytes[2_000_000...]))
        #expect(done.status == 201)
        #expect(try await b.request(.GET, "/v2/handoff/blobs/\(digest)").body == bytes)
        await second.stop()
        await third.stop()
    }

    @Test("20 clients pushing the same blob and different tags at once: no errors, one stored copy, every tag listed")
    func concurrentPushes() async throws {
        try await withServer { server, http in
            let config = Array(#"{"architecture":"amd64","os":"linux"}"#.utf8)
            let layer = randomBytes(2_000_000)
            let manifest = ManifestBuilder.image(config: config, layers: [layer])
            let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                for i in 0 ..< 20 {
                    group.addTask {
                        var codes: [Int] = []
                        let start = try await http.request(.POST, "/v2/crowd/app/blobs/uploads/")
                        codes.append(start.status)
                        let location = start.header("Location") ?? ""
                        let half = layer.count / 2
                        codes.append(try await http.request(.PATCH, location, body: Array(layer[0 ..< half])).status)
                        codes.append(try await http.request(.PUT, location + "?digest=\(Digest.compute(of: layer))", body: Array(layer[half...])).status)
                        codes.append(try await http.request(.POST, "/v2/crowd/app/blobs/uploads/?digest=\(Digest.compute(of: config))", body: config).status)
                        codes.append(try await http.pushManifest("crowd/app", "t\(i)", manifest).status)
                        return codes
                    }
                }
                var all: [[Int]] = []
                for try await codes in group { all.append(codes) }
                return all
            }
            for codes in statuses { #expect(codes == [202, 202, 201, 201, 201]) }
            let tags = try await http.request(.GET, "/v2/crowd/app/tags/list").json()["tags"] as? [String] ?? []
            #expect(Set(tags) == Set((0 ..< 20).map { "t\($0)" }))
            let layerDigest = Digest.compute(of: layer)
            let blobFiles = try FileManager.default.subpathsOfDirectory(atPath: server.dataDirectory + "/storage/blobs")
                .filter { $0.split(separator: "/").count == 3 }
            #expect(blobFiles.filter { $0.contains(layerDigest.hex) }.count == 1)
            #expect(blobFiles.count == 3)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: server.dataDirectory + "/storage/uploads")
            #expect(leftovers.isEmpty)
        }
    }

    @Test("kill -9 during concurrent uploads: the server restarts cleanly and every visible blob matches its digest")
    func crashDuringUploads() async throws {
        let data = try TemporaryDirectory("crash-data")
        defer { data.remove() }
        var server = try await BerthInstance.start(dataDirectory: data.path)
        let http = RegistryHTTP(base: server.baseURL)
        // Some blobs complete before the crash.
        var attempted: [Digest] = []
        for i in 0 ..< 5 { attempted.append(try await http.pushBlob("crash/repo", randomBytes(100_000 + i))) }
        let bodies = (0 ..< 8).map { GeneratedBody(totalSize: 64 << 20, chunkSize: 256 << 10, seed: UInt64($0 + 1)) }
        attempted += bodies.map { $0.digest() }
        let baseURL = server.baseURL
        let uploads = Task {
            await withTaskGroup(of: Void.self) { group in
                for body in bodies {
                    group.addTask {
                        var request = HTTPClientRequest(url: baseURL + "/v2/crash/repo/blobs/uploads/?digest=\(body.digest())")
                        request.method = .POST
                        request.body = .stream(body, length: .known(Int64(body.totalSize)))
                        _ = try? await HTTPClient.shared.execute(request, timeout: .seconds(60))
                    }
                }
            }
        }
        try await Task.sleep(for: .milliseconds(400))
        await server.kill()
        await uploads.value

        server = try await BerthInstance.start(dataDirectory: data.path)
        let after = RegistryHTTP(base: server.baseURL)
        #expect(try await after.request(.GET, "/v2/").status == 200)
        var visible = 0
        for digest in attempted {
            let r = try await after.request(.GET, "/v2/crash/repo/blobs/\(digest)")
            if r.status == 200 {
                visible += 1
                #expect(Digest.compute(of: r.body) == digest, "blob \(digest) is visible with other content")
            } else {
                #expect(r.status == 404)
            }
        }
        #expect(visible >= 5)
        // Nothing in storage sits at a content address that does not match its bytes.
        let root = data.path + "/storage/blobs/sha256"
        for path in try FileManager.default.subpathsOfDirectory(atPath: root) where path.split(separator: "/").count == 2 {
            let hex = path.split(separator: "/")[1]
            var hasher = DigestHasher(.sha256)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: root + "/" + path))
            bytes.withUnsafeBytes { hasher.update($0) }
            #expect(hasher.digest().hex == hex, "storage holds a partial blob at \(path)")
        }
        // The interrupted sessions can be pushed again.
        let retry = bodies[0]
        var request = HTTPClientRequest(url: server.baseURL + "/v2/crash/repo/blobs/uploads/?digest=\(retry.digest())")
        request.method = .POST
        request.body = .stream(retry, length: .known(Int64(retry.totalSize)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        #expect(response.status.code == 201)
        await server.destroy()
    }

    @Test("pushing and pulling a 2 GiB blob streams: the server's memory stays flat")
    func largeBlobStreams() async throws {
        try await withServer { server, http in
            let body = GeneratedBody(totalSize: 2 << 30)
            let digest = body.digest()
            _ = try await http.request(.GET, "/v2/")
            let before = server.memory()
            #expect(before.rss > 1 << 20, "could not read the server's memory use")

            var push = HTTPClientRequest(url: server.baseURL + "/v2/big/blob/blobs/uploads/?digest=\(digest)")
            push.method = .POST
            push.body = .stream(body, length: .known(Int64(body.totalSize)))
            let pushed = try await HTTPClient.shared.execute(push, timeout: .seconds(600))
            #expect(pushed.status.code == 201)
            let afterPush = server.memory()

            let pull = HTTPClientRequest(url: server.baseURL + "/v2/big/blob/blobs/\(digest)")
            let response = try await HTTPClient.shared.execute(pull, timeout: .seconds(600))
            #expect(response.status.code == 200)
            var hasher = DigestHasher(.sha256)
            var received = 0
            for try await chunk in response.body {
                chunk.withUnsafeReadableBytes { hasher.update($0) }
                received += chunk.readableBytes
            }
            #expect(received == body.totalSize)
            #expect(hasher.digest() == digest)
            let afterPull = server.memory()

            let limit = 64 << 20
            print("2 GiB blob: RSS before \(before.rss >> 20) MiB, peak after push \(afterPush.peak >> 20) MiB, after pull \(afterPull.peak >> 20) MiB")
            #expect(afterPush.peak - before.rss < limit, "push raised peak RSS by \((afterPush.peak - before.rss) >> 20) MiB")
            #expect(afterPull.peak - before.rss < limit, "pull raised peak RSS by \((afterPull.peak - before.rss) >> 20) MiB")
        }
    }

    /// A server over plain HTTP, or over HTTPS on its generated CA, and the curl arguments that trust it (the CA
    /// downloaded from the server into `caFile`).
    static func startForCurl(https: Bool, caFile: String) async throws -> (server: BerthInstance, curlTrust: [String]) {
        let server = try await BerthInstance.start(extraArguments: https ? ["--tls-generate"] : [])
        guard https else { return (server, []) }
        do {
            let fetched = try await ProcessRunner.run(["curl", "-sSk", "-o", caFile, "\(server.baseURL)/api/v2.0/systeminfo/getcert"])
            #expect(fetched.succeeded, "\(fetched.combined)")
        } catch {
            await server.destroy()
            throw error
        }
        return (server, ["--cacert", caFile])
    }

    @Test("eight fast clients downloading a large blob at once, over HTTP and over HTTPS: the server's memory stays bounded",
          arguments: [false, true])
    func concurrentDownloadsStayBounded(https: Bool) async throws {
        // Before downloads were paced by their connection, each one queued chunks on its event loop faster than the
        // loop wrote them out (over TLS the loop also encrypts), and eight such downloads of 128 MiB held up to a gigabyte.
        let dir = try TemporaryDirectory("fan-out")
        defer { dir.remove() }
        let (server, trust) = try await Self.startForCurl(https: https, caFile: dir.file("ca.pem"))
        defer { Task { await server.destroy() } }
        let body = GeneratedBody(totalSize: 128 << 20)
        let digest = body.digest()
        let client = https ? try TestTLS.client(trusting: try String(contentsOfFile: dir.file("ca.pem"), encoding: .utf8)) : HTTPClient.shared
        var push = HTTPClientRequest(url: server.baseURL + "/v2/fan/out/blobs/uploads/?digest=\(digest)")
        push.method = .POST
        push.body = .stream(body, length: .known(Int64(body.totalSize)))
        let pushed = try await client.execute(push, timeout: .seconds(300))
        #expect(pushed.status.code == 201)
        if https { try await client.shutdown() }
        let before = server.memory()
        #expect(before.rss > 1 << 20, "could not read the server's memory use")

        let sizes = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0 ..< 8 {
                group.addTask {
                    try await ProcessRunner.run(["curl", "-sS", "--http1.1"] + trust + ["-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                                                 "\(server.baseURL)/v2/fan/out/blobs/\(digest)"], timeout: 300).stdout
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(sizes == Array(repeating: "200 \(128 << 20)", count: 8))
        let after = server.memory()
        print("8 concurrent \(https ? "HTTPS" : "HTTP") downloads of 128 MiB: RSS before \(before.rss >> 20) MiB, peak \(after.peak >> 20) MiB")
        #expect(after.peak - before.rss < 160 << 20, "downloads raised peak RSS by \((after.peak - before.rss) >> 20) MiB")
    }

    @Test("eight clients uploading large blobs at once, over HTTP and over HTTPS: the server's memory stays bounded",
          arguments: [false, true])
    func concurrentUploadsStayBounded(https: Bool) async throws {
        // Each connection reads ahead of its upload handler only a few parts; over TLS a part is a whole decrypted
        // read burst, so fewer of them are queued. Without that pacing, uploads that arrive faster than the disk takes
        // them would pile up in memory.
        let dir = try TemporaryDirectory("fan-in")
        defer { dir.remove() }
        let (server, curlTrust) = try await Self.startForCurl(https: https, caFile: dir.file("ca.pem"))
        defer { Task { await server.destroy() } }
        let blob = dir.file("blob")
        let made = try await ProcessRunner.run(["bash", "-c", "head -c \(128 << 20) /dev/urandom > \"$0\" && sha256sum \"$0\"", blob])
        #expect(made.succeeded, "\(made.combined)")
        let digest = "sha256:" + (made.stdout.split(separator: " ").first.map(String.init) ?? "")
        let warmUp = try await ProcessRunner.run(["curl", "-sS"] + curlTrust + ["-o", "/dev/null", "-w", "%{http_code}", "\(server.baseURL)/v2/"])
        #expect(warmUp.stdout == "200", "\(warmUp.combined)")
        let before = server.memory()
        #expect(before.rss > 1 << 20, "could not read the server's memory use")

        let statuses = try await withThrowingTaskGroup(of: String.self) { group in
            for client in 0 ..< 8 {
                group.addTask {
                    // Start an upload session, then stream the file into it with one PUT (curl -T names no file when the
                    // URL has a last path segment).
                    let script = """
                        set -e
                        location=$(curl -sS --http1.1 "${@:3}" -X POST -D - -o /dev/null "$1/v2/fan/in\(client)/blobs/uploads/" \\
                            | tr -d '\\r' | awk 'tolower($1) == "location:" {print $2}')
                        case $location in http*) ;; *) location="$1$location" ;; esac
                        case $location in *\\?*) location="$location&digest=\(digest)" ;; *) location="$location?digest=\(digest)" ;; esac
                        curl -sS --http1.1 "${@:3}" -X PUT -H "Content-Type: application/octet-stream" -T "$2" -o /dev/null -w "%{http_code}" "$location"
                        """
                    return try await ProcessRunner.run(["bash", "-c", script, "upload", server.baseURL, blob] + curlTrust, timeout: 300).stdout
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: "201", count: 8))
        let after = server.memory()
        print("8 concurrent \(https ? "HTTPS" : "HTTP") uploads of 128 MiB: RSS before \(before.rss >> 20) MiB, peak \(after.peak >> 20) MiB")
        #expect(after.peak - before.rss < 64 << 20, "uploads raised peak RSS by \((after.peak - before.rss) >> 20) MiB")
        for client in [0, 7] {
            let head = try await ProcessRunner.run(["curl", "-sSI"] + curlTrust + ["-o", "/dev/null", "-w", "%{http_code}",
                                                   "\(server.baseURL)/v2/fan/in\(client)/blobs/\(digest)"])
            #expect(head.stdout == "200", "the blob uploaded by client \(client) is not served: \(head.combined)")
        }
    }
}
