import Foundation
import OCI
import Testing

/// Blob endpoints over raw HTTP against the real server.
@Suite("Blob API")
struct BlobAPITests {
    @Test("/v2/ answers 200 with the API version header")
    func base() async throws {
        try await withServer { _, http in
            let r = try await http.request(.GET, "/v2/")
            #expect(r.status == 200)
            #expect(r.header("Docker-Distribution-API-Version") == "registry/2.0")
        }
    }

    @Test("POST then PUT stores a blob that GET and HEAD return with digest and length")
    func monolithic() async throws {
        try await withServer { _, http in
            let bytes = randomBytes(100_000)
            let digest = try await http.pushBlob("library/blobs", bytes)
            let get = try await http.request(.GET, "/v2/library/blobs/blobs/\(digest)")
            #expect(get.status == 200)
            #expect(get.body == bytes)
            #expect(get.header("Docker-Content-Digest") == digest.description)
            let head = try await http.request(.HEAD, "/v2/library/blobs/blobs/\(digest)")
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "100000")
            #expect(head.header("Docker-Content-Digest") == digest.description)
        }
    }

    @Test("single POST with ?digest= stores the blob and answers 201 with Location")
    func singlePost() async throws {
        try await withServer { _, http in
            let bytes = randomBytes(5000)
            let digest = Digest.compute(of: bytes)
            let r = try await http.request(.POST, "/v2/a/b/blobs/uploads/?digest=\(digest)", body: bytes)
            #expect(r.status == 201)
            #expect(r.header("Location") == "/v2/a/b/blobs/\(digest)")
            #expect(try await http.request(.GET, "/v2/a/b/blobs/\(digest)").body == bytes)
        }
    }

    @Test("chunked upload: in-order PATCHes, 416 for an out-of-order chunk, status GET, final PUT with the last chunk")
    func chunked() async throws {
        try await withServer { _, http in
            let bytes = randomBytes(30_000)
            let digest = Digest.compute(of: bytes)
            let start = try await http.request(.POST, "/v2/chunky/blobs/uploads/", headers: [("Content-Length", "0")])
            #expect(start.status == 202)
            var location = try #require(start.header("Location"))

            let first = try await http.request(.PATCH, location, headers: [("Content-Range", "0-9999"), ("Content-Type", "application/octet-stream")], body: Array(bytes[0 ..< 10000]))
            #expect(first.status == 202)
            #expect(first.header("Range") == "0-9999")
            location = try #require(first.header("Location"))

            let outOfOrder = try await http.request(.PATCH, location, headers: [("Content-Range", "20000-29999")], body: Array(bytes[20000 ..< 30000]))
            #expect(outOfOrder.status == 416)
            let overlapping = try await http.request(.PATCH, location, headers: [("Content-Range", "5000-14999")], body: Array(bytes[5000 ..< 15000]))
            #expect(overlapping.status == 416)

            let status = try await http.request(.GET, location)
            #expect(status.status == 204)
            #expect(status.header("Range") == "0-9999")
            #expect(status.header("Location") != nil)

            let second = try await http.request(.PATCH, location, body: Array(bytes[10000 ..< 20000]))
            #expect(second.status == 202)
            #expect(second.header("Range") == "0-19999")

            let done = try await http.request(.PUT, location + "?digest=\(digest)", headers: [("Content-Range", "20000-29999")], body: Array(bytes[20000 ..< 30000]))
            #expect(done.status == 201)
            #expect(done.header("Docker-Content-Digest") == digest.description)
            #expect(try await http.request(.GET, "/v2/chunky/blobs/\(digest)").body == bytes)
            #expect(try await http.request(.GET, location).status == 404)
        }
    }

    @Test("a wrong digest gets DIGEST_INVALID and keeps nothing")
    func wrongDigest() async throws {
        try await withServer { _, http in
            let bytes = randomBytes(1000)
            let claimed = Digest.compute(of: randomBytes(10))
            let start = try await http.request(.POST, "/v2/w/blobs/uploads/")
            let location = try #require(start.header("Location"))
            let r = try await http.request(.PUT, location + "?digest=\(claimed)", body: bytes)
            #expect(r.status == 400)
            #expect(r.errorCode == "DIGEST_INVALID")
            #expect(try await http.request(.HEAD, "/v2/w/blobs/\(claimed)").status == 404)
            #expect(try await http.request(.HEAD, "/v2/w/blobs/\(Digest.compute(of: bytes))").status == 404)
            #expect(try await http.request(.GET, location).status == 404)
        }
    }

    @Test("Range requests give 206 with Content-Range, and 416 when unsatisfiable")
    func ranges() async throws {
        try await withServer { _, http in
            let bytes = randomBytes(1000)
            let digest = try await http.pushBlob("r", bytes)
            let path = "/v2/r/blobs/\(digest)"
            let mid = try await http.request(.GET, path, headers: [("Range", "bytes=100-199")])
            #expect(mid.status == 206)
            #expect(mid.body == Array(bytes[100 ..< 200]))
            #expect(mid.header("Content-Range") == "bytes 100-199/1000")
            let open = try await http.request(.GET, path, headers: [("Range", "bytes=990-")])
            #expect(open.body == Array(bytes[990...]))
            let suffix = try await http.request(.GET, path, headers: [("Range", "bytes=-10")])
            #expect(suffix.status == 206)
            #expect(suffix.body == Array(bytes[990...]))
            let beyond = try await http.request(.GET, path, headers: [("Range", "bytes=5000-")])
            #expect(beyond.status == 416)
            #expect(beyond.header("Content-Range") == "bytes */1000")
        }
    }

    @Test("cross-repository mount: 201 when the source has the blob, 202 otherwise")
    func mount() async throws {
        try await withServer { _, http in
            let digest = try await http.pushBlob("src/repo", randomBytes(2000))
            let mounted = try await http.request(.POST, "/v2/dst/repo/blobs/uploads/?mount=\(digest)&from=src/repo")
            #expect(mounted.status == 201)
            #expect(mounted.header("Location") == "/v2/dst/repo/blobs/\(digest)")
            #expect(try await http.request(.HEAD, "/v2/dst/repo/blobs/\(digest)").status == 200)
            let noFrom = try await http.request(.POST, "/v2/other/blobs/uploads/?mount=\(digest)")
            #expect(noFrom.status == 202)
            let unknownSource = try await http.request(.POST, "/v2/other/blobs/uploads/?mount=\(digest)&from=nowhere")
            #expect(unknownSource.status == 202)
            #expect(unknownSource.header("Location")?.contains("/blobs/uploads/") == true)
            #expect(try await http.request(.HEAD, "/v2/other/blobs/\(digest)").status == 404)
        }
    }

    @Test("a blob is served only from repositories it is linked to")
    func isolation() async throws {
        try await withServer { _, http in
            let digest = try await http.pushBlob("team-a/app", randomBytes(100))
            _ = try await http.pushBlob("team-b/app", randomBytes(100))
            let r = try await http.request(.GET, "/v2/team-b/app/blobs/\(digest)")
            #expect(r.status == 404)
            #expect(r.errorCode == "BLOB_UNKNOWN")
        }
    }

    @Test("DELETE of an upload session and of a blob")
    func deletes() async throws {
        try await withServer { _, http in
            let start = try await http.request(.POST, "/v2/d/blobs/uploads/")
            let location = try #require(start.header("Location"))
            #expect(try await http.request(.DELETE, location).status == 204)
            let gone = try await http.request(.GET, location)
            #expect(gone.status == 404)
            #expect(gone.errorCode == "BLOB_UPLOAD_UNKNOWN")

            let digest = try await http.pushBlob("d", randomBytes(10))
            let kept = try await http.pushBlob("d", randomBytes(11))
            #expect(try await http.request(.DELETE, "/v2/d/blobs/\(digest)").status == 202)
            #expect(try await http.request(.GET, "/v2/d/blobs/\(digest)").status == 404)
            let again = try await http.request(.DELETE, "/v2/d/blobs/\(digest)")
            #expect(again.status == 404)
            #expect(again.errorCode == "BLOB_UNKNOWN")
            // Deleting the last thing in a repository removes the repository.
            #expect(try await http.request(.DELETE, "/v2/d/blobs/\(kept)").status == 202)
            let emptied = try await http.request(.DELETE, "/v2/d/blobs/\(kept)")
            #expect(emptied.status == 404 && emptied.errorCode == "NAME_UNKNOWN")
            #expect(try await http.request(.GET, "/v2/_catalog").json()["repositories"] as? [String] == [])
        }
    }

    @Test("malformed names, digests and upload ids get their OCI error codes")
    func errors() async throws {
        try await withServer { _, http in
            let badName = try await http.request(.GET, "/v2/Upper/Case/tags/list")
            #expect(badName.status == 400)
            #expect(badName.errorCode == "NAME_INVALID")
            let traversal = try await http.request(.GET, "/v2/a/../b/blobs/sha256:\(String(repeating: "a", count: 64))")
            #expect(traversal.status == 400 || traversal.status == 404)
            let badDigest = try await http.request(.GET, "/v2/x/blobs/sha256:xyz")
            #expect(badDigest.status == 400)
            #expect(badDigest.errorCode == "DIGEST_INVALID")
            let badUpload = try await http.request(.GET, "/v2/x/blobs/uploads/..%2F..%2Fetc")
            #expect(badUpload.status == 404)
            #expect(badUpload.errorCode == "BLOB_UPLOAD_UNKNOWN")
            let unknownBlob = try await http.request(.GET, "/v2/x/blobs/sha256:\(String(repeating: "0", count: 64))")
            #expect(unknownBlob.status == 404)
            #expect(unknownBlob.header("Docker-Distribution-API-Version") == "registry/2.0")
            let missingDigest = try await http.request(.POST, "/v2/x/blobs/uploads/")
            let loc = try #require(missingDigest.header("Location"))
            let noDigest = try await http.request(.PUT, loc, body: [1, 2, 3])
            #expect(noDigest.status == 400)
            #expect(noDigest.errorCode == "DIGEST_INVALID")
        }
    }
}

extension BlobAPITests {
    @Test("a client that sends Expect: 100-continue gets 100 Continue before it sends the body")
    func expectContinue() async throws {
        try await withServer { server, http in
            let start = try await http.request(.POST, "/v2/expect/blobs/uploads/")
            let location = try #require(start.header("Location"))
            let script = RealClientTests.scriptsDirectory + "/expect_continue.py"
            let result = try await ProcessRunner.run(["python3", script, "127.0.0.1", String(server.port), location], timeout: 30)
            try #require(result.succeeded, "\(result.combined)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "HTTP/1.1 100 Continue")
            #expect(lines.last == "HTTP/1.1 202 Accepted")
        }
    }
}
