import AsyncHTTPClient
import Foundation
import NIOCore
import OCI
import RegistryClient
import Testing

/// Berth's registry client against real registries: it copies an image (and an index with its platforms) from CNCF
/// distribution (anonymous) into a Berth with authentication (its token service), blob by blob with streamed bodies,
/// mounts between repositories, lists tags and the catalog across pages, reads referrers and deletes — and what it
/// copied pulls back with skopeo exactly as it was pushed.
@Suite("Registry client")
struct RegistryClientTests {
    /// Copies `reference` of `repository` (a manifest or an index with its children) from `source` to `target`.
    static func copy(_ repository: String, _ reference: String, from source: RegistryClient, to target: RegistryClient,
                     into destination: String) async throws -> (digest: Digest, blobsSent: Int, blobsSkipped: Int) {
        let manifest = try await source.manifest(repository, reference: reference)
        let parsed = try ManifestParser.parse(manifest.bytes, contentType: manifest.mediaType)
        var sent = 0, skipped = 0
        for child in parsed.manifests {
            let copied = try await copy(repository, child.description, from: source, to: target, into: destination)
            sent += copied.blobsSent
            skipped += copied.blobsSkipped
        }
        for blob in parsed.blobs {
            if try await target.blobSize(destination, digest: blob) != nil {
                skipped += 1
                continue
            }
            let stream = try await source.blob(repository, digest: blob)
            let size = try #require(try await source.blobSize(repository, digest: blob))
            let body = HTTPClientRequest.Body.stream(BlobChunks(blob: stream), length: .known(size))
            try await target.uploadBlob(destination, digest: blob, size: size, body: body)
            sent += 1
        }
        let digest = try await target.putManifest(destination, reference: parsed.isIndex || reference.hasPrefix("sha256:") ? manifest.digest.description : reference,
                                                  bytes: manifest.bytes, mediaType: manifest.mediaType ?? MediaType.ociManifest)
        if !reference.hasPrefix("sha256:") {
            try await target.putManifest(destination, reference: reference, bytes: manifest.bytes, mediaType: manifest.mediaType ?? MediaType.ociManifest)
        }
        return (digest, sent, skipped)
    }

