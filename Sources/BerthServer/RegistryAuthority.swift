import AsyncHTTPClient
import Certificates
import Foundation
import Logging
import Metadata
import NIOCore
import NIOPosix
import NIOSSL
import X509

/// The CA certificate nodes must trust to reach a registry, read on the server side (`berth ca …`, from the
/// configuration and database) or fetched from a running registry (`berth trust`).
public enum RegistryAuthority {
    /// The CA certificate (PEM) this configuration serves under: Berth's CA from the database (created if the
    /// server has not made one yet), or the top of the operator's certificate chain.
    public static func certificatePEM(configuration: BerthConfiguration, logger: Logger) async throws -> String {
        switch configuration.transportMode {
        case .plain:
            throw ConfigurationError("TLS is off in this configuration (http.tls.generate: false, or listening on loopback without "
                + "http.tls settings); there is no CA to trust")
        case .files:
            let identity: ServerIdentity
            do {
                identity = try CertificateFiles.serverIdentity(certificateFile: configuration.http.tls.certificate, keyFile: configuration.http.tls.key)
            } catch let problem as CertificateProblem { throw ConfigurationError("http.tls: \(problem)") }
            guard let pem = identity.authorityPEM else {
                throw ConfigurationError("\(configuration.http.tls.certificate) holds one certificate from a public CA: nodes need nothing installed")
            }
            return pem
        case .generated:
            try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
            let pool = NIOThreadPool(numberOfThreads: 1)
            pool.start()
            do {
                let database = try await openDatabase(configuration, threadPool: pool, logger: logger)
                do {
                    try await SQLRegistryStore(provider: database).migrate()
                    let pem = try await TransportSecurity.authority(in: SQLAccessStore(provider: database)).certificatePEM
                    await database.shutdown()
                    try? await pool.shutdownGracefully()
                    return pem
                } catch {
                    await database.shutdown()
                    throw error
                }
            } catch {
                try? await pool.shutdownGracefully()
                throw error
            }
        }
    }

    /// `host` and `port` that nodes name the registry by, from `--registry host:port` or the external URL.
    public static func registryHost(_ text: String?, configuration: BerthConfiguration) throws -> (host: String, port: Int) {
        let given = text ?? (configuration.http.externalURL.isEmpty ? nil : configuration.http.externalURL)
        guard let given, let parsed = RegistryEndpoint(given) else {
            throw ConfigurationError("name the registry as nodes reach it: --registry host:port (or set http.externalURL)")
        }
        return (parsed.host, parsed.port)
    }

    /// What fetching a registry's CA found.
    public struct Fetched: Sendable {
        /// The CA certificate in PEM.
        public let pem: String
        /// Its SHA-256 fingerprint.
        public let fingerprint: CertificateFingerprint
    }

    /// Why `berth trust` refused.
    public struct TrustRefusal: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    /// Fetches `GET /api/v2.0/systeminfo/getcert` without trusting the server yet, checks the certificate against
    /// `fingerprint`, then connects again trusting only that CA (with host name checks) to confirm the server's
    /// certificate chains to it.
    public static func fetch(from endpoint: RegistryEndpoint, expecting fingerprint: CertificateFingerprint) async throws -> Fetched {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        let pem = try await get(endpoint.url + "/api/v2.0/systeminfo/getcert", tls: unverified) { status, body in
            guard status == 200 else {
                throw TrustRefusal(description: "\(endpoint.url) answered \(status) for its CA certificate (is TLS on, with a Berth or Harbor registry?)")
            }
            return body
        }
        let certificate: Certificate
        do {
            guard let block = PEMBlock.blocks(in: pem).first(where: { $0.label == "CERTIFICATE" }) else { throw CertificateProblem("no certificate") }
            certificate = try Certificate(pemEncoded: block.text)
        } catch {
            throw TrustRefusal(description: "\(endpoint.url) did not return a PEM certificate")
        }
        let found = CertificateFingerprint(der: try certificate.derBytes)
        guard found == fingerprint else {
            throw TrustRefusal(description: "refusing: the CA certificate from \(endpoint.url) has fingerprint \(found), not \(fingerprint)")
        }
        var verified = TLSConfiguration.makeClientConfiguration()
        verified.trustRoots = .certificates([try NIOSSLCertificate(bytes: try certificate.derBytes, format: .der)])
        verified.certificateVerification = .fullVerification
        do {
            _ = try await get(endpoint.url + "/v2/", tls: verified) { status, _ in status }
        } catch let error as TrustRefusal {
            throw error
        } catch {
            throw TrustRefusal(description: "refusing: the server's own certificate does not chain to that CA for \(endpoint.host) (\(error))")
        }
        let normalized = (try? certificate.serializeAsPEM().pemString).map { $0 + "\n" } ?? pem
        return Fetched(pem: normalized, fingerprint: found)
    }

    private static func get<T>(_ url: String, tls: TLSConfiguration, _ read: (Int, String) throws -> T) async throws -> T {
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(15), read: .seconds(30))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 1 << 20)
            let result = try read(Int(response.status.code), String(buffer: body))
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
