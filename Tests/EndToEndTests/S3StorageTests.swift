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
        // Stopped in line, not in a `defer` task: a server that crashed fails this test with its log.
        do {
            try await roundTripAndRedirect(server: server, s3: s3, work: work)
        } catch {
            await server.destroy()
            throw error
        }
        await server.destroy()
    }

    func roundTripAndRedirect(server: BerthInstance, s3: TestS3Server, work: TemporaryDirectory) async throws {
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

    @Test("garbage collection on S3: a dry run lists the deleted image's blobs and an orphan object, the run removes exactly those objects from the bucket, the kept image pulls")
    func garbageCollection() async throws {
        let s3 = try await TestS3Server.start()
        defer { s3.stop() }
        try await withSecuredServer(environment: s3.environment().merging(["BERTH_GC_GRACE_SECONDS": "5"]) { _, new in new }) { server, admin in
            try await admin.apiOK(.POST, "/projects", json: ["project_name": "team"])
            let kept = try await admin.pushImage("team/keep", tag: "v1", seed: 31)
            let dropped = try await admin.pushImage("team/drop", tag: "v1", seed: 32)
            try #require(kept.status == 201 && dropped.status == 201)
            #expect(try await admin.registry(.DELETE, "/v2/team/drop/manifests/\(dropped.digest)").status == 202)
            // An object in the bucket that no repository names (a crash between storing and linking).
            let orphan = Digest.compute(of: Array("orphan on S3".utf8))
            let orphanKey = "registry/blobs/sha256/\(orphan.hex.prefix(2))/\(orphan.hex)"
            let put = try await ProcessRunner.run(["python3", "-c", """
                import boto3, sys
                s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], region_name="us-east-1")
                s3.put_object(Bucket=sys.argv[4], Key=sys.argv[5], Body=b"orphan on S3")
                """, s3.endpoint, TestS3Server.accessKey, TestS3Server.secretKey, s3.bucket, orphanKey])
            try #require(put.succeeded, "\(put.stderr)")
            let before = Set(try await s3.keys(under: "registry/blobs/"))
            try await Task.sleep(for: .seconds(6))

            let dry = try await GarbageLoad.finished(admin, try await GarbageLoad.startDry(admin))
            let dryCounts = GarbageLoad.counts(dry)
            #expect(dry["job_status"] as? String == "Success" && dryCounts["blobs_deleted"] == 4, "config, layer, manifest and the orphan: \(dry)")
            #expect(Set(try await s3.keys(under: "registry/blobs/")) == before, "a dry run deletes nothing")

            let run = try await GarbageLoad.finished(admin, try await GarbageLoad.start(admin))
            #expect(run["job_status"] as? String == "Success" && GarbageLoad.counts(run)["blobs_deleted"] == 4, "\(run)")
            let after = Set(try await s3.keys(under: "registry/blobs/"))
            let removed = before.subtracting(after)
            #expect(removed.count == 4 && removed.contains(orphanKey) && removed.contains { $0.hasSuffix(dropped.digest.hex) }, "\(removed)")
            #expect(after.contains { $0.hasSuffix(kept.digest.hex) })
            let manifest = try await admin.registry(.GET, "/v2/team/keep/manifests/v1", headers: [("Accept", MediaType.ociManifest)])
            #expect(manifest.status == 200 && Digest.compute(of: manifest.body) == kept.digest)
            let layers = ((try? JSONSerialization.jsonObject(with: Data(manifest.body)) as? [String: Any])?["layers"] as? [[String: Any]]) ?? []
            for layer in layers {
                let digest = layer["digest"] as? String ?? ""
                let blob = try await admin.registry(.GET, "/v2/team/keep/blobs/\(digest)")
                #expect(blob.status == 200 && Digest.compute(of: blob.body).description == digest)
            }
        }
    }
}
