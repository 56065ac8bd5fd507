import AsyncHTTPClient
import Foundation
import OCI
import Testing

/// Berth storing content on a real S3 server (`rclone serve s3`, which checks signatures).
@Suite("S3 storage")
struct S3StorageTests {
    @Test("skopeo round trip on S3 storage, chunked uploads across requests, and blob pulls redirected to presigned URLs")
    func roundTripAndRedirect() async throws {
        let work = try TemporaryDirectory("s3-e2e")
        defer { work.remove() }
        let s3 = try await TestS3Server.start()
        defer { s3.stop() }
        let server = try await BerthInstance.start(environment: s3.environment(redirect: true))
        defer { Task { await server.destroy() } }
        let http = RegistryHTTP(base: server.baseURL)

        let layout = try OCILayoutWriter.write(to: work.file("in"), tag: "v1", layerSizes: [7 * 1024 * 1024, 30_000])
        let push = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "oci:\(work.file("in")):v1", "docker://\(server.hostPort)/library/app:v1"])
        #expect(push.succeeded, "\(push.stderr)")
        let pull = try await ProcessRunner.run(["skopeo", "copy", "--src-tls-verify=false", "docker://\(server.hostPort)/library/app:v1", "oci:\(work.file("out")):v1"])
        #expect(pull.succeeded, "\(pull.stderr)")
        #expect(try OCILayoutWriter.blobDigests(in: work.file("out")) == layout.blobs)

        // A chunked upload in three requests, then a pull that is redirected to S3 and verified byte for byte.
        let blob = randomBytes(6 * 1024 * 1024 + 17, seed: 99)
        let digest = Digest.compute(of: blob)
        let start = try await http.request(.POST, "/v2/library/chunks/blobs/uploads/")
        var location = try #require(start.header("Location"))
        for range in [0 ..< 1_000_000, 1_000_000 ..< 6_000_000] {
            let patch = try await http.request(.PATCH, location, headers: [("Content-Type", "application/octet-stream"),
                                                                           ("Content-Range", "\(range.lowerBound)-\(range.upperBound - 1)")],
                                               body: Array(blob[range]))
            #expect(patch.status == 202)
            location = patch.header("Location") ?? location
        }
        let finish = try await http.request(.PUT, location + (location.contains("?") ? "&" : "?") + "digest=\(digest)", body: Array(blob[6_000_000...]))
        #expect(finish.status == 201, "\(finish.text)")
        let noRedirects = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        var request = HTTPClientRequest(url: server.baseURL + "/v2/library/chunks/blobs/\(digest)")
        request.method = .GET
        let response = try await noRedirects.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        try await noRedirects.shutdown()
        #expect(response.status.code == 307)
        let target = try #require(response.headers.first(name: "Location"))
        #expect(target.hasPrefix(s3.endpoint + "/berth/registry/blobs/sha256/") && target.contains("X-Amz-Signature="))
        let direct = try await http.request(.GET, target)
        let directDigest = Digest.compute(of: direct.body)
        #expect(direct.status == 200 && directDigest == digest)
        let head = try await http.request(.HEAD, "/v2/library/chunks/blobs/\(digest)")
        #expect(head.status == 200 && head.header("Content-Length") == String(blob.count))
    }
}
