import Foundation
import OCI
import Testing

/// skopeo, buildah and oras against the real `berth` binary.
@Suite("Real clients")
struct RealClientTests {
    static let scriptsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts").path

    func skopeo(_ args: [String]) async throws -> CommandResult {
        let result = try await ProcessRunner.run(["skopeo"] + args)
        if !result.succeeded { Issue.record("skopeo \(args.joined(separator: " ")) failed: \(result.stderr)") }
        return result
    }

    @Test("skopeo copies a multi-layer image in and back out with identical digests, lists tags, inspects and deletes")
    func skopeoRoundTrip() async throws {
        let work = try TemporaryDirectory("skopeo")
        defer { work.remove() }
        try await withServer { server, http in
            let layout = try OCILayoutWriter.write(to: work.file("in"), tag: "v1", layerSizes: [200_000, 3_000_000, 1000])
            let ref = "docker://\(server.hostPort)/library/skopeo-test"
            _ = try await skopeo(["copy", "--dest-tls-verify=false", "oci:\(work.file("in")):v1", "\(ref):v1"])
            _ = try await skopeo(["copy", "--dest-tls-verify=false", "oci:\(work.file("in")):v1", "\(ref):v2"])

            let raw = try await skopeo(["inspect", "--tls-verify=false", "--raw", "\(ref):v1"])
            #expect(Digest.compute(of: Array(raw.stdout.utf8)) == layout.topDigest)

            _ = try await skopeo(["copy", "--src-tls-verify=false", "\(ref):v1", "oci:\(work.file("out")):v1"])
            #expect(try OCILayoutWriter.blobDigests(in: work.file("out")) == layout.blobs)

            let tags = try await skopeo(["list-tags", "--tls-verify=false", ref])
            let listed = try JSONSerialization.jsonObject(with: Data(tags.stdout.utf8)) as? [String: Any]
            #expect(listed?["Tags"] as? [String] == ["v1", "v2"])

            _ = try await skopeo(["delete", "--tls-verify=false", "\(ref):v1"])
            let after = try await ProcessRunner.run(["skopeo", "inspect", "--tls-verify=false", "--raw", "\(ref):v1"])
            #expect(!after.succeeded)
            // Deleting by digest removes every tag of that manifest, as with distribution.
            #expect(try await http.request(.GET, "/v2/library/skopeo-test/manifests/v2").status == 404)
        }
    }

    @Test("skopeo copy --all pushes a multi-arch index and keeps its digest")
    func skopeoMultiArch() async throws {
        let work = try TemporaryDirectory("skopeo-all")
        defer { work.remove() }
        try await withServer { server, http in
            let layout = try OCILayoutWriter.write(to: work.file("in"), tag: "multi", layerSizes: [50_000, 70_000],
                                                   platforms: ["linux/amd64", "linux/arm64", "linux/s390x"])
            let ref = "docker://\(server.hostPort)/multi/arch"
            _ = try await skopeo(["copy", "--all", "--dest-tls-verify=false", "oci:\(work.file("in")):multi", "\(ref):latest"])
            let head = try await http.request(.HEAD, "/v2/multi/arch/manifests/latest", headers: [("Accept", MediaType.ociIndex)])
            #expect(head.header("Docker-Content-Digest") == layout.topDigest.description)
            #expect(head.header("Content-Type") == MediaType.ociIndex)
            let arm = try await skopeo(["inspect", "--tls-verify=false", "--override-arch", "arm64", "\(ref):latest"])
            #expect(arm.stdout.contains("\"Architecture\": \"arm64\""))
            _ = try await skopeo(["copy", "--all", "--src-tls-verify=false", "\(ref):latest", "oci:\(work.file("out")):multi"])
            #expect(try OCILayoutWriter.blobDigests(in: work.file("out")) == layout.blobs)
        }
    }

