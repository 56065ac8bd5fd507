import Crypto
import Foundation
import SwiftASN1
import X509

/// Berth's own certificate authority: an ECDSA P-256 key and a long-lived self-signed certificate, kept in the
/// metadata database so that every instance of an installation issues server certificates from the same CA.
public struct CertificateAuthority: Sendable {
    /// The CA certificate (what nodes trust).
    public let certificate: Certificate
    /// The CA's signing key.
    let key: P256.Signing.PrivateKey

    /// How long a generated CA is valid.
    public static let lifetime: TimeInterval = 20 * 365 * 86_400

    /// Creates a new CA named after `commonName`.
    public static func generate(commonName: String = "Berth registry CA", now: Date = Date()) throws -> CertificateAuthority {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName("Berth")
            CommonName(commonName)
        }
        let publicKey = Certificate.PublicKey(key.publicKey)
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(lifetime),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        return CertificateAuthority(certificate: certificate, key: key)
    }

    /// Reads a CA stored by `storedForm` (certificate and key PEM blocks).
    public init(stored text: String) throws {
        let blocks = PEMBlock.blocks(in: text)
        guard let certificateBlock = blocks.first(where: { $0.label == "CERTIFICATE" }),
              let keyBlock = blocks.first(where: { $0.label.hasSuffix("PRIVATE KEY") }) else {
            throw CertificateProblem("the stored certificate authority is incomplete")
        }
        certificate = try Certificate(pemEncoded: certificateBlock.text)
        key = try P256.Signing.PrivateKey(pemRepresentation: keyBlock.text)
        guard certificate.publicKey == Certificate.PublicKey(key.publicKey) else {
            throw CertificateProblem("the stored certificate authority's key does not match its certificate")
        }
    }

    init(certificate: Certificate, key: P256.Signing.PrivateKey) {
        self.certificate = certificate
        self.key = key
    }

    /// The certificate and key as PEM text, as the database stores them.
    public var storedForm: String {
        get throws { try certificatePEM + key.pemRepresentation + "\n" }
    }

    /// The CA certificate as PEM.
    public var certificatePEM: String {
        get throws { try certificate.serializeAsPEM().pemString + "\n" }
    }

    /// The SHA-256 fingerprint of the CA certificate.
    public var fingerprint: CertificateFingerprint {
        get throws {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return CertificateFingerprint(der: serializer.serializedBytes)
        }
    }

    /// Issues a server certificate for `names` with a new P-256 key, valid from an hour ago for `lifetime`.
    public func issueServerCertificate(for names: SubjectNames, lifetime: TimeInterval, now: Date = Date()) throws -> ServerIdentity {
        let leafKey = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(leafKey.publicKey)
        let subject = try DistinguishedName {
            OrganizationName("Berth")
            CommonName(names.dnsNames.first ?? "berth")
        }
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(lifetime),
            issuer: certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names.generalNames)
                SubjectKeyIdentifier(hash: publicKey)
                AuthorityKeyIdentifier(keyIdentifier: try certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        return try ServerIdentity(chain: [leaf, certificate], privateKeyPEM: leafKey.pemRepresentation, authority: certificate)
    }
}
