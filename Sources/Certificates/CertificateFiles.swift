import Foundation
import NIOSSL
import X509

/// Certificates and keys an operator gives Berth as PEM files, checked the way a server needs them: readable,
/// unencrypted, matching, currently valid. Every problem names the file and the reason.
public enum CertificateFiles {
    /// The server identity in `certificateFile` (leaf first, optionally followed by its chain) and `keyFile`.
    public static func serverIdentity(certificateFile: String, keyFile: String, now: Date = Date()) throws -> ServerIdentity {
        let chain = try certificates(in: certificateFile)
        let keyText = try read(keyFile)
        let keyBlocks = PEMBlock.blocks(in: keyText).filter { $0.label.hasSuffix("PRIVATE KEY") }
        guard let keyBlock = keyBlocks.first else { throw CertificateProblem("\(keyFile): no PEM private key in the file") }
        guard keyBlock.label != "ENCRYPTED PRIVATE KEY", !keyBlock.headers.contains(where: { $0.contains("ENCRYPTED") }) else {
            throw CertificateProblem("\(keyFile): the private key is encrypted; Berth needs it unencrypted (protect the file instead)")
        }
        let key: Certificate.PrivateKey
        do { key = try Certificate.PrivateKey(pemEncoded: keyBlock.text) } catch {
            throw CertificateProblem("\(keyFile): the private key cannot be read (\(error))")
        }
        let leaf = chain[0]
        guard key.publicKey == leaf.publicKey else {
            throw CertificateProblem("\(keyFile): the private key does not belong to the first certificate in \(certificateFile)")
        }
        guard leaf.notValidAfter > now else {
            throw CertificateProblem("\(certificateFile): the certificate expired at \(ISO8601DateFormatter().string(from: leaf.notValidAfter))")
        }
        guard leaf.notValidBefore <= now.addingTimeInterval(300) else {
            throw CertificateProblem("\(certificateFile): the certificate is not valid until \(ISO8601DateFormatter().string(from: leaf.notValidBefore))")
        }
        for (index, pair) in zip(chain, chain.dropFirst()).enumerated() where pair.0.issuer != pair.1.subject {
            throw CertificateProblem("\(certificateFile): certificate \(index + 2) did not issue certificate \(index + 1); list the chain leaf first")
        }
        do {
            _ = try NIOSSLPrivateKey(bytes: Array(keyBlock.text.utf8), format: .pem)
        } catch {
            throw CertificateProblem("\(keyFile): the TLS library cannot use this key (\(error))")
        }
        return try ServerIdentity(chain: chain, privateKeyPEM: keyBlock.text, authority: handedOutAuthority(of: chain))
    }

    /// Every certificate in a PEM file, in order; at least one.
    public static func certificates(in file: String) throws -> [Certificate] {
        let blocks = PEMBlock.blocks(in: try read(file)).filter { $0.label == "CERTIFICATE" }
        guard !blocks.isEmpty else { throw CertificateProblem("\(file): no PEM certificate in the file") }
        return try blocks.enumerated().map { index, block in
            do { return try Certificate(pemEncoded: block.text) } catch {
                throw CertificateProblem("\(file): certificate \(index + 1) cannot be read (\(error))")
            }
        }
    }

    /// The CA certificates in `file` as the TLS library takes them (for client certificates).
    public static func trustRoots(in file: String) throws -> [NIOSSLCertificate] {
        try certificates(in: file).map { try NIOSSLCertificate(bytes: try $0.derBytes, format: .der) }
    }

    /// The last certificate of a chain of two or more, or a lone self-signed one: what nodes must trust. A lone leaf
    /// issued by someone else (a public CA) needs nothing installed.
    static func handedOutAuthority(of chain: [Certificate]) -> Certificate? {
        guard let last = chain.last else { return nil }
        if chain.count > 1 || last.issuer == last.subject { return last }
        return nil
    }

    static func read(_ file: String) throws -> String {
        guard FileManager.default.fileExists(atPath: file) else { throw CertificateProblem("\(file): no such file") }
        guard let data = FileManager.default.contents(atPath: file) else { throw CertificateProblem("\(file): cannot be read (permissions?)") }
        guard let text = String(data: data, encoding: .utf8) else { throw CertificateProblem("\(file): not a PEM text file") }
        return text
    }
}
