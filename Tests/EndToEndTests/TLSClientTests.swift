import AsyncHTTPClient
import Foundation
import OCI
import Testing

/// HTTPS with the CA Berth generates, trusted the way a node trusts it: `berth trust` with the fingerprint the server
/// printed, then real clients with certificate verification on, reading only the files `berth trust` wrote.
@Suite("HTTPS with the generated CA and real clients")
struct TLSClientTests {
    static func berth(_ arguments: [String]) async throws -> CommandResult {
        try await ProcessRunner.run([BerthInstance.binaryPath] + arguments, timeout: 120)
    }

    @Test("berth trust installs the CA after checking its fingerprint; skopeo, buildah, podman and containerd push and pull with verification on")
    func realClientsTrustTheGeneratedCA() async throws {
        let work = try TemporaryDirectory("tls-clients")
        defer { work.remove() }
        let server = try await BerthInstance.start(authentication: true, extraArguments: ["--tls-generate"])
        defer { Task { await server.destroy() } }
        #expect(server.scheme == "https")
        let fingerprint = try #require(server.caFingerprint)
        let root = work.file("node")

        // A wrong fingerprint is refused and nothing is written.
        let wrong = try await Self.berth(["trust", server.baseURL, "--fingerprint", "sha256:" + String(repeating: "ab", count: 32), "--root", root, "--runtime", "all"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("refusing"))
        #expect(!FileManager.default.fileExists(atPath: root + "/etc"))

        // The right one installs the CA for every runtime; running again changes nothing.
        let trusted = try await Self.berth(["trust", server.baseURL, "--fingerprint", fingerprint, "--root", root, "--runtime", "all"])
        #expect(trusted.succeeded, "\(trusted.combined)")
        let registry = server.hostPort
        for path in ["/etc/containerd/certs.d/\(registry)/ca.crt", "/etc/containerd/certs.d/\(registry)/hosts.toml",
                     "/etc/docker/certs.d/\(registry)/ca.crt", "/etc/containers/certs.d/\(registry)/ca.crt"] {
            #expect(trusted.stdout.contains("wrote \(root)\(path)"), "\(path): \(trusted.stdout)")
        }
        // The system trust store too, in the layout found under the root (Debian's here); outside / it says what to run.
        let systemRoot = work.file("debian-root")
        try FileManager.default.createDirectory(atPath: systemRoot + "/usr/local/share/ca-certificates", withIntermediateDirectories: true)
        let system = try await Self.berth(["trust", server.baseURL, "--fingerprint", fingerprint, "--root", systemRoot, "--system"])
        #expect(system.succeeded, "\(system.combined)")
        #expect(system.stdout.contains("wrote \(systemRoot)/usr/local/share/ca-certificates/berth-127.0.0.1_\(server.port).crt"), "\(system.stdout)")
        #expect(system.stdout.contains("run update-ca-certificates inside \(systemRoot)"))
        // Nothing to install into: no runtime found and none named.
        let nothing = try await Self.berth(["trust", server.baseURL, "--fingerprint", fingerprint, "--root", work.file("empty-root")])
        #expect(!nothing.succeeded)
        #expect(nothing.stderr.contains("no container runtime found"), "\(nothing.stderr)")
        let again = try await Self.berth(["trust", "https://\(registry)/", "--fingerprint", fingerprint.uppercased().replacingOccurrences(of: "SHA256:", with: ""),
                                          "--root", root, "--runtime", "all"])
        #expect(again.succeeded)
        #expect(!again.stdout.contains("wrote "), "\(again.stdout)")

        // The installed CA is what the server hands out anonymously, and what `berth ca fingerprint` shows for its database.
        let caPEM = try String(contentsOfFile: root + "/etc/containers/certs.d/\(registry)/ca.crt", encoding: .utf8)
        let client = try TestTLS.client(trusting: caPEM)
        defer { Task { try? await client.shutdown() } }
        let http = RegistryHTTP(base: server.baseURL, client: client)
        let download = try await http.request(.GET, "/api/v2.0/systeminfo/getcert")
        #expect(download.status == 200)
        #expect(download.text == caPEM)
        #expect(download.header("Content-Disposition") == "attachment; filename=ca.crt")
        // The portal's account page offers the same download, with the trust command.
        let browser = try TestTLS.client(trusting: caPEM, followRedirects: false)
        defer { Task { try? await browser.shutdown() } }
        let portal = RegistryHTTP(base: server.baseURL, client: browser)
        let session = try await PortalTests.session(portal, "admin", BerthInstance.adminPassword)
        let account = try await portal.request(.GET, "/harbor/account", headers: [session.cookie])
        #expect(account.status == 200 && account.text.contains(#"href="/api/v2.0/systeminfo/getcert""#)
                && account.text.contains("berth trust \(server.baseURL) --fingerprint \(fingerprint)"), "\(account.status)")
        // So does About, for anyone (the CA is public), with the fingerprint to compare.
        let about = try await portal.request(.GET, "/harbor/about")
        #expect(about.status == 200 && about.text.contains(#"id="about-ca-download""#) && about.text.contains(">\(fingerprint)</code>"), "\(about.status)")
        let shown = try await Self.berth(["ca", "fingerprint", "--data-dir", server.dataDirectory, "--tls-generate"])
        #expect(shown.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == fingerprint)
        // URLs the server gives out name https.
        let challenge = try await http.request(.GET, "/v2/")
        #expect(challenge.header("WWW-Authenticate")?.hasPrefix("Bearer realm=\"https://\(registry)/service/token\"") == true)
        let info = try await AccessClient(http: http, account: .basic("admin", BerthInstance.adminPassword)).api(.GET, "/systeminfo").json()
        #expect(info["external_url"] as? String == "https://\(registry)")
        #expect(info["has_ca_root"] as? Bool == true)

        let creds = "admin:\(BerthInstance.adminPassword)"
        let certDir = root + "/etc/containers/certs.d/\(registry)"
        _ = try OCILayoutWriter.write(to: work.file("image"), tag: "v1", layerSizes: [200_000, 50_000])

        // skopeo: push and pull back, verifying the server with the installed CA only.
        let push = try await ProcessRunner.run(["skopeo", "copy", "--dest-creds", creds, "--dest-cert-dir", certDir,
                                                "oci:\(work.file("image")):v1", "docker://\(registry)/library/tls-app:v1"])
        #expect(push.succeeded, "\(push.stderr)")
        let pull = try await ProcessRunner.run(["skopeo", "copy", "--src-creds", creds, "--src-cert-dir", certDir,
                                                "docker://\(registry)/library/tls-app:v1", "oci:\(work.file("back")):v1"])
        #expect(pull.succeeded, "\(pull.stderr)")
        #expect(try OCILayoutWriter.blobDigests(in: work.file("back")) == OCILayoutWriter.blobDigests(in: work.file("image")))
        // Without the CA the same client refuses the server.
        let untrusted = try await ProcessRunner.run(["skopeo", "inspect", "--creds", creds, "--cert-dir", work.path, "docker://\(registry)/library/tls-app:v1"])
        #expect(!untrusted.succeeded)
        #expect(untrusted.stderr.contains("certificate"), "\(untrusted.stderr)")

        // buildah and podman (containers' certs.d layout).
        for tool in ["buildah", "podman"] where ProcessRunner.available(tool) {
            let storage = ["--root", work.file("\(tool)-root"), "--runroot", work.file("\(tool)-runroot"), "--storage-driver", "vfs"]
            let pulled = try await ProcessRunner.run([tool] + storage + ["pull", "--cert-dir", certDir, "--creds", creds, "\(registry)/library/tls-app:v1"])
            #expect(pulled.succeeded, "\(tool) pull: \(pulled.stderr)")
            let tagged = try await ProcessRunner.run([tool] + storage + ["tag", "\(registry)/library/tls-app:v1", "\(registry)/library/tls-app:\(tool)"])
            #expect(tagged.succeeded, "\(tool) tag: \(tagged.stderr)")
            let pushed = try await ProcessRunner.run([tool] + storage + ["push", "--cert-dir", certDir, "--creds", creds, "\(registry)/library/tls-app:\(tool)"])
            #expect(pushed.succeeded, "\(tool) push: \(pushed.stderr)")
            let tags = try await http.request(.GET, "/v2/library/tls-app/tags/list", headers: [("Authorization", "Basic " + Data(creds.utf8).base64EncodedString())])
            #expect(tags.text.contains("\"\(tool)\""), "\(tags.text)")
            _ = try? await ProcessRunner.run([tool] + storage + ["rmi", "--all", "--force"])
        }
        #expect(ProcessRunner.available("podman"), "podman is not installed (scripts/install-deps --test installs it)")

        // containerd pulls through the hosts.toml and ca.crt that berth trust wrote.
        let containerd = try await TestContainerd.start()
        defer { Task { await containerd.stop() } }
        let ctr = try await containerd.ctr(["images", "pull", "--hosts-dir", root + "/etc/containerd/certs.d", "--user", creds, "\(registry)/library/tls-app:v1"])
        #expect(ctr.succeeded, "\(ctr.combined)")
        let refused = try await containerd.ctr(["images", "pull", "--user", creds, "\(registry)/library/tls-app:v1"])
        #expect(!refused.succeeded, "containerd without the CA must refuse the server")
    }
}
