import AsyncHTTPClient
import Foundation
import OCI
import Testing

/// HTTPS as an operator runs it: their own openssl chain (served whole, replaced without a restart), files that
/// cannot be used, client certificates, HTTP/2, a plain port that redirects, and input that is not TLS at all.
@Suite("HTTPS serving")
struct TLSServingTests {
    static func caPEM(_ file: String) throws -> String { try String(contentsOfFile: file, encoding: .utf8) }

    @Test("an openssl chain is served whole; replaced files switch new connections without a restart, SIGHUP at once, and open transfers finish")
    func operatorChainAndReload() async throws {
        let chain = try await TestTLS.opensslChain(leafName: "leaf-1")
        defer { chain.directory.remove() }
        let server = try await BerthInstance.start(extraArguments: ["--tls-certificate", chain.chain, "--tls-key", chain.key],
                                                   environment: ["BERTH_TLS_RELOAD_INTERVAL_SECONDS": "1"])
        defer { Task { await server.destroy() } }
        #expect(server.scheme == "https")
        // Leaf and intermediate are presented; the operator's root verifies them.
        let first = try await TestTLS.presentedSubjects(port: server.port, caFile: chain.root)
        #expect(first.subjects.count == 2, "\(first.subjects)")
        #expect(first.subjects.first?.contains("leaf-1") == true)
        #expect(first.subjects.last?.contains("Test Intermediate CA") == true)
        #expect(first.verified)
        // getcert hands out the top of the chain file (the intermediate, which is what the file holds).
        let client = try TestTLS.client(trusting: try Self.caPEM(chain.root))
        defer { Task { try? await client.shutdown() } }
        let http = RegistryHTTP(base: server.baseURL, client: client)
        let handedOut = try await http.request(.GET, "/api/v2.0/systeminfo/getcert")
        #expect(handedOut.status == 200)
        #expect(handedOut.text.contains("BEGIN CERTIFICATE"))

        // A slow download that is running while the certificate changes finishes on its connection.
        let blob = randomBytes(3 << 20)
        let digest = try await http.pushBlob("library/slow", blob)
        let slow = Task {
            try await ProcessRunner.run(["curl", "-sS", "--cacert", chain.root, "--limit-rate", "600K", "-o", chain.directory.file("slow.bin"), "-w", "%{http_code}",
                                         "\(server.baseURL)/v2/library/slow/blobs/\(digest)"], timeout: 60)
        }
        try await Task.sleep(for: .milliseconds(500))
        try await TestTLS.issueLeaf(chain, name: "leaf-2", rsa: false)
        var switched = false
        for _ in 0 ..< 50 where !switched {
            try await Task.sleep(for: .milliseconds(200))
            switched = try await TestTLS.presentedSubjects(port: server.port, caFile: chain.root).subjects.first?.contains("leaf-2") == true
        }
        #expect(switched, "new connections still get the old certificate")
        let download = try await slow.value
        #expect(download.succeeded && download.stdout == "200", "\(download.combined)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: chain.directory.file("slow.bin"))) == Data(blob))

        // A broken replacement is refused and the last good certificate stays.
        try "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n".write(toFile: chain.key, atomically: true, encoding: .utf8)
        try await Task.sleep(for: .seconds(2.5))
        let afterBroken = try await TestTLS.presentedSubjects(port: server.port, caFile: chain.root)
        #expect(afterBroken.verified && afterBroken.subjects.first?.contains("leaf-2") == true)
        let log = try String(contentsOfFile: server.logPath, encoding: .utf8)
        #expect(log.contains("cannot load the new TLS certificate"))
    }

