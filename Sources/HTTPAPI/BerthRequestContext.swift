import Auth
import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the peer address (for logs and, later, audit and rate limits).
public struct BerthRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The client's socket address.
    public let remoteAddress: SocketAddress?
    /// The event loop of the connection (or HTTP/2 stream) serving the request; streamed responses pace themselves by it.
    public let eventLoop: any EventLoop
    /// Who is calling, once a management-API middleware has checked the credentials.
    public var principal: Principal = .anonymous
    /// The client's address as `ClientAddressMiddleware` worked it out (the peer, or what trusted proxies say).
    public var clientAddress = ""
    /// A `/v2` path parsed once by `HTTPMetricsMiddleware` (for its route label) and used again by `V2Controller`.
    var v2Route: V2Route?

    /// Creates the context for a new request on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.eventLoop = source.channel.eventLoop
    }

    /// Management-API JSON bodies are small; registry bodies are streamed and not limited by this.
    public var maxUploadSize: Int { 4 * 1024 * 1024 }
}
