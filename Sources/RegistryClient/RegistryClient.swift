import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization

/// A client for one remote OCI registry (distribution, Harbor, Berth, any OCI registry): it answers the token
/// challenge flow itself (Bearer with the realm's service and scope, Basic, anonymous), caches tokens per scope until
/// they expire, follows redirects (without credentials to another host, as S3 presigned URLs need), and retries
/// idempotent requests on 429, 5xx and connection errors with backoff. Bodies are streamed.
public final class RegistryClient: Sendable {
    /// The registry's base URL without a trailing slash (`https://registry.example:5000`).
    public let baseURL: String
    let credentials: RegistryCredentials
    let http: HTTPClient
    let logger: Logger
    let retries: Int
    /// Limits downloads (and uploads that take from it) when a speed is set.
    public let limiter: BandwidthLimiter?
    private let state = Mutex(State())

    struct State {
        /// The Bearer challenge the registry sent last (realm and service), so later scopes fetch a token at once.
        var bearerChallenge: AuthChallenge?
        /// Whether the registry asked for Basic.
        var wantsBasic = false
        /// Tokens by scope.
        var tokens: [String: CachedToken] = [:]
        /// Whether the token service answered the OAuth2 form with "not supported".
        var oauthUnsupported = false
    }

    struct CachedToken {
        let token: String
        let expires: ContinuousClock.Instant
    }

    /// A client for the registry at `url` (scheme, host and optional port) with `credentials`, trusting `trust`.
    /// Idempotent requests are tried `retries` + 1 times.
    /// `bytesPerSecond` (when given) limits the speed of blob downloads.
    public init(url: String, credentials: RegistryCredentials = .anonymous, trust: RegistryTrust = .system, retries: Int = 3,
                bytesPerSecond: Int64? = nil, logger: Logger = Logger(label: "berth.registry-client")) throws {
        limiter = bytesPerSecond.map { BandwidthLimiter(bytesPerSecond: $0) }
        var trimmed = url.trimmingCharacters(in: .whitespaces)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil, components.user == nil else {
            throw RegistryClientError.invalidURL(url)
        }
        baseURL = trimmed
        self.credentials = credentials
        self.retries = max(0, min(retries, 10))
        self.logger = logger
        var configuration = HTTPClient.Configuration(tlsConfiguration: try trust.tlsConfiguration(), redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(10), read: .seconds(120)))
        configuration.decompression = .disabled
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes the client's connections; call once when done.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// A client dropped without `shutdown()` (a cache emptied at exit, a task that threw) still closes its connections:
    /// the HTTP client stays alive until its pool has closed.
    deinit {
        http.shutdown(queue: .global()) { _ in }
    }

    /// A response whose body the caller reads (or drops).
    public struct Response: Sendable {
        /// The HTTP status.
        public let status: Int
        /// The response headers.
        public let headers: HTTPHeaders
        /// The body, as it arrives.
        public let body: HTTPClientResponse.Body
        /// The URL finally answered (after redirects).
        public let url: String
    }

    /// A request body.
    public enum RequestBody: Sendable {
        /// None.
        case none
        /// Bytes in memory (sent again when a challenge or redirect asks for it).
        case bytes(ByteBuffer)
        /// A stream of `length` bytes, sent once: a token is fetched before it is sent, and a challenge after it is
        /// returned to the caller rather than answered.
        case stream(HTTPClientRequest.Body)
    }

    /// Sends `method` to `path` (below the base URL, starting with `/v2/`) for `scope` (token scopes such as
    /// `repository:a/b:pull`, several separated by spaces; nil for none), answering auth challenges and following
    /// redirects. 401 after a fresh token and other statuses are returned as they are, for the caller to judge.
    public func send(_ method: HTTPMethod, _ path: String, scope: String?, headers: HTTPHeaders = [:], body: RequestBody = .none,
                     deadline: TimeAmount = .minutes(10)) async throws -> Response {
        var attempt = 0
        while true {
            do {
                let response = try await authenticated(method, path.hasPrefix("http") ? path : baseURL + path, scope: scope, headers: headers,
                                                       body: body, deadline: deadline)
                if attempt < retries, method == .GET || method == .HEAD, Self.isRetryable(status: response.status) {
                    let wait = Self.backoff(attempt: attempt, retryAfter: response.headers.first(name: "Retry-After"))
                    logger.debug("registry answered \(response.status); retrying", metadata: ["url": "\(baseURL + path)", "in": "\(wait)"])
                    attempt += 1
                    try await Task.sleep(for: wait)
                    continue
                }
                return response
            } catch let error as RegistryClientError {
                throw error
            } catch {
                guard attempt < retries, method == .GET || method == .HEAD, !(error is CancellationError) else { throw error }
                logger.debug("registry request failed; retrying", metadata: ["url": "\(baseURL + path)", "error": "\(error)"])
                try await Task.sleep(for: Self.backoff(attempt: attempt, retryAfter: nil))
                attempt += 1
            }
        }
    }

