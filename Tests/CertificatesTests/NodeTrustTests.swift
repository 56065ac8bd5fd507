import Foundation
import Testing
@testable import Certificates

@Suite struct NodeTrustTests {
    let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    @Test func directoriesAreNamedAsEachRuntimeLooksThemUp() {
        #expect(NodeTrust(host: "registry.local", port: 5000, certificatePEM: pem).registry == "registry.local:5000")
        #expect(NodeTrust(host: "registry.local", port: 443, certificatePEM: pem).registry == "registry.local")
        #expect(NodeTrust(host: "fd00::1", port: 5000, certificatePEM: pem).registry == "[fd00::1]:5000")
        let files = NodeTrust(host: "r.example", port: 5443, certificatePEM: pem).files(for: ContainerRuntime.allCases, systemStore: .debian)
        #expect(files.map(\.path) == [
            "/etc/containerd/certs.d/r.example:5443/ca.crt", "/etc/containerd/certs.d/r.example:5443/hosts.toml",
            "/etc/docker/certs.d/r.example:5443/ca.crt", "/etc/containers/certs.d/r.example:5443/ca.crt",
            "/usr/local/share/ca-certificates/berth-r.example_5443.crt",
        ])
    }

    @Test func installingIsIdempotentAndLeavesAnOperatorsHostsFileAlone() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("trust-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let trust = NodeTrust(host: "r.example", port: 5443, certificatePEM: pem)
        let files = trust.files(for: [.containerd, .docker], systemStore: nil)
        let first = try NodeTrust.install(files, root: root)
        #expect(first.allSatisfy { if case .wrote = $0 { true } else { false } })
        let second = try NodeTrust.install(files, root: root)
        #expect(second.allSatisfy { if case .unchanged = $0 { true } else { false } })
        // A new CA replaces the files berth wrote.
        let renewed = NodeTrust(host: "r.example", port: 5443, certificatePEM: pem + "\n")
        let third = try NodeTrust.install(renewed.files(for: [.containerd], systemStore: nil), root: root)
        #expect(third == [.wrote(root + "/etc/containerd/certs.d/r.example:5443/ca.crt"), .unchanged(root + "/etc/containerd/certs.d/r.example:5443/hosts.toml")])
        // A hosts.toml the operator wrote (mirrors, say) is kept.
        let hosts = root + "/etc/containerd/certs.d/r.example:5443/hosts.toml"
        try "server = \"https://mirror\"\n".write(toFile: hosts, atomically: true, encoding: .utf8)
        let fourth = try NodeTrust.install(files, root: root)
        #expect(fourth.contains(.kept(hosts)))
        #expect(try String(contentsOfFile: hosts, encoding: .utf8) == "server = \"https://mirror\"\n")
    }

    @Test func manifestsCarryTheCertificateAndEveryRuntime() {
        let trust = NodeTrust(host: "r.example", port: 5443, certificatePEM: pem)
        let manifest = trust.kubernetesManifest()
        #expect(manifest.contains("kind: DaemonSet"))
        #expect(manifest.contains("    -----BEGIN CERTIFICATE-----"))
        #expect(manifest.contains("/host/etc/containerd/certs.d/r.example:5443/ca.crt") || manifest.contains("$d/r.example:5443/ca.crt"))
        let cloud = trust.cloudInit(systemStore: .debian)
        #expect(cloud.hasPrefix("#cloud-config\n"))
        #expect(cloud.contains("  - path: /etc/docker/certs.d/r.example:5443/ca.crt"))
        #expect(cloud.contains("runcmd:\n  - [update-ca-certificates]"))
    }
}

@Suite struct RegistryEndpointTests {
    @Test func addressesAreReadAsBerthTrustTakesThem() {
        #expect(RegistryEndpoint("https://registry.example.org:5443/") == RegistryEndpoint("registry.example.org:5443"))
        #expect(RegistryEndpoint("registry.example.org")?.port == 443)
        #expect(RegistryEndpoint("[fd00::1]:5000")?.host == "fd00::1")
        #expect(RegistryEndpoint("10.0.0.5:5000")?.url == "https://10.0.0.5:5000")
        // Found by fuzzing: hosts with spaces and other characters no host name has were accepted (and would name
        // directories under certs.d).
        for bad in ["http://r.example", "r.example:0", "r.example:65536", "-----END EC :443", "a b:5000", "..:5000", "*.r.example",
                    "r_example:5000", "[fd00::1", "fd00::1:5000", ""] {
            #expect(RegistryEndpoint(bad) == nil, "\(bad)")
        }
    }
}