    @Test("SIGHUP reloads certificate files at once")
    func sighupReloads() async throws {
        let chain = try await TestTLS.opensslChain(leafName: "hup-1")
        defer { chain.directory.remove() }
        let server = try await BerthInstance.start(extraArguments: ["--tls-certificate", chain.chain, "--tls-key", chain.key],
                                                   environment: ["BERTH_TLS_RELOAD_INTERVAL_SECONDS": "3600"])
        defer { Task { await server.destroy() } }
        try await TestTLS.issueLeaf(chain, name: "hup-2")
        try await Task.sleep(for: .seconds(1))
        #expect(try await TestTLS.presentedSubjects(port: server.port).subjects.first?.contains("hup-1") == true)
        kill(server.pid, SIGHUP)
        var switched = false
        for _ in 0 ..< 25 where !switched {
            try await Task.sleep(for: .milliseconds(200))
            switched = try await TestTLS.presentedSubjects(port: server.port).subjects.first?.contains("hup-2") == true
        }
        #expect(switched)
        #expect(kill(server.pid, 0) == 0, "SIGHUP must not stop the server")
    }

    @Test("certificate files that cannot be used stop the server with the file and the reason")
    func unusableFilesStopTheServer() async throws {
        let chain = try await TestTLS.opensslChain()
        defer { chain.directory.remove() }
        let dir = chain.directory
        try await TestTLS.run(["openssl", "pkey", "-in", "leaf.key", "-aes256", "-passout", "pass:secret", "-out", "encrypted.key"], in: dir)
        try await TestTLS.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.csr", "-subj", "/CN=other"], in: dir)
        let expired = try TestTLS.clientCertificate(in: dir, name: "expired-server", expired: true)
        let cases: [(certificate: String, key: String, expected: [String])] = [
            (chain.chain, dir.file("encrypted.key"), ["encrypted.key", "encrypted"]),
            (chain.chain, dir.file("other.key"), ["other.key", "does not belong"]),
            (chain.chain, dir.file("missing.key"), ["missing.key", "no such file"]),
            (expired.certificate, expired.key, ["expired-server.pem", "expired"]),
            (dir.file("leaf.csr"), chain.key, ["leaf.csr", "no PEM certificate"]),
        ]
        for (certificate, key, expected) in cases {
            let data = try TemporaryDirectory("berth-bad-tls")
            defer { data.remove() }
            let result = try await ProcessRunner.run([BerthInstance.binaryPath, "serve", "--port", "0", "--data-dir", data.path,
                                                      "--tls-certificate", certificate, "--tls-key", key], timeout: 60)
            #expect(!result.succeeded)
            for text in expected { #expect(result.stderr.contains(text), "\(text) not in: \(result.stderr)") }
            #expect(!result.stdout.contains("listening"))
        }
    }

    @Test("mutual TLS: require refuses a client without a certificate or with an expired one and accepts one from the client CA; verify-if-given lets anonymous clients in")
    func mutualTLS() async throws {
        let dir = try TemporaryDirectory("mtls")
        defer { dir.remove() }
        let good = try TestTLS.clientCertificate(in: dir, name: "node-1")
        let expired = try TestTLS.clientCertificate(in: dir, name: "node-old", expired: true, authority: good.authority)
        let stranger = try TestTLS.clientCertificate(in: dir, name: "stranger")
        for mode in ["require", "verify-if-given"] {
            let server = try await BerthInstance.start(extraArguments: ["--tls-generate", "--tls-client-ca", good.caFile, "--tls-client-auth", mode])
            defer { Task { await server.destroy() } }
            let ca = dir.file("server-ca-\(mode).pem")
            let download = try await ProcessRunner.run(["curl", "-sSk", "-o", ca, "-w", "%{http_code}", "--cert", good.certificate, "--key", good.key,
                                                        "\(server.baseURL)/api/v2.0/systeminfo/getcert"])
            #expect(download.stdout == "200", "\(download.combined)")
            func curl(_ extra: [String]) async throws -> CommandResult {
                try await ProcessRunner.run(["curl", "-sS", "--cacert", ca, "-o", "/dev/null", "-w", "%{http_code}"] + extra + ["\(server.baseURL)/v2/"])
            }
            let withCertificate = try await curl(["--cert", good.certificate, "--key", good.key])
            #expect(withCertificate.stdout == "200", "\(mode): \(withCertificate.combined)")
            let without = try await curl([])
            #expect(without.succeeded == (mode == "verify-if-given"), "\(mode) without a certificate: \(without.combined)")
            let old = try await curl(["--cert", expired.certificate, "--key", expired.key])
            #expect(!old.succeeded, "\(mode) with an expired certificate: \(old.combined)")
            let unknown = try await curl(["--cert", stranger.certificate, "--key", stranger.key])
            #expect(!unknown.succeeded, "\(mode) with a certificate from another CA: \(unknown.combined)")
            // The refusals did not hurt the server.
            #expect(try await curl(["--cert", good.certificate, "--key", good.key]).stdout == "200")
        }
    }

    /// Berth on the generated CA with a plain listener that redirects to HTTPS. The listener's port is chosen before
    /// Berth binds it, so another process of the suite can take it meanwhile; Berth then refuses to start (the
    /// port is in use), and is started again on another port.
    static func startRedirecting() async throws -> (server: BerthInstance, redirectPort: Int) {
        var lastError: any Error = TestFailure("no try")
        for _ in 0 ..< 3 {
            let port = try TestLDAPServer.freePort()
            do {
                // Berth says it is listening only once the redirect listener is bound too.
                let server = try await BerthInstance.start(extraArguments: ["--tls-generate"], environment: ["BERTH_TLS_REDIRECT_PORT": "\(port)"])
                return (server, port)
            } catch {
                lastError = error
            }
        }
        throw TestFailure("the server with a plain redirect listener did not start in three tries; the last failure:\n\(lastError)")
    }

    @Test("HTTP/2 by ALPN: curl --http2 pushes and pulls an image over h2, HTTP/1.1 is still offered, and the plain port redirects")
    func http2AndRedirect() async throws {
        let dir = try TemporaryDirectory("h2")
        defer { dir.remove() }
        let (server, redirectPort) = try await Self.startRedirecting()
        defer { Task { await server.destroy() } }
        let ca = dir.file("ca.pem")
        _ = try await ProcessRunner.run(["curl", "-sSk", "-o", ca, "\(server.baseURL)/api/v2.0/systeminfo/getcert"])
        func curl(_ arguments: [String]) async throws -> CommandResult {
            try await ProcessRunner.run(["curl", "-sS", "--cacert", ca] + arguments)
        }
        let layer = randomBytes(100_000)
        let config = Array("{\"architecture\":\"amd64\",\"os\":\"linux\"}".utf8)
        try Data(layer).write(to: URL(fileURLWithPath: dir.file("layer")))
        try Data(config).write(to: URL(fileURLWithPath: dir.file("config")))
        for (name, bytes) in [("layer", layer), ("config", config)] {
            let start = try await curl(["--http2", "-X", "POST", "-D", "-", "-o", "/dev/null", "\(server.baseURL)/v2/h2/app/blobs/uploads/"])
            #expect(start.stdout.hasPrefix("HTTP/2 202"), "\(start.combined)")
            let location = try #require(start.stdout.split(separator: "\r\n").first { $0.lowercased().hasPrefix("location:") }?
                .dropFirst("location:".count).trimmingCharacters(in: .whitespaces))
            let put = try await curl(["--http2", "-X", "PUT", "-H", "Content-Type: application/octet-stream", "--data-binary", "@" + dir.file(name),
                                      "-o", "/dev/null", "-w", "%{http_version} %{http_code}", "\(server.baseURL)\(location)\(location.contains("?") ? "&" : "?")digest=\(Digest.compute(of: bytes))"])
            #expect(put.stdout == "2 201", "\(put.combined)")
        }
        let manifest = ManifestBuilder.image(config: config, layers: [layer])
        try Data(manifest).write(to: URL(fileURLWithPath: dir.file("manifest")))
        let pushed = try await curl(["--http2", "-X", "PUT", "-H", "Content-Type: application/vnd.oci.image.manifest.v1+json", "--data-binary", "@" + dir.file("manifest"),
                                     "-o", "/dev/null", "-w", "%{http_version} %{http_code}", "\(server.baseURL)/v2/h2/app/manifests/v1"])
        #expect(pushed.stdout == "2 201", "\(pushed.combined)")
        let pulled = try await curl(["--http2", "-H", "Accept: application/vnd.oci.image.manifest.v1+json", "-o", dir.file("pulled"), "-w", "%{http_version} %{http_code}",
                                     "\(server.baseURL)/v2/h2/app/manifests/v1"])
        #expect(pulled.stdout == "2 200")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("pulled"))) == Data(manifest))
        let blob = try await curl(["--http2", "-o", dir.file("blob"), "-w", "%{http_version} %{http_code}", "\(server.baseURL)/v2/h2/app/blobs/\(Digest.compute(of: layer))"])
        #expect(blob.stdout == "2 200")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("blob"))) == Data(layer))
        // Many streams at once on one connection, checked frame by frame by a second HTTP/2 implementation (hyper-h2):
        // every response complete, no stream reset, END_STREAM on each response's last frame (no empty DATA frames).
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/h2_streams.py").path
        for (method, total) in [("GET", 3000), ("HEAD", 2000)] {
            let run = try await ProcessRunner.run(["python3", script, "\(server.port)", ca, method, "/v2/h2/app/manifests/v1", "\(total)", "64"], timeout: 120)
            #expect(run.succeeded, "\(run.combined)")
            let result = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            #expect(result?["completed"] as? Int == total, "\(method): \(run.stdout)")
            #expect(result?["resets"] as? Int == 0, "\(method): \(run.stdout)")
            #expect(result?["empty_data_frames"] as? Int == 0, "\(method): \(run.stdout)")
            #expect((result?["statuses"] as? [String: Int]) == ["200": total], "\(method): \(run.stdout)")
            #expect(result?["body_bytes"] as? Int == (method == "GET" ? total * manifest.count : 0), "\(method): \(run.stdout)")
        }
        // A client that offers only HTTP/1.1 gets it.
        #expect(try await curl(["--http1.1", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", "\(server.baseURL)/v2/"]).stdout == "1.1 200")
        // The plain port sends clients to HTTPS, keeping the path (308 keeps a push's method).
        let redirect = try await ProcessRunner.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "http://127.0.0.1:\(redirectPort)/v2/h2/app/tags/list"])
        #expect(redirect.stdout == "308 https://127.0.0.1:\(server.port)/v2/h2/app/tags/list", "\(redirect.combined)")
        let followed = try await curl(["-L", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(redirectPort)/v2/h2/app/tags/list"])
        #expect(followed.stdout == "200")
    }

    @Test("not TLS on the TLS port: plain HTTP gets a readable 400, garbage and stalled handshakes are closed, a stalled HTTP/2 upload stream is reset, and the server keeps serving")
    func badInput() async throws {
        let server = try await BerthInstance.start(extraArguments: ["--tls-generate"], environment: [
            "BERTH_HTTP_HEADER_TIMEOUT_SECONDS": "2", "BERTH_HTTP_BODY_STALL_TIMEOUT_SECONDS": "2"])
        defer { Task { await server.destroy() } }
        let plain = try RawConnection(port: server.port)
        plain.send("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let answer = await plain.readUntilClose(timeout: .seconds(5))
        #expect(RawConnection.status(of: answer.bytes) == 400)
        #expect(String(decoding: answer.bytes, as: UTF8.self).contains("use https://"))
        #expect(answer.closed)

        let garbage = try RawConnection(port: server.port)
        garbage.send([0x00, 0xff, 0x13, 0x37] + randomBytes(200))
        #expect(await garbage.readUntilClose(timeout: .seconds(5)).closed)

        // The start of a ClientHello, then nothing: closed after the handshake deadline, while others are served.
        let stalled = try RawConnection(port: server.port)
        stalled.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03] + randomBytes(20))
        let curl = try await ProcessRunner.run(["curl", "-sSk", "-o", "/dev/null", "-w", "%{http_code}", "\(server.baseURL)/v2/"])
        #expect(curl.stdout == "200")
        // Without the deadline the server would hold it open until the idle timeout (60 s); the deadline is 2 s, but on a machine busy
        // with the whole suite the timer can fire many seconds late (CI once saw 14.8 s), so the bound is generous.
        let ended = await stalled.readUntilClose(timeout: .seconds(45))
        #expect(ended.closed, "the stalled handshake was closed")

        // Over HTTP/2, an upload stream whose body stops moving is reset after the body-stall deadline; the
        // connection's other streams are served meanwhile and afterwards.
        let ca = try TemporaryDirectory("h2-stall")
        defer { ca.remove() }
        _ = try await ProcessRunner.run(["curl", "-sSk", "-o", ca.file("ca.pem"), "\(server.baseURL)/api/v2.0/systeminfo/getcert"])
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/h2_stall.py").path
        let stall = try await ProcessRunner.run(["python3", script, "\(server.port)", ca.file("ca.pem"), "stall/app"], timeout: 60)
        let result = try JSONSerialization.jsonObject(with: Data(stall.stdout.utf8)) as? [String: Any]
        let resetAfter = result?["reset_after"] as? Double
        #expect(resetAfter != nil && resetAfter! >= 1.5 && resetAfter! < 8, "\(stall.combined)")
        #expect(result?["other_status"] as? String == "200" && result?["later_status"] as? String == "200", "\(stall.combined)")

        // A client that hangs up mid-handshake, many times over.
        for _ in 0 ..< 20 {
            let hangUp = try RawConnection(port: server.port)
            hangUp.send([0x16, 0x03, 0x01, 0x00, 0x40] + randomBytes(10))
        }
        let after = try await ProcessRunner.run(["curl", "-sSk", "--http2", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", "\(server.baseURL)/v2/"])
        #expect(after.stdout == "2 200")
    }

    @Test("http.tls in a YAML file and BERTH_TLS_* variables; berth ca kubernetes and cloud-init print the CA the server hands out")
    func configurationAndFleetFiles() async throws {
        let dir = try TemporaryDirectory("tls-config")
        defer { dir.remove() }
        try """
            http:
              tls:
                generate: true
                hostnames: [registry.example.org, 10.9.8.7]
                generatedLifetimeHours: 24
            """.write(toFile: dir.file("berth.yaml"), atomically: true, encoding: .utf8)
        let server = try await BerthInstance.start(extraArguments: ["--config", dir.file("berth.yaml")])
        defer { Task { await server.destroy() } }
        #expect(server.scheme == "https")
        let names = try await ProcessRunner.run(["sh", "-c", "openssl s_client -connect 127.0.0.1:\(server.port) </dev/null 2>/dev/null | openssl x509 -noout -ext subjectAltName -enddate"])
        #expect(names.stdout.contains("DNS:registry.example.org") && names.stdout.contains("IP Address:10.9.8.7") && names.stdout.contains("IP Address:127.0.0.1"),
                "\(names.stdout)")
        let fingerprint = try #require(server.caFingerprint)
        let served = try await ProcessRunner.run(["curl", "-sSk", "\(server.baseURL)/api/v2.0/systeminfo/getcert"]).stdout

        let options = ["--config", dir.file("berth.yaml"), "--data-dir", server.dataDirectory]
        let certificate = try await ProcessRunner.run([BerthInstance.binaryPath, "ca", "certificate"] + options)
        #expect(certificate.stdout == served)
        let kubernetes = try await ProcessRunner.run([BerthInstance.binaryPath, "ca", "kubernetes", "--registry", "registry.example.org:5443"] + options)
        #expect(kubernetes.succeeded, "\(kubernetes.stderr)")
        try kubernetes.stdout.write(toFile: dir.file("daemonset.yaml"), atomically: true, encoding: .utf8)
        // The manifest is valid YAML: a ConfigMap carrying exactly the CA, and a DaemonSet mounting the three runtime directories.
        try served.write(toFile: dir.file("served.pem"), atomically: true, encoding: .utf8)
        let validated = try await ProcessRunner.run(["python3", "-c", Self.manifestCheck, dir.file("daemonset.yaml"), dir.file("served.pem")])
        #expect(validated.stdout.contains("ok"), "\(validated.combined)")
        // The DaemonSet's script, run against a directory standing in for a node, installs the same files berth trust writes.
        let node = dir.file("node")
        let script = try await ProcessRunner.run(["python3", "-c", Self.scriptExtract, dir.file("daemonset.yaml"), dir.file("trust")])
        #expect(script.succeeded, "\(script.combined)")
        let ran = try await ProcessRunner.run(["sh", "-c", "sed -e 's#/host/etc#\(node)/etc#g' -e 's#/berth/#\(dir.file("trust"))/#g' -e 's/sleep 3600/break/' '\(dir.file("trust"))/script.sh' | sh"])
        #expect(ran.succeeded, "\(ran.combined)")
        for runtime in ["containerd", "docker", "containers"] {
            #expect(try String(contentsOfFile: "\(node)/etc/\(runtime)/certs.d/registry.example.org:5443/ca.crt", encoding: .utf8) == served)
        }
        let cloud = try await ProcessRunner.run([BerthInstance.binaryPath, "ca", "cloud-init", "--registry", "registry.example.org:5443", "--system-store", "debian"] + options)
        #expect(cloud.stdout.hasPrefix("#cloud-config\n"))
        #expect(cloud.stdout.contains("/usr/local/share/ca-certificates/") && cloud.stdout.contains("update-ca-certificates"))
        let shown = try await ProcessRunner.run([BerthInstance.binaryPath, "ca", "fingerprint"] + options)
        #expect(shown.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == fingerprint)

        // Environment beats the file: TLS off, and settings that contradict each other are refused with the key's name.
        let plain = try await BerthInstance.start(extraArguments: ["--config", dir.file("berth.yaml")], environment: ["BERTH_TLS_GENERATE": "false"])
        #expect(plain.scheme == "http")
        await plain.destroy()
        for (environment, message) in [(["BERTH_TLS_CLIENT_AUTH": "sometimes"], "http.tls.clientAuth"),
                                       (["BERTH_TLS_CLIENT_AUTH": "require"], "http.tls.clientCA"),
                                       (["BERTH_TLS_CERTIFICATE": dir.file("x.pem")], "http.tls.key"),
                                       (["BERTH_TLS_HOSTNAMES": "bad name"], "hostnames")] {
            let refused = try await ProcessRunner.run([BerthInstance.binaryPath, "serve", "--port", "0", "--data-dir", dir.file("refused"), "--config", dir.file("berth.yaml")],
                                                      environment: environment, timeout: 60)
            #expect(!refused.succeeded)
            #expect(refused.stderr.contains(message), "\(message): \(refused.stderr)")
        }
    }

    /// Checks a `berth ca kubernetes` manifest: argv[1] the manifest, argv[2] the CA the server serves.
    static let manifestCheck = """
        import sys, yaml
        cm, ds = list(yaml.safe_load_all(open(sys.argv[1])))
        assert cm["kind"] == "ConfigMap" and ds["kind"] == "DaemonSet"
        assert cm["data"]["ca.crt"] == open(sys.argv[2]).read(), "the ConfigMap's CA differs from the served one"
        assert 'server = "https://registry.example.org:5443"' in cm["data"]["hosts.toml"]
        paths = sorted(v["hostPath"]["path"] for v in ds["spec"]["template"]["spec"]["volumes"] if "hostPath" in v)
        assert paths == ["/etc/containerd/certs.d", "/etc/containers/certs.d", "/etc/docker/certs.d"], paths
        print("ok")
        """

    /// Writes the DaemonSet's script and the ConfigMap's files into argv[2] (as the pod would see them under /berth).
    static let scriptExtract = """
        import os, sys, yaml
        cm, ds = list(yaml.safe_load_all(open(sys.argv[1])))
        os.makedirs(sys.argv[2], exist_ok=True)
        for name, text in cm["data"].items():
            open(os.path.join(sys.argv[2], name), "w").write(text)
        open(os.path.join(sys.argv[2], "script.sh"), "w").write(ds["spec"]["template"]["spec"]["containers"][0]["args"][0])
        """
}