    static func isRetryable(status: Int) -> Bool { status == 429 || status == 500 || status == 502 || status == 503 || status == 504 }

    /// 250 ms doubling per attempt, or the registry's `Retry-After` (seconds, at most 30).
    static func backoff(attempt: Int, retryAfter: String?) -> Duration {
        if let retryAfter, let seconds = Int(retryAfter.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
            return .seconds(min(seconds, 30))
        }
        return .milliseconds(250 << min(attempt, 6))
    }

    /// One request with credentials: the cached token (or Basic) first, then, on a 401 with a challenge, a fresh token.
    private func authenticated(_ method: HTTPMethod, _ url: String, scope: String?, headers: HTTPHeaders, body: RequestBody,
                               deadline: TimeAmount) async throws -> Response {
        let first = try await follow(method, url, headers: headers, body: body, authorization: try await currentAuthorization(scope: scope),
                                     deadline: deadline)
        guard first.status == 401 else { return first }
        if case .stream = body { return first }
        // Raw values: the canonical form splits at every comma, which would cut a challenge from its own parameters.
        let challenges = first.headers["WWW-Authenticate"].flatMap { AuthChallenge.parse($0) }
        if let bearer = challenges.first(where: { $0.scheme == "bearer" }) {
            state.withLock { $0.bearerChallenge = bearer; $0.tokens[scope ?? ""] = nil }
            let token = try await fetchToken(challenge: bearer, scope: scope ?? bearer.parameters["scope"])
            return try await follow(method, url, headers: headers, body: body, authorization: "Bearer \(token)", deadline: deadline)
        }
        if challenges.contains(where: { $0.scheme == "basic" }), let basic = credentials.basicHeader {
            state.withLock { $0.wantsBasic = true }
            return try await follow(method, url, headers: headers, body: body, authorization: basic, deadline: deadline)
        }
        return first
    }

    /// The `Authorization` value to try first for `scope`.
    private func currentAuthorization(scope: String?) async throws -> String? {
        if case .bearer(let token) = credentials { return "Bearer \(token)" }
        let (cached, challenge, basic) = state.withLock { state -> (String?, AuthChallenge?, Bool) in
            let token = state.tokens[scope ?? ""].flatMap { $0.expires > .now ? $0.token : nil }
            return (token, state.bearerChallenge, state.wantsBasic)
        }
        if let cached { return "Bearer \(cached)" }
        if basic { return credentials.basicHeader }
        if let challenge { return "Bearer \(try await fetchToken(challenge: challenge, scope: scope))" }
        return nil
    }

