import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OCI

/// A response with its whole body.
struct HTTPResult: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]

    func header(_ name: String) -> String? { headers.first(name: name) }
    var text: String { String(decoding: body, as: UTF8.self) }
    /// The first OCI error code in the body.
    var errorCode: String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let errors = object["errors"] as? [[String: Any]] else { return nil }
        return errors.first?["code"] as? String
    }
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { throw TestFailure("not a JSON object: \(text)") }
        return object
    }
}

/// The tests' plain HTTP client: `HTTPClient.shared`'s settings (generous timeouts, which a loaded CI machine needs),
/// except that it drops a pooled connection after 20 s unused (the shared one keeps it 600 s), well before the servers
/// under test close idle ones (Berth after 60 s): a client that keeps connections longer than the server races its
/// close, and on a loaded machine sometimes sends a request on a connection the server is closing.
let testHTTPClient: HTTPClient = {
    var configuration = HTTPClient.Configuration.singletonConfiguration
    configuration.connectionPool.idleTimeout = .seconds(20)
    return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
}()

/// A request that got no complete answer (refused, reset, timed out), naming the request: a bare
/// `remoteConnectionClosed` does not say which one. Unlike `TestFailure` (an answer the test did not expect), callers
/// under load may treat it as retryable, as a real client would.
struct RequestFailure: Error, CustomStringConvertible {
    let method: HTTPMethod
    let url: String
    let underlying: any Error
    var description: String { "\(method) \(url): \(underlying)" }
}

/// Raw HTTP against a registry, for the edge cases real clients never exercise.
struct RegistryHTTP: Sendable {
    let base: String
    /// The client to send with (one that trusts a test CA, for HTTPS).
    var client: HTTPClient = testHTTPClient

    func request(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: path.hasPrefix("http") ? path : base + path)
        request.method = method
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, timeout: .seconds(120))
            } catch ChannelError.ioOnClosedChannel {
                // A pooled connection the server closed (its idle deadline, or a server that used this port before)
                // just as it was taken: the request was never sent, so send it again on a new connection, as clients do.
                response = try await client.execute(request, timeout: .seconds(120))
            }
            let bytes = method == .HEAD ? ByteBuffer() : try await response.body.collect(upTo: 64 * 1024 * 1024)
            return HTTPResult(status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView))
        } catch {
            throw RequestFailure(method: method, url: request.url, underlying: error)
        }
    }

    /// Uploads a blob with POST + PUT and returns its digest.
    @discardableResult
    func pushBlob(_ repository: String, _ bytes: [UInt8]) async throws -> Digest {
        let digest = Digest.compute(of: bytes)
        let start = try await request(.POST, "/v2/\(repository)/blobs/uploads/")
        guard start.status == 202, let location = start.header("Location") else { throw TestFailure("POST upload: \(start.status) \(start.text)") }
        let put = try await request(.PUT, location + (location.contains("?") ? "&" : "?") + "digest=\(digest)",
                                    headers: [("Content-Type", "application/octet-stream")], body: bytes)
        guard put.status == 201 else { throw TestFailure("PUT upload: \(put.status) \(put.text)") }
        return digest
    }

    /// Pushes a manifest document and returns the response.
    func pushManifest(_ repository: String, _ reference: String, _ manifest: [UInt8], mediaType: String = MediaType.ociManifest) async throws -> HTTPResult {
        try await request(.PUT, "/v2/\(repository)/manifests/\(reference)", headers: [("Content-Type", mediaType)], body: manifest)
    }
}

/// Builds small manifests for tests.
enum ManifestBuilder {
    static func descriptor(_ mediaType: String, _ bytes: [UInt8]) -> [String: Any] {
        ["mediaType": mediaType, "digest": Digest.compute(of: bytes).description, "size": bytes.count]
    }

    static func image(config: [UInt8], layers: [[UInt8]], artifactType: String? = nil, subject: [String: Any]? = nil,
                      annotations: [String: String]? = nil, configMediaType: String = "application/vnd.oci.image.config.v1+json") -> [UInt8] {
        var object: [String: Any] = [
            "schemaVersion": 2,
            "mediaType": MediaType.ociManifest,
            "config": descriptor(configMediaType, config),
            "layers": layers.map { descriptor("application/vnd.oci.image.layer.v1.tar", $0) },
        ]
        if let artifactType { object["artifactType"] = artifactType }
        if let subject { object["subject"] = subject }
        if let annotations { object["annotations"] = annotations }
        return Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }
}

/// Deterministic pseudo-random bytes.
func randomBytes(_ count: Int, seed: UInt64 = UInt64.random(in: 1 ... .max)) -> [UInt8] {
    var state = seed
    var out = [UInt8](repeating: 0, count: count)
    for i in 0 ..< count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        out[i] = UInt8(truncatingIfNeeded: state)
    }
    return out
}