    /// A remote blob as an async sequence of chunks.
    struct BlobChunks: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let blob: RemoteBlob
        struct AsyncIterator: AsyncIteratorProtocol {
            let blob: RemoteBlob
            mutating func next() async throws -> ByteBuffer? { try await blob.next() }
        }
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(blob: blob) }
    }

    @Test("copy an image and a multi-platform index from distribution into an authenticated Berth; mount, tags and catalog paging, referrers, delete")
    func copiesBetweenRealRegistries() async throws {
        let work = try TemporaryDirectory("client")
        defer { work.remove() }
        let distribution = try await TestDistribution.start()
        defer { distribution.stop() }
        let layout = try await ScanTests.image(work)
        let pushed = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "oci:\(work.file("layout")):v1",
                                                  "docker://\(distribution.hostPort)/team/app:v1"])
        try #require(pushed.succeeded, "\(pushed.stderr)")
        let index = try OCILayoutWriter.write(to: work.file("multi"), tag: "multi", layerSizes: [3000, 5000], platforms: ["linux/amd64", "linux/arm64"])
        let pushedIndex = try await ProcessRunner.run(["skopeo", "copy", "--all", "--dest-tls-verify=false", "oci:\(work.file("multi")):multi",
                                                       "docker://\(distribution.hostPort)/team/multi:multi"])
        try #require(pushedIndex.succeeded, "\(pushedIndex.stderr)")

        try await withSecuredServer { server, admin in
            let source = try RegistryClient(url: distribution.baseURL)
            let target = try RegistryClient(url: server.baseURL, credentials: .basic(username: "admin", password: BerthInstance.adminPassword))
            defer { Task { await source.shutdown(); await target.shutdown() } }
            try await target.ping()
            let wrong = try RegistryClient(url: server.baseURL, credentials: .basic(username: "admin", password: "Wrong-Pass-1"))
            await #expect(throws: RegistryClientError.self) { try await wrong.ping() }
            await wrong.shutdown()

            let first = try await Self.copy("team/app", "v1", from: source, to: target, into: "library/app")
            #expect(first.digest == layout.topDigest)
            #expect(first.blobsSent == 3 && first.blobsSkipped == 0)
            // Again: every blob is already there.
            let again = try await Self.copy("team/app", "v1", from: source, to: target, into: "library/app")
            #expect(again.blobsSent == 0 && again.blobsSkipped == 3)
            let multi = try await Self.copy("team/multi", "multi", from: source, to: target, into: "library/multi")
            #expect(multi.digest == index.topDigest)

            // What was copied pulls back with skopeo, byte for byte the same manifests.
            let inspect = try await ProcessRunner.run(["skopeo", "inspect", "--raw", "--tls-verify=false", "--creds", "admin:\(BerthInstance.adminPassword)",
                                                       "docker://\(server.hostPort)/library/app:v1"])
            #expect(inspect.succeeded && Digest.compute(of: Array(inspect.stdout.utf8)) == layout.topDigest)
            let pulled = try await ProcessRunner.run(["skopeo", "copy", "--all", "--src-tls-verify=false", "--src-creds", "admin:\(BerthInstance.adminPassword)",
                                                      "docker://\(server.hostPort)/library/multi:multi", "oci:\(work.file("back")):multi"])
            #expect(pulled.succeeded, "\(pulled.stderr)")

            // HEADs, mounts between repositories, tags over pages, the catalog, referrers, deletes.
            let head = try await target.manifestHead("library/app", reference: "v1")
            #expect(head?.digest == layout.topDigest && head?.size ?? 0 > 0)
            #expect(try await target.manifestHead("library/app", reference: "missing") == nil)
            let config = try ManifestParser.parse(try await target.manifest("library/app", reference: "v1").bytes, contentType: nil).blobs[0]
            #expect(try await target.mount("library/mounted", digest: config, from: "library/app"))
            #expect(try await target.blobSize("library/mounted", digest: config) != nil)
            let manifest = try await target.manifest("library/app", reference: "v1")
            for n in 1 ... 5 {
                try await target.putManifest("library/app", reference: "t\(n)", bytes: manifest.bytes, mediaType: manifest.mediaType ?? MediaType.ociManifest)
            }
            #expect(try await target.tags("library/app", pageSize: 2) == ["t1", "t2", "t3", "t4", "t5", "v1"])
            #expect(Set(try await target.catalog(pageSize: 1)).isSuperset(of: ["library/app", "library/mounted", "library/multi"]))
            #expect(try await source.tags("team/app", pageSize: 1) == ["v1"])
            #expect(try await target.referrers("library/app", digest: layout.topDigest).isEmpty)
            #expect(try await target.deleteManifest("library/multi", digest: index.topDigest))
            #expect(try await target.manifestHead("library/multi", reference: "multi") == nil)
            // A manifest asked for by digest must match it.
            await #expect(throws: RegistryClientError.self) {
                _ = try await target.manifest("library/app", reference: "sha256:" + String(repeating: "0", count: 64))
            }
            _ = admin
        }
    }

    @Test("chunked uploads continue after an interruption from the bytes the registry holds (Berth and distribution), blobs read from an offset, and a speed limit holds")
    func resumableChunksAndSpeed() async throws {
        let distribution = try await TestDistribution.start()
        defer { distribution.stop() }
        try await withSecuredServer { server, _ in
            // Random bytes eight at a time (one by one would hold a test thread for seconds).
            var generator = SystemRandomNumberGenerator()
            var bytes: [UInt8] = []
            bytes.reserveCapacity((3 << 20) + 12_352)
            while bytes.count < (3 << 20) + 12_345 { withUnsafeBytes(of: generator.next() as UInt64) { bytes += $0 } }
            bytes.removeLast(bytes.count - ((3 << 20) + 12_345))
            let digest = Digest.compute(of: bytes)
            let chunk = 1 << 20
            for (url, credentials) in [(server.baseURL, RegistryCredentials.basic(username: "admin", password: BerthInstance.adminPassword)),
                                       (distribution.baseURL, .anonymous)] {
                // The first two chunks, then the client goes away (a killed copy).
                let first = try RegistryClient(url: url, credentials: credentials)
                var upload = try await first.beginUpload("library/chunked")
                for offset in stride(from: 0, to: 2 * chunk, by: chunk) {
                    upload = try await first.uploadChunk(upload, offset: Int64(offset), chunk: ByteBuffer(bytes: bytes[offset ..< offset + chunk]))
                }
                await first.shutdown()
                // A new client asks where the upload stands and sends only the rest.
                let second = try RegistryClient(url: url, credentials: credentials)
                let held = try #require(try await second.uploadedBytes(upload))
                #expect(held == Int64(2 * chunk), "\(url)")
                var offset = Int(held)
                while offset < bytes.count {
                    let end = min(offset + chunk, bytes.count)
                    upload = try await second.uploadChunk(upload, offset: Int64(offset), chunk: ByteBuffer(bytes: bytes[offset ..< end]))
                    offset = end
                }
                try await second.finishUpload(upload, digest: digest)
                #expect(try await second.blobSize("library/chunked", digest: digest) == Int64(bytes.count))
                // Reading from an offset gives the rest of the blob.
                let tail = try await second.blob("library/chunked", digest: digest, from: Int64(2 * chunk), size: Int64(bytes.count))
                var rest: [UInt8] = []
                while let part = try await tail.next() { rest += part.readableBytesView }
                #expect(rest == Array(bytes[(2 * chunk)...]), "\(url)")
                await second.shutdown()
            }
            // A wrong digest at the end is refused by the registry.
            let client = try RegistryClient(url: distribution.baseURL)
            var upload = try await client.beginUpload("library/wrong")
            upload = try await client.uploadChunk(upload, offset: 0, chunk: ByteBuffer(bytes: bytes[0 ..< 1000]))
            await #expect(throws: RegistryClientError.self) { try await client.finishUpload(upload, digest: digest) }
            await client.shutdown()

            // 3 MiB at 1 MiB/s takes about three seconds (at least two), and arrives whole.
            let slow = try RegistryClient(url: distribution.baseURL, bytesPerSecond: 1 << 20)
            let started = ContinuousClock.now
            let blob = try await slow.blob("library/chunked", digest: digest, size: Int64(bytes.count))
            var count = 0
            while let part = try await blob.next() { count += part.readableBytes }
            let elapsed = ContinuousClock.now - started
            #expect(count == bytes.count)
            #expect(elapsed > .seconds(2), "\(elapsed)")
            await slow.shutdown()
        }
    }

    @Test("token services: the OAuth2 form first with a user and password (form-encoded, odd characters intact), the GET form when the service does not speak it")
    func tokenForms() async throws {
        let work = try TemporaryDirectory("token-forms")
        defer { work.remove() }
        for mode in ["oauth", "get"] {
            let port = try TestLDAPServer.freePort()
            let log = work.file("\(mode).jsonl")
            // Killed with SIGKILL: a helper started from the test process inherits its blocked SIGTERM.
            let server = try await HelperProcess.start(["python3", HelperProcess.script("token_forms.py"), String(port), mode, log],
                                                       directory: try TemporaryDirectory("token-forms-\(mode)"), name: "the token service") {
                HelperProcess.listening(port)
            }
            defer { server.stop() }
            let client = try RegistryClient(url: "http://127.0.0.1:\(port)", credentials: .basic(username: "robot$ci", password: "p&ss=w+rd %/é"))
            do {
                try await client.ping()
                try await client.ping()
            } catch {
                Issue.record("\(mode): \(error)")
            }
            await client.shutdown()
            let requests = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            if mode == "oauth" {
                // One POST with the password grant; the token is cached for the second ping; no GET at all.
                #expect(requests.count == 1 && requests.first?["method"] as? String == "POST" && requests.first?["grant"] as? String == "password", "\(requests)")
                #expect(requests.first?["user"] as? String == "robot$ci" && requests.first?["service"] as? String == "forms", "\(requests)")
            } else {
                // The POST is refused once and remembered; the GET with Basic credentials gives the token.
                #expect(requests.map { $0["method"] as? String ?? "" } == ["POST", "GET"], "\(requests)")
            }
        }
    }
}
