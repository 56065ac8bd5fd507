import Foundation
import OCI
import Testing

/// Manifest, tag and referrer endpoints over raw HTTP against the real server.
@Suite("Manifest API")
struct ManifestAPITests {
    /// Pushes a config and a layer and returns a manifest that references them.
    func image(_ http: RegistryHTTP, _ repo: String, artifactType: String? = nil, subject: [String: Any]? = nil,
               annotations: [String: String]? = nil, configMediaType: String = "application/vnd.oci.image.config.v1+json") async throws -> [UInt8] {
        let config = Array("{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":\(Int.random(in: 0 ... 1_000_000))}".utf8)
        let layer = randomBytes(500)
        try await http.pushBlob(repo, config)
        try await http.pushBlob(repo, layer)
        return ManifestBuilder.image(config: config, layers: [layer], artifactType: artifactType, subject: subject,
                                     annotations: annotations, configMediaType: configMediaType)
    }

    @Test("PUT by tag stores the exact bytes; GET and HEAD by tag and digest return them with type and digest")
    func roundTrip() async throws {
        try await withServer { _, http in
            let manifest = try await image(http, "library/app")
            let digest = Digest.compute(of: manifest)
            let put = try await http.pushManifest("library/app", "v1", manifest)
            #expect(put.status == 201)
            #expect(put.header("Location") == "/v2/library/app/manifests/\(digest)")
            #expect(put.header("Docker-Content-Digest") == digest.description)
            for ref in ["v1", digest.description] {
                let get = try await http.request(.GET, "/v2/library/app/manifests/\(ref)", headers: [("Accept", MediaType.ociManifest)])
                #expect(get.status == 200)
                #expect(get.body == manifest)
                #expect(get.header("Content-Type") == MediaType.ociManifest)
                #expect(get.header("Docker-Content-Digest") == digest.description)
                let head = try await http.request(.HEAD, "/v2/library/app/manifests/\(ref)")
                #expect(head.status == 200)
                #expect(head.header("Content-Length") == String(manifest.count))
            }
            let byDigest = try await http.pushManifest("library/app", digest.description, manifest)
            #expect(byDigest.status == 201)
            // As a blob too, since manifests are content-addressed bytes.
            #expect(try await http.request(.GET, "/v2/library/app/blobs/\(digest)").body == manifest)
        }
    }

