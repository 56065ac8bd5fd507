import Foundation
import NIOConcurrencyHelpers
import NIOSSL

/// The identity a TLS listener presents right now. Each new connection takes the current context, so replacing it
/// switches new connections to a new certificate while open ones carry on with theirs.
public final class ServingCertificates: Sendable {
    struct Current {
        var identity: ServerIdentity
        var context: NIOSSLContext
    }

    private let current: NIOLockedValueBox<Current>
    /// Client certificates accepted, if any.
    public let clientTrust: ClientCertificateTrust?
    /// ALPN protocols offered, most preferred first.
    public let applicationProtocols: [String]

    /// Starts serving `identity`.
    public init(identity: ServerIdentity, clientTrust: ClientCertificateTrust?, applicationProtocols: [String]) throws {
        self.clientTrust = clientTrust
        self.applicationProtocols = applicationProtocols
        let context = try identity.serverContext(clientTrust: clientTrust, applicationProtocols: applicationProtocols)
        current = NIOLockedValueBox(Current(identity: identity, context: context))
    }

    /// The context new connections use.
    public var context: NIOSSLContext { current.withLockedValue { $0.context } }

    /// The identity being served.
    public var identity: ServerIdentity { current.withLockedValue { $0.identity } }

    /// Serves `identity` from now on (for new connections).
    public func replace(with identity: ServerIdentity) throws {
        let context = try identity.serverContext(clientTrust: clientTrust, applicationProtocols: applicationProtocols)
        current.withLockedValue { $0 = Current(identity: identity, context: context) }
    }
}

/// Where the served identity comes from, and when it must be looked at again.
public enum IdentitySource: Sendable {
    /// Operator files, read again when they change.
    case files(certificate: String, key: String)
    /// Issued by Berth's CA for these names, renewed when half of `lifetime` has passed.
    case generated(CertificateAuthority, names: SubjectNames, lifetime: TimeInterval)

    /// A fresh identity from the source.
    public func load(now: Date = Date()) throws -> ServerIdentity {
        switch self {
        case .files(let certificate, let key):
            return try CertificateFiles.serverIdentity(certificateFile: certificate, keyFile: key, now: now)
        case .generated(let authority, let names, let lifetime):
            return try authority.issueServerCertificate(for: names, lifetime: lifetime, now: now)
        }
    }

    /// A token that changes when the files change (modification times, sizes and inodes); nil for generated identities.
    public func fileStamp() -> String? {
        guard case .files(let certificate, let key) = self else { return nil }
        return [certificate, key].map { path in
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return "missing" }
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(modified)/\(attributes[.size] ?? 0)/\(attributes[.systemFileNumber] ?? 0)"
        }.joined(separator: "|")
    }

    /// Whether a generated identity is due for renewal: half its lifetime has passed.
    public func isDue(_ identity: ServerIdentity, now: Date = Date()) -> Bool {
        guard case .generated = self else { return false }
        let start = identity.leaf.notValidBefore
        let end = identity.leaf.notValidAfter
        return now >= start.addingTimeInterval(end.timeIntervalSince(start) / 2)
    }
}
