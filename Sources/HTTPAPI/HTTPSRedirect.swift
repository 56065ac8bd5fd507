import Hummingbird

/// The optional plain-HTTP listener of a TLS server: every request is sent to the same path on HTTPS (308, so a
/// push's method and body are kept).
public struct HTTPSRedirect: HTTPResponder {
    public typealias Context = BasicRequestContext
    /// `https://host:port` when configured (the external URL); empty: the request's host with `httpsPort`.
    let externalURL: String
    let httpsPort: @Sendable () -> Int

    /// Redirects to `externalURL`, or to the request's host on `httpsPort` (asked per request: a port of 0 is only
    /// known once the HTTPS listener is bound).
    public init(externalURL: String, httpsPort: @escaping @Sendable () -> Int) {
        self.externalURL = externalURL.hasPrefix("https://") ? (externalURL.hasSuffix("/") ? String(externalURL.dropLast()) : externalURL) : ""
        self.httpsPort = httpsPort
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        let target = base(for: request.head.authority) + (request.head.path ?? "/")
        return Response(status: .permanentRedirect, headers: [.location: target, .contentLength: "0", .connection: "close"])
    }

    /// `https://host[:port]` for a request that named `authority`.
    func base(for authority: String?) -> String {
        if !externalURL.isEmpty { return externalURL }
        var host = authority ?? "localhost"
        if host.hasPrefix("[") {
            if let end = host.firstIndex(of: "]") { host = String(host[...end]) }
        } else if let colon = host.firstIndex(of: ":") {
            host = String(host[..<colon])
        }
        let port = httpsPort()
        return port == 443 ? "https://\(host)" : "https://\(host):\(port)"
    }
}
