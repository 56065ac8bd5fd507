import Foundation
import NIOSSL

/// The certificate both registries serve in the HTTPS rounds: an ECDSA P-256 key and a self-signed certificate for
/// 127.0.0.1 made with openssl for this run.
struct BenchTLS: Sendable {
    let certificate: String
    let key: String

    /// Makes the key and certificate in `directory`.
    static func make(in directory: String) throws -> BenchTLS {
        let base = directory + "/berth-bench-tls-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let tls = BenchTLS(certificate: base + "/server.pem", key: base + "/server.key")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                             "-keyout", tls.key, "-out", tls.certificate, "-days", "2", "-subj", "/CN=berth-bench",
                             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("openssl could not make the benchmark certificate") }
        return tls
    }

    /// A client configuration that trusts exactly this certificate.
    func clientConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificate))
        return configuration
    }
}
