import Hummingbird

/// How clients reach this server, for answers that name it (the token realm, `/systeminfo`, secure cookies): the
/// configured external URL, or the scheme this listener speaks (or a proxy's `X-Forwarded-Proto`) and the Host header.
public struct ServerURL: Sendable {
    /// `http.externalURL`; empty when not configured.
    public let externalURL: String
    /// `https` when the listener speaks TLS, else `http`.
    public let scheme: String

    /// Creates the description of this server's address.
    public init(externalURL: String, tls: Bool) {
        self.externalURL = externalURL.hasSuffix("/") ? String(externalURL.dropLast()) : externalURL
        scheme = tls ? "https" : "http"
    }

    /// `scheme://host[:port]` as the client should call the server.
    public func base(_ request: Request) -> String {
        if !externalURL.isEmpty { return externalURL }
        return "\(scheme(of: request))://\(request.head.authority ?? "localhost")"
    }

    /// Whether the client reached the server over HTTPS (directly or through a TLS-terminating proxy).
    public func isSecure(_ request: Request) -> Bool {
        if externalURL.hasPrefix("https://") { return true }
        return scheme(of: request) == "https"
    }

    private func scheme(of request: Request) -> String {
        switch request.headers[HeaderNames.forwardedProto]?.lowercased() {
        case "https": return "https"
        case "http" where scheme == "http": return "http"
        default: return scheme
        }
    }
}
