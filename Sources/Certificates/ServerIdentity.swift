import Foundation
import NIOSSL
import SwiftASN1
import X509

/// What the server presents in a TLS handshake: a certificate chain (leaf first) and the leaf's private key, plus
/// the CA certificate that nodes should trust, when there is one to hand out.
public struct ServerIdentity: Sendable {
    /// Leaf first, then intermediates (and possibly the root).
    public let chain: [Certificate]
    /// The leaf's private key in PEM.
    let privateKeyPEM: String
    /// The certificate `GET /api/v2.0/systeminfo/getcert` serves and `berth trust` installs; nil when the chain
    /// has none worth handing out (one leaf from a public CA).
    public let authority: Certificate?

    /// Combines a chain, its key and the CA to hand out; the chain must not be empty.
    public init(chain: [Certificate], privateKeyPEM: String, authority: Certificate?) throws {
        guard !chain.isEmpty else { throw CertificateProblem("the certificate chain is empty") }
        self.chain = chain
        self.privateKeyPEM = privateKeyPEM
        self.authority = authority
    }

    /// The leaf certificate.
    public var leaf: Certificate { chain[0] }

    /// When the leaf stops being valid.
    public var expires: Date { leaf.notValidAfter }

    /// The CA certificate as PEM, when there is one.
    public var authorityPEM: String? {
        guard let authority else { return nil }
        return try? authority.serializeAsPEM().pemString + "\n"
    }

    /// The SHA-256 fingerprint of the CA certificate, when there is one.
    public var authorityFingerprint: CertificateFingerprint? {
        guard let authority else { return nil }
        return try? CertificateFingerprint(der: authority.derBytes)
    }

    /// A TLS server context presenting this identity; `clientTrust` turns on client certificates.
    public func serverContext(clientTrust: ClientCertificateTrust?, applicationProtocols: [String]) throws -> NIOSSLContext {
        let certificates = try chain.map { NIOSSLCertificateSource.certificate(try NIOSSLCertificate(bytes: try $0.derBytes, format: .der)) }
        let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: certificates, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = applicationProtocols
        if let clientTrust {
            configuration.trustRoots = .certificates(clientTrust.roots)
            configuration.certificateVerification = clientTrust.required ? .noHostnameVerification : .optionalVerification
            configuration.sendCANameList = true
        }
        return try NIOSSLContext(configuration: configuration)
    }
}

/// Which client certificates a server accepts.
public struct ClientCertificateTrust: Sendable {
    /// CA certificates a client certificate must chain to.
    public let roots: [NIOSSLCertificate]
    /// Whether a client without a certificate is refused (`require`) or let in (`verify-if-given`).
    public let required: Bool

    /// Creates the setting.
    public init(roots: [NIOSSLCertificate], required: Bool) {
        self.roots = roots
        self.required = required
    }
}

extension Certificate {
    /// The DER encoding.
    public var derBytes: [UInt8] {
        get throws {
            var serializer = DER.Serializer()
            try serializer.serialize(self)
            return serializer.serializedBytes
        }
    }
}
