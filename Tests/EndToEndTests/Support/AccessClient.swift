import AsyncHTTPClient
import Foundation
import NIOHTTP1
import OCI

/// Credentials a test acts with.
enum Account: Sendable, CustomStringConvertible {
    case anonymous
    case basic(String, String)

    var description: String {
        switch self {
        case .anonymous: return "anonymous"
        case .basic(let user, _): return user
        }
    }

    var authorization: [(String, String)] {
        switch self {
        case .anonymous: return []
        case .basic(let user, let password): return [("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())]
        }
    }
}

/// The management API and the Docker token flow, as a Harbor tool or a registry client drives them.
struct AccessClient: Sendable {
    let http: RegistryHTTP
    let account: Account

    /// A management-API call with a JSON body.
    func api(_ method: HTTPMethod, _ path: String, json: Any? = nil, headers: [(String, String)] = []) async throws -> HTTPResult {
        let body = try json.map { Array(try JSONSerialization.data(withJSONObject: $0)) }
        return try await http.request(method, "/api/v2.0" + path, headers: account.authorization + headers + [("Content-Type", "application/json")], body: body)
    }

    /// A management-API call that must succeed; returns the parsed JSON (object or array).
    @discardableResult
    func apiOK(_ method: HTTPMethod, _ path: String, json: Any? = nil) async throws -> Any? {
        let result = try await api(method, path, json: json)
        guard (200 ..< 300).contains(result.status) else { throw TestFailure("\(method) \(path) as \(account): \(result.status) \(result.text)") }
        return result.body.isEmpty ? nil : try JSONSerialization.jsonObject(with: Data(result.body))
    }

    /// Follows a `WWW-Authenticate` challenge: asks the token endpoint for `scope` with this account's credentials.
    func token(scope: String, service: String = "berth-registry") async throws -> (status: Int, token: String?, access: [[String: Any]]) {
        let escaped = scope.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))!
        let result = try await http.request(.GET, "/service/token?service=\(service)&scope=\(escaped)", headers: account.authorization)
        guard result.status == 200, let object = try? result.json(), let token = object["token"] as? String else { return (result.status, nil, []) }
        return (200, token, Self.claims(of: token)["access"] as? [[String: Any]] ?? [])
    }

    /// A `/v2` request through the token flow: request, 401 challenge, token, retry with the bearer token.
    func registry(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> HTTPResult {
        let first = try await http.request(method, path, headers: headers, body: body)
        guard first.status == 401, let challenge = first.header("WWW-Authenticate") else { return first }
        let scope = Self.challengeParameter("scope", in: challenge) ?? ""
        let (status, token, _) = try await self.token(scope: scope)
        guard status == 200, let token else { return HTTPResult(status: status, headers: [:], body: []) }
        return try await http.request(method, path, headers: headers + [("Authorization", "Bearer \(token)")], body: body)
    }

    /// Pushes a blob and a manifest tagged `tag` through the token flow; returns the manifest push's status.
    func pushImage(_ repository: String, tag: String, seed: UInt64) async throws -> (status: Int, digest: Digest) {
        let config = Array("{\"seed\":\(seed)}".utf8)
        let layer = randomBytes(512, seed: seed)
        for blob in [config, layer] {
            let digest = Digest.compute(of: blob)
            let start = try await registry(.POST, "/v2/\(repository)/blobs/uploads/?digest=\(digest)", headers: [("Content-Type", "application/octet-stream")], body: blob)
            guard start.status == 201 else { return (start.status, digest) }
        }
        let manifest = ManifestBuilder.image(config: config, layers: [layer])
        let put = try await registry(.PUT, "/v2/\(repository)/manifests/\(tag)", headers: [("Content-Type", MediaType.ociManifest)], body: manifest)
        return (put.status, Digest.compute(of: manifest))
    }

    static func challengeParameter(_ name: String, in challenge: String) -> String? {
        guard let range = challenge.range(of: "\(name)=\"") else { return nil }
        let rest = challenge[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static func header(of token: String) -> [String: Any] { decodePart(token, 0) }

    static func claims(of token: String) -> [String: Any] { decodePart(token, 1) }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func decodePart(_ token: String, _ index: Int) -> [String: Any] {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return [:] }
        var base64 = parts[index].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { return [:] }
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
}

extension HTTPResult {
    /// The body as a JSON array.
    func jsonArray() throws -> [[String: Any]] {
        guard let array = try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]] else { throw TestFailure("not a JSON array: \(text)") }
        return array
    }
}

/// Runs `body` against a fresh `berth` server with authentication on, and always cleans it up.
func withSecuredServer<R>(environment: [String: String] = [:], extraArguments: [String] = [],
                          _ body: (BerthInstance, AccessClient) async throws -> R) async throws -> R {
    let server = try await BerthInstance.start(authentication: true, extraArguments: extraArguments, environment: environment)
    do {
        let admin = AccessClient(http: RegistryHTTP(base: server.baseURL), account: .basic("admin", BerthInstance.adminPassword))
        let result = try await body(server, admin)
        await server.destroy()
        return result
    } catch {
        await server.destroy()
        throw error
    }
}