    @Test("bad manifests: wrong digest, unknown blobs, schema 1, invalid JSON, too large, malformed reference")
    func rejected() async throws {
        try await withServer { _, http in
            let manifest = try await image(http, "bad")
            let wrong = try await http.pushManifest("bad", Digest.compute(of: [1]).description, manifest)
            #expect(wrong.status == 400)
            #expect(wrong.errorCode == "DIGEST_INVALID")

            let missing = ManifestBuilder.image(config: randomBytes(10), layers: [randomBytes(10)])
            let unknown = try await http.pushManifest("bad", "missing", missing)
            #expect(unknown.status == 400)
            #expect(unknown.errorCode == "MANIFEST_BLOB_UNKNOWN")

            let schema1 = Array(#"{"schemaVersion":1,"name":"bad","tag":"x","fsLayers":[]}"#.utf8)
            let s1 = try await http.pushManifest("bad", "s1", schema1, mediaType: MediaType.dockerSchema1Signed)
            #expect(s1.status == 400)
            #expect(s1.errorCode == "MANIFEST_INVALID")
            #expect(s1.text.contains("schema 1"))

            let junk = try await http.pushManifest("bad", "junk", Array("not json".utf8))
            #expect(junk.status == 400)
            #expect(junk.errorCode == "MANIFEST_INVALID")

            let huge = try await http.pushManifest("bad", "huge", [UInt8](repeating: 0x20, count: 4 * 1024 * 1024 + 10))
            #expect(huge.status == 413)

            let totallyWrong = try await http.pushManifest("bad", "sha256:totallywrong", Array("{}".utf8))
            #expect(totallyWrong.status == 400)
            #expect(["DIGEST_INVALID", "MANIFEST_INVALID"].contains(totallyWrong.errorCode ?? ""))

            let badTag = try await http.pushManifest("bad", "-nope", manifest)
            #expect(badTag.status == 400)
            #expect(badTag.errorCode == "TAG_INVALID")

            #expect(try await http.request(.GET, "/v2/bad/tags/list").json()["tags"] as? [String] == [])
        }
    }

    @Test("image index: children must exist; Docker manifest list and Accept negotiation")
    func index() async throws {
        try await withServer { _, http in
            let child = try await image(http, "multi")
            let childDigest = Digest.compute(of: child)
            let indexObject: [String: Any] = [
                "schemaVersion": 2, "mediaType": MediaType.ociIndex,
                "manifests": [["mediaType": MediaType.ociManifest, "digest": childDigest.description, "size": child.count,
                               "platform": ["architecture": "amd64", "os": "linux"]]],
            ]
            let index = Array(try JSONSerialization.data(withJSONObject: indexObject))
            let early = try await http.pushManifest("multi", "latest", index, mediaType: MediaType.ociIndex)
            #expect(early.status == 400)
            #expect(early.errorCode == "MANIFEST_BLOB_UNKNOWN")
            #expect(try await http.pushManifest("multi", childDigest.description, child).status == 201)
            #expect(try await http.pushManifest("multi", "latest", index, mediaType: MediaType.ociIndex).status == 201)
            let get = try await http.request(.GET, "/v2/multi/manifests/latest", headers: [("Accept", "\(MediaType.ociManifest), \(MediaType.ociIndex)")])
            #expect(get.header("Content-Type") == MediaType.ociIndex)
            let notAccepted = try await http.request(.GET, "/v2/multi/manifests/latest", headers: [("Accept", MediaType.dockerManifest)])
            #expect(notAccepted.status == 404)
            #expect(notAccepted.errorCode == "MANIFEST_UNKNOWN")
        }
    }

    @Test("tags are listed in lexical order and paged with n, last and Link")
    func tagPaging() async throws {
        try await withServer { _, http in
            let manifest = try await image(http, "paged")
            let tags = ["b", "A", "c", "a", "1.0", "latest", "Z9"]
            for t in tags { #expect(try await http.pushManifest("paged", t, manifest).status == 201) }
            let all = try await http.request(.GET, "/v2/paged/tags/list")
            #expect(all.status == 200)
            let expected = ["1.0", "A", "a", "b", "c", "latest", "Z9"]
            #expect(try all.json()["tags"] as? [String] == expected)
            #expect(try all.json()["name"] as? String == "paged")

            var collected: [String] = []
            var next: String? = "/v2/paged/tags/list?n=3"
            while let path = next {
                let page = try await http.request(.GET, path)
                collected += try page.json()["tags"] as? [String] ?? []
                next = page.header("Link").flatMap { link in
                    link.split(separator: ";").first.map { String($0.dropFirst().dropLast()) }
                }
            }
            #expect(collected == expected)

            let afterB = try await http.request(.GET, "/v2/paged/tags/list?last=b&n=2")
            #expect(try afterB.json()["tags"] as? [String] == ["c", "latest"])
            let zero = try await http.request(.GET, "/v2/paged/tags/list?n=0")
            #expect(try zero.json()["tags"] as? [String] == [])
            #expect(zero.header("Link") == nil)
            let badN = try await http.request(.GET, "/v2/paged/tags/list?n=-1")
            #expect(badN.status == 400)

            let unknown = try await http.request(.GET, "/v2/nothing/here/tags/list")
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "NAME_UNKNOWN")
        }
    }

    @Test("the catalog lists repositories in order with n/last paging")
    func catalog() async throws {
        try await withServer { _, http in
            for name in ["zeta", "alpha/one", "alpha/two", "mid"] { try await http.pushBlob(name, randomBytes(5)) }
            let first = try await http.request(.GET, "/v2/_catalog?n=2")
            #expect(try first.json()["repositories"] as? [String] == ["alpha/one", "alpha/two"])
            #expect(first.header("Link")?.contains("last=alpha%2Ftwo") == true)
            let rest = try await http.request(.GET, "/v2/_catalog?n=10&last=alpha/two")
            #expect(try rest.json()["repositories"] as? [String] == ["mid", "zeta"])
            #expect(rest.header("Link") == nil)
        }
    }

    @Test("referrers: subject may not exist yet, OCI-Subject header, artifactType filter, annotations, always 200")
    func referrers() async throws {
        try await withServer { _, http in
            let subjectManifest = try await image(http, "refs")
            let subjectDigest = Digest.compute(of: subjectManifest)
            let subject: [String: Any] = ["mediaType": MediaType.ociManifest, "digest": subjectDigest.description, "size": subjectManifest.count]

            let sbom = try await image(http, "refs", artifactType: "application/vnd.example.sbom", subject: subject, annotations: ["kind": "sbom"])
            let put = try await http.pushManifest("refs", Digest.compute(of: sbom).description, sbom)
            #expect(put.status == 201)
            #expect(put.header("OCI-Subject") == subjectDigest.description)
            let sig = try await image(http, "refs", subject: subject, configMediaType: "application/vnd.example.signature.config")
            #expect(try await http.pushManifest("refs", Digest.compute(of: sig).description, sig).status == 201)

            // The subject itself arrives after its referrers.
            #expect(try await http.pushManifest("refs", "v1", subjectManifest).status == 201)

            let all = try await http.request(.GET, "/v2/refs/referrers/\(subjectDigest)")
            #expect(all.status == 200)
            #expect(all.header("Content-Type") == MediaType.ociIndex)
            let manifests = try all.json()["manifests"] as? [[String: Any]] ?? []
            #expect(manifests.count == 2)
            let types = Set(manifests.compactMap { $0["artifactType"] as? String })
            #expect(types == ["application/vnd.example.sbom", "application/vnd.example.signature.config"])
            let sbomEntry = manifests.first { $0["artifactType"] as? String == "application/vnd.example.sbom" }
            #expect((sbomEntry?["annotations"] as? [String: String])?["kind"] == "sbom")
            #expect(sbomEntry?["size"] as? Int == sbom.count)

            let filtered = try await http.request(.GET, "/v2/refs/referrers/\(subjectDigest)?artifactType=application/vnd.example.sbom")
            #expect(filtered.header("OCI-Filters-Applied") == "artifactType")
            #expect((try filtered.json()["manifests"] as? [[String: Any]])?.count == 1)

            let none = try await http.request(.GET, "/v2/unknown-repo/referrers/\(subjectDigest)")
            #expect(none.status == 200)
            #expect((try none.json()["manifests"] as? [Any])?.isEmpty == true)
            let invalid = try await http.request(.GET, "/v2/refs/referrers/sha256:nothex")
            #expect(invalid.status == 400)
        }
    }

    @Test("DELETE by tag removes only the tag; DELETE by digest removes the manifest and its tags")
    func deletion() async throws {
        try await withServer { _, http in
            let manifest = try await image(http, "del")
            let digest = Digest.compute(of: manifest)
            #expect(try await http.pushManifest("del", "one", manifest).status == 201)
            #expect(try await http.pushManifest("del", "two", manifest).status == 201)
            #expect(try await http.request(.DELETE, "/v2/del/manifests/one").status == 202)
            #expect(try await http.request(.GET, "/v2/del/manifests/one").status == 404)
            #expect(try await http.request(.GET, "/v2/del/manifests/two").status == 200)
            #expect(try await http.request(.DELETE, "/v2/del/manifests/\(digest)").status == 202)
            let gone = try await http.request(.GET, "/v2/del/manifests/two")
            #expect(gone.status == 404)
            #expect(gone.errorCode == "MANIFEST_UNKNOWN")
            #expect(try await http.request(.GET, "/v2/del/manifests/\(digest)").status == 404)
            let again = try await http.request(.DELETE, "/v2/del/manifests/one")
            #expect(again.status == 404)
            #expect(again.errorCode == "MANIFEST_UNKNOWN")
        }
    }
}
