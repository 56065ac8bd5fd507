import AsyncHTTPClient
import Crypto
import Foundation
import NIOSSL
import X509

/// Certificates for HTTPS tests: chains made with openssl as an operator would, certificates Swift can make that
/// openssl 3.0 cannot (already expired), clients that trust a test CA, and what a server presents.
enum TestTLS {
    /// An HTTP client that trusts only `caPEM`, with host name checks.
    static func client(trusting caPEM: String, followRedirects: Bool = true) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
        tls.certificateVerification = .fullVerification
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        if !followRedirects { configuration.redirectConfiguration = .disallow }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Files of an openssl chain: root → intermediate → leaf.
    struct Chain {
        let directory: TemporaryDirectory
        var root: String { directory.file("root.pem") }
        var intermediate: String { directory.file("intermediate.pem") }
        /// Leaf then intermediate, as a server's certificate file holds them.
        var chain: String { directory.file("chain.pem") }
        var key: String { directory.file("leaf.key") }
    }

    /// Runs openssl (or any command) and fails with its output when it fails.
    @discardableResult
    static func run(_ arguments: [String], in directory: TemporaryDirectory) async throws -> String {
        let result = try await ProcessRunner.run(arguments, directory: directory.path, timeout: 60)
        guard result.succeeded else { throw TestFailure("\(arguments.joined(separator: " ")) failed: \(result.combined)") }
        return result.stdout
    }

    /// A root CA and an intermediate (EC P-256), and a leaf (RSA 2048) for 127.0.0.1 and localhost named `leafName`.
    static func opensslChain(leafName: String = "leaf-1") async throws -> Chain {
        let dir = try TemporaryDirectory("openssl-chain")
        try "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n".write(toFile: dir.file("ca.ext"), atomically: true, encoding: .utf8)
        try await run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "root.key", "-out", "root.pem",
                       "-days", "3650", "-subj", "/O=Test Operator/CN=Test Root CA",
                       "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], in: dir)
        try await run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "intermediate.key",
                       "-out", "intermediate.csr", "-subj", "/O=Test Operator/CN=Test Intermediate CA"], in: dir)
        try await run(["openssl", "x509", "-req", "-in", "intermediate.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial",
                       "-out", "intermediate.pem", "-days", "3650", "-extfile", "ca.ext"], in: dir)
        let chain = Chain(directory: dir)
        try await issueLeaf(chain, name: leafName)
        return chain
    }

    /// Issues a new leaf from the chain's intermediate and rewrites `chain.pem` and `leaf.key` (as an operator
    /// replacing a certificate would, each file replaced whole).
    static func issueLeaf(_ chain: Chain, name: String, rsa: Bool = true) async throws {
        let dir = chain.directory
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
            .write(toFile: dir.file("leaf.ext"), atomically: true, encoding: .utf8)
        let keyArguments = rsa ? ["-newkey", "rsa:2048"] : ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        try await run(["openssl", "req"] + keyArguments + ["-nodes", "-keyout", "new.key", "-out", "leaf.csr", "-subj", "/O=Test Operator/CN=\(name)"], in: dir)
        try await run(["openssl", "x509", "-req", "-in", "leaf.csr", "-CA", "intermediate.pem", "-CAkey", "intermediate.key", "-CAcreateserial",
                       "-out", "leaf.pem", "-days", "30", "-extfile", "leaf.ext"], in: dir)
        let leaf = try String(contentsOfFile: dir.file("leaf.pem"), encoding: .utf8)
        let intermediate = try String(contentsOfFile: chain.intermediate, encoding: .utf8)
        try (leaf + intermediate).write(toFile: dir.file("chain.new"), atomically: true, encoding: .utf8)
        // The key first, then the certificate: a reload in between sees a key that does not match and keeps the old pair.
        _ = rename(dir.file("new.key"), chain.key)
        _ = rename(dir.file("chain.new"), chain.chain)
    }

    /// What the server on `port` presents: the certificates' subjects, leaf first (`openssl s_client -showcerts`).
    static func presentedSubjects(port: Int, caFile: String? = nil) async throws -> (subjects: [String], verified: Bool) {
        let verify = caFile.map { " -CAfile '\($0)' -verify_return_error" } ?? ""
        let result = try await ProcessRunner.run(["sh", "-c", "openssl s_client -connect 127.0.0.1:\(port) -servername localhost -showcerts\(verify) </dev/null 2>&1"],
                                                 timeout: 30)
        let subjects = result.stdout.split(separator: "\n").filter { $0.contains(" s:") }.map { line in
            String(line[line.range(of: " s:")!.upperBound...])
        }
        return (subjects, result.stdout.contains("Verify return code: 0 (ok)"))
    }

    /// A CA and a client certificate it issued, as PEM files in `directory`; `expired` makes the client certificate
    /// one that ended yesterday (openssl 3.0 cannot back-date).
    static func clientCertificate(in directory: TemporaryDirectory, name: String, expired: Bool = false,
                                  authority: (Certificate, P256.Signing.PrivateKey)? = nil) throws -> (caFile: String, certificate: String, key: String,
                                                                                                       authority: (Certificate, P256.Signing.PrivateKey)) {
        let caKey = authority?.1 ?? P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("Test Client CA") }
        let now = Date()
        let ca = try authority?.0 ?? Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey), notValidBefore: now - 3600, notValidAfter: now + 86_400 * 365,
            issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true))
            }, issuerPrivateKey: .init(caKey))
        let key = P256.Signing.PrivateKey()
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: expired ? now - 86_400 * 30 : now - 3600, notValidAfter: expired ? now - 86_400 : now + 86_400,
            issuer: caName, subject: try DistinguishedName { CommonName(name) }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.clientAuth])
            }, issuerPrivateKey: .init(caKey))
        let files = (caFile: directory.file("\(name)-ca.pem"), certificate: directory.file("\(name).pem"), key: directory.file("\(name).key"))
        try (ca.serializeAsPEM().pemString + "\n").write(toFile: files.caFile, atomically: true, encoding: .utf8)
        try (certificate.serializeAsPEM().pemString + "\n").write(toFile: files.certificate, atomically: true, encoding: .utf8)
        try (key.pemRepresentation + "\n").write(toFile: files.key, atomically: true, encoding: .utf8)
        return (files.caFile, files.certificate, files.key, (ca, caKey))
    }
}
