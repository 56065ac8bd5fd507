import AsyncHTTPClient
import NIOCore
import NIOSSL

/// The HTTP clients webhook deliveries use: one that verifies receivers' certificates and one for targets that ask
/// to skip verification. Neither follows redirects (a receiver answers for itself).
enum WebhookClients {
    static func make() -> (verifying: HTTPClient, insecure: HTTPClient) {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5))
        var insecure = configuration
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        insecure.tlsConfiguration = tls
        return (HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration),
                HTTPClient(eventLoopGroupProvider: .singleton, configuration: insecure))
    }
}