    /// Sends the request, following up to five redirects; credentials go only to the registry's own host.
    private func follow(_ method: HTTPMethod, _ url: String, headers: HTTPHeaders, body: RequestBody, authorization: String?,
                        deadline: TimeAmount) async throws -> Response {
        var current = url
        // Credentials go to the registry's own host only, even when it names another (an upload location, a redirect).
        let home = URL(string: baseURL)
        var credentialed = URL(string: url).map { $0.host == home?.host && $0.port == home?.port } == true ? authorization : nil
        var streamSent = false
        for _ in 0 ... 5 {
            var request = HTTPClientRequest(url: current)
            request.method = method
            request.headers = headers
            if let credentialed { request.headers.replaceOrAdd(name: "Authorization", value: credentialed) }
            switch body {
            case .none: break
            case .bytes(let bytes): request.body = .bytes(bytes)
            case .stream(let stream):
                guard !streamSent else { throw RegistryClientError.invalidResponse("a redirect asked for a streamed body to be sent again") }
                request.body = stream
                streamSent = true
            }
            let response = try await http.execute(request, deadline: .now() + deadline, logger: logger)
            let status = Int(response.status.code)
            guard [301, 302, 303, 307, 308].contains(status), let location = response.headers.first(name: "Location") else {
                return Response(status: status, headers: response.headers, body: response.body, url: current)
            }
            try? await response.body.collect(upTo: 64 * 1024)  // drain the redirect's own body
            guard let next = URL(string: location, relativeTo: URL(string: current))?.absoluteURL,
                  let scheme = next.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
                throw RegistryClientError.invalidResponse("a redirect to an unusable location")
            }
            if next.host != URL(string: current)?.host || next.port != URL(string: current)?.port { credentialed = nil }
            current = next.absoluteString
        }
        throw RegistryClientError.invalidResponse("more than five redirects from \(url)")
    }

    /// A token from the challenge's realm for `scope` (Docker token protocol: GET with service and scope, Basic
    /// credentials when there are any), cached for its lifetime.
    private func fetchToken(challenge: AuthChallenge, scope: String?) async throws -> String {
        guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw RegistryClientError.invalidResponse("the registry's Bearer challenge has no usable realm")
        }
        var query = components.queryItems ?? []
        if let service = challenge.parameters["service"] { query.append(URLQueryItem(name: "service", value: service)) }
        for one in (scope ?? "").split(separator: " ") { query.append(URLQueryItem(name: "scope", value: String(one))) }
        components.queryItems = query.isEmpty ? nil : query
        guard let url = components.url?.absoluteString else { throw RegistryClientError.invalidResponse("the token realm is not a URL") }
        if let token = try await fetchOAuthToken(realm: realm, challenge: challenge, scope: scope) { return token }
        var request = HTTPClientRequest(url: url)
        if let basic = credentials.basicHeader { request.headers.add(name: "Authorization", value: basic) }
        let response = try await http.execute(request, deadline: .now() + .seconds(60), logger: logger)
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else {
            if response.status == .unauthorized || response.status == .forbidden {
                throw RegistryClientError.unauthorized("the token service refused the credentials (\(response.status.code))")
            }
            throw RegistryClientError.status(Int(response.status.code), code: nil, message: "token request failed", url: realm)
        }
        return try remember(body, scope: scope)
    }

    /// The token of a token service's answer (`token` or OAuth2's `access_token`), cached for its lifetime.
    private func remember(_ body: ByteBuffer, scope: String?) throws -> String {
        struct TokenResponse: Decodable {
            let token: String?
            let accessToken: String?
            let expiresIn: Int?
            enum CodingKeys: String, CodingKey { case token, accessToken = "access_token", expiresIn = "expires_in" }
        }
        guard let decoded = try? JSONDecoder().decode(TokenResponse.self, from: Data(buffer: body)),
              let token = decoded.token ?? decoded.accessToken, !token.isEmpty else {
            throw RegistryClientError.invalidResponse("the token service's answer holds no token")
        }
        // Tokens are kept a little shorter than they live (60 s when the service does not say, as the spec defaults).
        let lifetime = max(10, min(decoded.expiresIn ?? 60, 86_400) - 5)
        state.withLock { $0.tokens[scope ?? ""] = CachedToken(token: token, expires: .now + .seconds(lifetime)) }
        return token
    }

    /// With a user name and password, the OAuth2 form of the token protocol first (a `POST` of `grant_type=password`,
    /// as containerd asks): the password goes in the body rather than a header on every token request. Nil when the
    /// service does not speak it (404, 405, 400, 501: remembered, and the `GET` form is used from then on) or there
    /// are no such credentials.
    private func fetchOAuthToken(realm: String, challenge: AuthChallenge, scope: String?) async throws -> String? {
        guard case .basic(let username, let password) = credentials, !state.withLock({ $0.oauthUnsupported }) else { return nil }
        var fields = [("grant_type", "password"), ("username", username), ("password", password), ("client_id", "berth")]
        if let service = challenge.parameters["service"] { fields.append(("service", service)) }
        if let scope, !scope.isEmpty { fields.append(("scope", scope)) }
        var request = HTTPClientRequest(url: realm)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: Self.formEncoded(fields)))
        let response = try await http.execute(request, deadline: .now() + .seconds(60), logger: logger)
        let body = try await response.body.collect(upTo: 1 << 20)
        switch response.status.code {
        case 200:
            return try remember(body, scope: scope)
        case 400, 404, 405, 501:
            state.withLock { $0.oauthUnsupported = true }
            return nil
        case 401, 403:
            throw RegistryClientError.unauthorized("the token service refused the credentials (\(response.status.code))")
        default:
            throw RegistryClientError.status(Int(response.status.code), code: nil, message: "token request failed", url: realm)
        }
    }

    /// `application/x-www-form-urlencoded`: everything but unreserved characters percent-encoded.
    static func formEncoded(_ fields: [(String, String)]) -> String {
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "" }
        return fields.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }
}
