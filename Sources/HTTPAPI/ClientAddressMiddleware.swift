import APIInput
import Hummingbird

/// Works out, once per request, who the client is: the peer, or the address trusted proxies name in
/// `X-Forwarded-For`. Login throttling, audit entries and the access log all use this address.
public struct ClientAddressMiddleware: RouterMiddleware {
    public typealias Context = BerthRequestContext
    let trustedProxies: [IPNetwork]

    /// Creates the middleware; with no trusted proxies, `X-Forwarded-For` is ignored.
    public init(trustedProxies: [IPNetwork]) { self.trustedProxies = trustedProxies }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let peer = context.remoteAddress?.ipAddress ?? "unknown"
        context.clientAddress = trustedProxies.isEmpty ? peer
            : ClientAddress.resolve(peer: peer, forwardedFor: request.headers[values: HeaderNames.forwardedFor], trusted: trustedProxies)
        return try await next(request, context)
    }
}
