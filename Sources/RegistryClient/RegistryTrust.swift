import NIOSSL

/// Which TLS certificates a registry client accepts from a remote registry.
public enum RegistryTrust: Sendable, Equatable {
    /// The system's trust store.
    case system
    /// Only certificates issued by these CAs (PEM), for registries with a private CA.
    case certificateAuthorities(String)
    /// Any certificate (verification off), for registries an operator marked insecure.
    case insecure

    /// The client TLS configuration this trust stands for.
    func tlsConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch self {
        case .system:
            break
        case .certificateAuthorities(let pem):
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)))
        case .insecure:
            configuration.certificateVerification = .none
        }
        return configuration
    }
}

extension RegistryTrust {
    /// Throws when the trust cannot be used (a CA that is not PEM certificates).
    public func check() throws {
        _ = try tlsConfiguration()
    }
}
