import ArgumentParser
import BerthServer
import Foundation

/// The flags that say how a server is configured, shared by `serve` and the `ca` commands (which must find the same
/// database and certificates). Sources, weakest first: defaults, the YAML file, `BERTH_*` variables, these flags.
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: "YAML configuration file.")
    var config: String?

    @Option(name: .long, help: "Address to listen on (default 127.0.0.1).")
    var address: String?

    @Option(name: .long, help: "Port to listen on; 0 picks a free port (default 5000).")
    var port: Int?

    @Option(name: .customLong("data-dir"), help: "Directory for the database and stored content (default ./data).")
    var dataDirectory: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    @Option(name: .customLong("tls-certificate"), help: "PEM file with the server certificate (and its chain).")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "PEM file with the certificate's private key.")
    var tlsKey: String?

    @Flag(name: .customLong("tls-generate"), inversion: .prefixedNo,
          help: "Serve a certificate from Berth's own CA (default: yes beyond loopback unless certificate files are given).")
    var tlsGenerate: Bool?

    @Option(name: .customLong("tls-hostname"), help: "Extra name or IP address for the generated certificate (repeatable).")
    var tlsHostnames: [String] = []

    @Option(name: .customLong("tls-client-ca"), help: "PEM file of CAs whose client certificates are accepted.")
    var tlsClientCA: String?

    @Option(name: .customLong("tls-client-auth"), help: "none, verify-if-given or require.")
    var tlsClientAuth: String?

    @Option(name: .customLong("external-url"), help: "The URL clients reach the server at.")
    var externalURL: String?

    /// The configuration these flags (over the file and the environment) describe.
    func configuration() throws -> BerthConfiguration {
        do {
            var settings = try config.map(BerthConfiguration.load(yamlFile:)) ?? BerthConfiguration()
            try settings.applyEnvironment(ProcessInfo.processInfo.environment)
            if let address { settings.http.address = address }
            if let port { settings.http.port = port }
            if let dataDirectory { settings.dataDirectory = dataDirectory }
            if let logLevel { settings.log.level = logLevel }
            if let tlsCertificate { settings.http.tls.certificate = tlsCertificate }
            if let tlsKey { settings.http.tls.key = tlsKey }
            if let tlsGenerate { settings.http.tls.generate = tlsGenerate }
            if !tlsHostnames.isEmpty { settings.http.tls.hostnames = tlsHostnames }
            if let tlsClientCA { settings.http.tls.clientCA = tlsClientCA }
            if let tlsClientAuth { settings.http.tls.clientAuth = tlsClientAuth }
            if let externalURL { settings.http.externalURL = externalURL }
            try settings.validate()
            return settings
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}
