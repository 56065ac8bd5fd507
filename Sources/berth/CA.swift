import ArgumentParser
import BerthServer
import Certificates
import Foundation
import Logging

/// `berth ca`: the registry's CA as operators hand it to nodes.
struct CA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the registry's CA and print files that make nodes trust it.",
        subcommands: [Fingerprint.self, CertificateCommand.self, Kubernetes.self, CloudInit.self])

    /// `berth ca fingerprint`.
    struct Fingerprint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the CA certificate's SHA-256 fingerprint (for berth trust --fingerprint).")
        @OptionGroup var options: ServerOptions

        func run() async throws {
            let pem = try await CA.certificate(options)
            let blocks = PEMBlock.blocks(in: pem)
            guard let block = blocks.first, let der = Data(base64Encoded: block.text.split(separator: "\n").dropFirst().dropLast().joined()) else {
                throw ValidationError("the CA certificate cannot be read")
            }
            print(CertificateFingerprint(der: der))
        }
    }

    /// `berth ca certificate`.
    struct CertificateCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "certificate", abstract: "Print the CA certificate (PEM).")
        @OptionGroup var options: ServerOptions

        func run() async throws { print(try await CA.certificate(options), terminator: "") }
    }

    /// `berth ca kubernetes`.
    struct Kubernetes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a ConfigMap and DaemonSet that make every node of a cluster trust the registry (kubectl apply -f -).")
        @OptionGroup var options: ServerOptions
        @Option(name: .long, help: "host:port nodes pull from (default: from http.externalURL).")
        var registry: String?
        @Option(name: .long, help: "Namespace for the DaemonSet.")
        var namespace = "kube-system"
        @Option(name: .long, help: "Image with a POSIX shell that the DaemonSet runs (must be pullable before the registry is trusted).")
        var image = "busybox:1.36"

        func run() async throws {
            let settings = try options.configuration()
            let (host, port) = try CA.host(registry, settings)
            let trust = NodeTrust(host: host, port: port, certificatePEM: try await CA.certificate(options))
            print(trust.kubernetesManifest(namespace: namespace, image: image), terminator: "")
        }
    }

    /// `berth ca cloud-init`.
    struct CloudInit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cloud-init", abstract: "Print a #cloud-config snippet that makes a machine trust the registry.")
        @OptionGroup var options: ServerOptions
        @Option(name: .long, help: "host:port machines pull from (default: from http.externalURL).")
        var registry: String?
        @Option(name: .customLong("system-store"), help: "Also add the CA to the system trust store: debian or redhat.")
        var systemStore: String?

        func run() async throws {
            let settings = try options.configuration()
            let (host, port) = try CA.host(registry, settings)
            let store: SystemTrustStore?
            switch systemStore {
            case nil: store = nil
            case "debian"?: store = .debian
            case "redhat"?: store = .redHat
            default: throw ValidationError("--system-store must be debian or redhat")
            }
            let trust = NodeTrust(host: host, port: port, certificatePEM: try await CA.certificate(options))
            print(trust.cloudInit(systemStore: store), terminator: "")
        }
    }

    static func certificate(_ options: ServerOptions) async throws -> String {
        let settings = try options.configuration()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        do {
            return try await RegistryAuthority.certificatePEM(configuration: settings, logger: Logger(label: "berth"))
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }

    static func host(_ text: String?, _ settings: BerthConfiguration) throws -> (String, Int) {
        do { return try RegistryAuthority.registryHost(text, configuration: settings) } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}
