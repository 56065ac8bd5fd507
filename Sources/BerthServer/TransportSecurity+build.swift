import Certificates
import Foundation
import Logging
import Metadata
import NIOCore
import NIOPosix

/// The HTTPS side of a server: the certificates new connections get and where they come from.
public struct TransportSecurity: Sendable {
    /// What new connections are served.
    public let certificates: ServingCertificates
    /// Operator files or Berth's CA.
    let source: IdentitySource

    /// The name of the setting that holds Berth's CA (certificate and key) in the metadata database.
    static let authoritySetting = "tls.ca"

    /// Builds TLS from configuration; nil for plain HTTP. Problems with certificate files stop the server with an
    /// error that names the file.
    static func build(configuration: BerthConfiguration, settings: any SettingsStore, logger: Logger) async throws -> TransportSecurity? {
        let tls = configuration.http.tls
        let source: IdentitySource
        switch configuration.transportMode {
        case .plain:
            if !isLoopbackOnly(configuration.http.address) {
                logger.warning("serving plain HTTP beyond loopback: clients need an insecure-registry exception and credentials travel unencrypted")
            }
            return nil
        case .files:
            source = .files(certificate: tls.certificate, key: tls.key)
        case .generated:
            let authority = try await authority(in: settings)
            source = .generated(authority, names: try subjectNames(configuration), lifetime: TimeInterval(tls.generatedLifetimeHours) * 3600)
        }
        do {
            let identity = try source.load()
            let clientTrust = tls.clientAuth == "none" ? nil
                : ClientCertificateTrust(roots: try CertificateFiles.trustRoots(in: tls.clientCA), required: tls.clientAuth == "require")
            let certificates = try ServingCertificates(identity: identity, clientTrust: clientTrust,
                                                       applicationProtocols: tls.http2 ? ["h2", "http/1.1"] : ["http/1.1"])
            return TransportSecurity(certificates: certificates, source: source)
        } catch let problem as CertificateProblem {
            throw ConfigurationError("http.tls: \(problem)")
        }
    }

    /// Berth's CA from the database, created (once for the whole installation) when there is none yet.
    public static func authority(in settings: any SettingsStore) async throws -> CertificateAuthority {
        if let stored = try await settings.setting(authoritySetting) { return try CertificateAuthority(stored: stored) }
        let fresh = try CertificateAuthority.generate()
        let stored = try await settings.settingInsertingIfAbsent(authoritySetting, value: try fresh.storedForm, now: Clock.nowMilliseconds())
        return try CertificateAuthority(stored: stored)
    }

    /// The generated certificate's names: loopback, the external URL's host, the configured hostnames, this
    /// machine's name, and the listening address (every interface's address when listening on all of them).
    static func subjectNames(_ configuration: BerthConfiguration) throws -> SubjectNames {
        var names = SubjectNames()
        names.addLoopback()
        do {
            if !configuration.http.externalURL.isEmpty { try names.add(configuration.http.externalURL) }
            for name in configuration.http.tls.hostnames { try names.add(name) }
        } catch let problem as CertificateProblem {
            throw ConfigurationError("http.tls.hostnames: \(problem)")
        }
        try? names.add(ProcessInfo.processInfo.hostName)
        let address = configuration.http.address
        if address == "0.0.0.0" || address == "::" || address.isEmpty {
            for device in (try? System.enumerateDevices()) ?? [] {
                if let ip = device.address?.ipAddress, !ip.hasPrefix("fe80") { try? names.add(ip) }
            }
        } else {
            try? names.add(address)
        }
        return names
    }

    private static func isLoopbackOnly(_ address: String) -> Bool { BerthConfiguration.isLoopback(address) }
}
