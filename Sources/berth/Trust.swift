import ArgumentParser
import BerthServer
import Certificates
import Foundation

/// `berth trust`: makes this machine's container runtimes trust a registry's CA, after checking it against the
/// fingerprint the registry's operator published.
struct Trust: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Install a registry's CA certificate for the container runtimes on this machine.",
        discussion: """
            Fetches the CA from <registry>/api/v2.0/systeminfo/getcert, refuses it unless its SHA-256 fingerprint \
            matches --fingerprint (printed by the server at start and by `berth ca fingerprint`), checks that the \
            server's certificate chains to it, and writes containerd's certs.d/<host>/ca.crt and hosts.toml, \
            docker's certs.d/<host:port>/ca.crt and containers' (podman, skopeo, buildah, CRI-O) certs.d/<host:port>/ca.crt. \
            Running it again changes nothing unless the CA changed.
            """)

    @Argument(help: "The registry: https://host:port, host:port or host.")
    var registry: String

    @Option(name: .long, help: "The CA's SHA-256 fingerprint (sha256:<hex> or openssl's AB:CD:… form).")
    var fingerprint: String

    @Option(name: .long, help: "Install under this directory instead of / (for images and tests).")
    var root = "/"

    @Option(name: .customLong("runtime"), help: "containerd, docker, containers or all (repeatable; default: those present).")
    var runtimes: [String] = []

    @Flag(name: .customLong("system"), help: "Also add the CA to the system trust store.")
    var systemStore = false

    func run() async throws {
        guard let endpoint = RegistryEndpoint(registry) else {
            throw ValidationError("\(registry) is not a registry address (https://host:port, host:port or host)")
        }
        guard let expected = CertificateFingerprint(fingerprint) else {
            throw ValidationError("--fingerprint must be sha256:<64 hex digits> (or openssl's AB:CD:… form)")
        }
        var chosen: [ContainerRuntime] = []
        for name in runtimes {
            if name == "all" { chosen = ContainerRuntime.allCases; break }
            guard let runtime = ContainerRuntime(rawValue: name) else { throw ValidationError("unknown runtime \(name) (containerd, docker, containers, all)") }
            if !chosen.contains(runtime) { chosen.append(runtime) }
        }
        if chosen.isEmpty { chosen = NodeTrust.presentRuntimes(root: root) }
        let store = systemStore ? SystemTrustStore.detect(root: root) : nil
        if systemStore, store == nil { throw ValidationError("no system trust store (Debian or Red Hat layout) under \(root)") }
        guard !chosen.isEmpty || store != nil else {
            throw ValidationError("no container runtime found under \(root); name them with --runtime containerd|docker|containers|all")
        }

        let fetched: RegistryAuthority.Fetched
        do { fetched = try await RegistryAuthority.fetch(from: endpoint, expecting: expected) } catch let refusal as RegistryAuthority.TrustRefusal {
            FileHandle.standardError.write(Data("berth trust: \(refusal)\n".utf8))
            throw ExitCode(2)
        }
        print("berth trust: \(endpoint.url) presents a certificate from CA \(fetched.fingerprint)")
        let trust = NodeTrust(host: endpoint.host, port: endpoint.port, certificatePEM: fetched.pem)
        for outcome in try NodeTrust.install(trust.files(for: chosen, systemStore: store), root: root) {
            switch outcome {
            case .wrote(let path): print("wrote \(path)")
            case .unchanged(let path): print("unchanged \(path)")
            case .kept(let path): print("kept \(path) (not written by berth trust; add ca = \"ca.crt\" to its host entry yourself)")
            }
        }
        if let store {
            if root == "/" {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = [store.refreshCommand]
                try process.run()
                process.waitUntilExit()
                print(process.terminationStatus == 0 ? "ran \(store.refreshCommand)" : "\(store.refreshCommand) failed (status \(process.terminationStatus))")
            } else {
                print("run \(store.refreshCommand) inside \(root) to rebuild its CA bundle")
            }
        }
        if chosen.contains(.containerd), let config = try? String(contentsOfFile: (root == "/" ? "" : root) + "/etc/containerd/config.toml", encoding: .utf8),
           !config.contains("config_path") {
            print("note: containerd reads /etc/containerd/certs.d only when its registry config_path points there "
                + "([plugins.\"io.containerd.grpc.v1.cri\".registry] config_path = \"/etc/containerd/certs.d\")")
        }
    }
}