    @Test("buildah pushes an image it built from scratch and pulls it back")
    func buildah() async throws {
        let work = try TemporaryDirectory("buildah")
        defer { work.remove() }
        let storage = ["--root", work.file("root"), "--runroot", work.file("runroot"), "--storage-driver", "vfs"]
        func buildah(_ args: [String]) async throws -> CommandResult {
            let result = try await ProcessRunner.run(["buildah"] + storage + args)
            if !result.succeeded { Issue.record("buildah \(args.joined(separator: " ")) failed: \(result.stderr)") }
            return result
        }
        try await withServer { server, http in
            try Data(randomBytes(300_000)).write(to: URL(fileURLWithPath: work.file("payload.bin")))
            try Data("#!/bin/sh\necho hello from berth\n".utf8).write(to: URL(fileURLWithPath: work.file("hello.sh")))
            let container = try await buildah(["from", "scratch"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            _ = try await buildah(["copy", container, work.file("payload.bin"), "/data/payload.bin"])
            _ = try await buildah(["copy", container, work.file("hello.sh"), "/hello.sh"])
            _ = try await buildah(["config", "--entrypoint", "[\"/hello.sh\"]", "--label", "built-by=berth-tests", container])
            _ = try await buildah(["commit", "--format", "oci", container, "localhost/berth-built:1"])
            let remote = "docker://\(server.hostPort)/builds/hello:1"
            _ = try await buildah(["push", "--tls-verify=false", "localhost/berth-built:1", remote])
            let tags = try await http.request(.GET, "/v2/builds/hello/tags/list")
            #expect(try tags.json()["tags"] as? [String] == ["1"])

            _ = try await buildah(["rm", "--all"])
            _ = try await buildah(["rmi", "--all", "--force"])
            _ = try await buildah(["pull", "--tls-verify=false", "\(server.hostPort)/builds/hello:1"])
            let inspect = try await buildah(["inspect", "--type", "image", "\(server.hostPort)/builds/hello:1"])
            #expect(inspect.stdout.contains("berth-tests"))
            let pulled = try await buildah(["from", "\(server.hostPort)/builds/hello:1"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let mount = try await buildah(["mount", pulled]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let payload = try Data(contentsOf: URL(fileURLWithPath: mount + "/data/payload.bin"))
            let original = try Data(contentsOf: URL(fileURLWithPath: work.file("payload.bin")))
            #expect(payload == original)
            _ = try await buildah(["umount", pulled])
            _ = try await buildah(["rm", "--all"])
            _ = try await buildah(["rmi", "--all", "--force"])
        }
    }

    @Test("oras pushes an artifact with artifactType and subject; the referrers API lists and filters it")
    func orasReferrers() async throws {
        let work = try TemporaryDirectory("oras")
        defer { work.remove() }
        try await withServer { server, http in
            let script = Self.scriptsDirectory + "/oras_push_referrer.py"
            let result = try await ProcessRunner.run(["python3", script, server.hostPort, "artifacts/app", work.path])
            try #require(result.succeeded, "oras script failed: \(result.combined)")
            let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
            let pushed = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
            let subject = try #require(pushed["subject"])
            #expect(pushed["ociSubject"] == subject)

            let all = try await http.request(.GET, "/v2/artifacts/app/referrers/\(subject)")
            let manifests = try all.json()["manifests"] as? [[String: Any]] ?? []
            #expect(manifests.count == 1)
            #expect(manifests.first?["digest"] as? String == pushed["referrer"])
            #expect(manifests.first?["artifactType"] as? String == "application/vnd.cyclonedx+json")
            #expect((manifests.first?["annotations"] as? [String: String])?["org.example.kind"] == "sbom")

            let match = try await http.request(.GET, "/v2/artifacts/app/referrers/\(subject)?artifactType=application%2Fvnd.cyclonedx%2Bjson")
            #expect(match.header("OCI-Filters-Applied") == "artifactType")
            #expect((try match.json()["manifests"] as? [Any])?.count == 1)
            let other = try await http.request(.GET, "/v2/artifacts/app/referrers/\(subject)?artifactType=application%2Fvnd.example.signature")
            #expect((try other.json()["manifests"] as? [Any])?.isEmpty == true)
        }
    }
}
