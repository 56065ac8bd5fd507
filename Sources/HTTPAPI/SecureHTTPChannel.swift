import Certificates
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP2
import NIOSSL
import NIOTLS

/// HTTPS on one port: TLS with the certificate being served when the connection arrives, then HTTP/2 when the
/// client offers `h2` by ALPN and HTTP/1.1 (with connection deadlines) otherwise.
public struct SecureHTTPChannel: ServerChildChannel {
    /// The connection after the handshake: one of the two protocols.
    public struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<NIONegotiatedHTTPVersion<HTTP1Channel.Value, BerthHTTP2Channel.Value>>
        public let channel: any Channel
    }

    let certificates: ServingCertificates
    let http1: DeadlineHTTP1Channel
    let http2: BerthHTTP2Channel?

    /// Serves `responder` over TLS; `http2` nil keeps connections on HTTP/1.1.
    public init(certificates: ServingCertificates, http1: DeadlineHTTP1Channel, http2: BerthHTTP2Channel?) {
        self.certificates = certificates
        self.http1 = http1
        self.http2 = http2
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandlers([
                PlainHTTPRefusal(),
                NIOSSLServerHandler(context: certificates.context),
                TLSPlaintextCompactor(),
                HandshakeDeadline(timeout: TimeAmount(http1.deadlines.header), logger: logger),
            ])
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        guard let http2 else {
            return http1.setup(channel: channel, logger: logger).map { value in
                Value(negotiated: channel.eventLoop.makeSucceededFuture(.http1_1(value)), channel: channel)
            }
        }
        return channel.configureHTTP2AsyncSecureUpgrade { channel in
            http1.setup(channel: channel, logger: logger)
        } http2ConnectionInitializer: { channel in
            http2.setup(channel: channel, logger: logger)
        }.map { Value(negotiated: $0, channel: channel) }
    }

    public func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http1_1(let connection): await http1.handle(value: connection, logger: logger)
            case .http2(let connection): await http2?.handle(value: connection, logger: logger)
            }
        } catch {
            // A failed handshake (plain HTTP on the TLS port, an untrusted client certificate, a client that went away).
            logger.debug("TLS connection ended before a request", metadata: ["error": "\(error)"])
            try? await value.channel.close()
        }
    }
}

extension HTTPServerBuilder {
    /// HTTPS: TLS from `certificates`, HTTP/2 by ALPN unless `http2` is false, HTTP/1.1 with `deadlines`.
    public static func https(certificates: ServingCertificates, http2: Bool, configuration: HTTP1Channel.Configuration,
                             deadlines: ConnectionDeadlines) -> HTTPServerBuilder {
        .init { responder in
            SecureHTTPChannel(
                certificates: certificates,
                http1: DeadlineHTTP1Channel(responder: responder, configuration: configuration, deadlines: deadlines, inboundQueue: .decryptedBursts),
                http2: http2 ? BerthHTTP2Channel(responder: responder, configuration: configuration, deadlines: deadlines) : nil)
        }
    }
}
