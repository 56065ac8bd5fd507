import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL

/// How Berth reaches an external scanner adapter: its base URL and Harbor's authentication settings.
public struct ScannerAdapterEndpoint: Sendable {
    /// The adapter's base URL (the API is under `/api/v1`).
    public var url: String
    /// `""`, `Basic`, `Bearer` or `X-ScannerAdapter-API-Key`.
    public var auth: String
    /// The credential in clear (`user:password` for Basic, the token for Bearer, the key for the API key header).
    public var credential: String
    /// Whether TLS verification is off.
    public var skipCertVerify: Bool

    /// An endpoint.
    public init(url: String, auth: String, credential: String, skipCertVerify: Bool) {
        self.url = url
        self.auth = auth
        self.credential = credential
        self.skipCertVerify = skipCertVerify
    }

    /// The authentication header Harbor sends for these settings.
    var authenticationHeader: (String, String)? {
        guard !credential.isEmpty else { return nil }
        switch auth {
        case "Basic": return ("Authorization", "Basic " + Data(credential.utf8).base64EncodedString())
        case "Bearer": return ("Authorization", "Bearer " + credential)
        case "X-ScannerAdapter-API-Key": return ("X-ScannerAdapter-API-Key", credential)
        default: return nil
        }
    }
}

/// An external scanner's answer to `GET /api/v1/metadata`.
public struct ScannerAdapterMetadata: Sendable {
    /// Its name, vendor and version.
    public var scanner: ScannerView
    /// The capabilities as sent (JSON objects).
    public var capabilities: [[String: any Sendable]]
    /// Its properties.
    public var properties: [String: String]
    /// The whole answer, for handing on unchanged.
    public var raw: Data
}

/// A failure talking to a scanner adapter, in words an operator can act on (credentials never appear).
public struct ScannerAdapterClientError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let description: String
}

/// A client of Harbor's scanner-adapter API (v1.0–v1.2), for external scanners Berth registers.
public final class ScannerAdapterClient: Sendable {
    let endpoint: ScannerAdapterEndpoint
    let http: HTTPClient
    let base: String

    /// A client for `endpoint`; call `shutdown()` when done.
    public init(endpoint: ScannerAdapterEndpoint) throws {
        var trimmed = endpoint.url.trimmingCharacters(in: .whitespaces)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              components.host?.isEmpty == false else {
            throw ScannerAdapterClientError(description: "the scanner URL must be an http or https URL")
        }
        self.endpoint = endpoint
        base = trimmed
        var tls = TLSConfiguration.makeClientConfiguration()
        if endpoint.skipCertVerify { tls.certificateVerification = .none }
        http = HTTPClient(eventLoopGroupProvider: .singleton,
                          configuration: .init(tlsConfiguration: tls, redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(60))))
    }

    /// Closes the client's connections.
    public func shutdown() async { try? await http.shutdown() }

    /// `GET /api/v1/metadata`.
    public func metadata() async throws -> ScannerAdapterMetadata {
        let (status, _, body) = try await send(.GET, "/api/v1/metadata", accept: ScannerAdapterProtocol.metadataType + ", application/vnd.scanner.adapter.metadata+json; version=1.0")
        guard status == 200 else { throw Self.failure(status, body, "metadata") }
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let scanner = object["scanner"] as? [String: Any], let name = scanner["name"] as? String else {
            throw ScannerAdapterClientError(description: "the scanner's metadata is not in the scanner-adapter format")
        }
        let capabilities = (object["capabilities"] as? [[String: Any]] ?? []).map { capability in
            capability.compactMapValues { value -> (any Sendable)? in
                switch value {
                case let text as String: return text
                case let list as [String]: return list
                case let bool as Bool: return bool
                default: return nil
                }
            }
        }
        return ScannerAdapterMetadata(scanner: ScannerView(name: name, vendor: scanner["vendor"] as? String ?? "", version: scanner["version"] as? String ?? ""),
                                      capabilities: capabilities, properties: (object["properties"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String },
                                      raw: body)
    }

    /// `POST /api/v1/scan`: returns the request's id.
    public func submit(_ request: ScannerAdapterProtocol.ScanRequest) async throws -> String {
        let (status, _, body) = try await send(.POST, "/api/v1/scan", accept: ScannerAdapterProtocol.scanResponseType, body: try JSONEncoder().encode(request),
                                                contentType: ScannerAdapterProtocol.scanRequestType)
        guard status == 202 || status == 200 else { throw Self.failure(status, body, "the scan request") }
        guard let id = (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["id"] as? String, !id.isEmpty, id.utf8.count <= 256 else {
            throw ScannerAdapterClientError(description: "the scanner's answer to the scan request holds no id")
        }
        return id
    }

    /// What polling a report found.
    public enum Poll: Sendable {
        /// Not ready; ask again after this many seconds.
        case pending(seconds: Int)
        /// The report.
        case ready(Data)
    }

    /// `GET /api/v1/scan/{id}/report` for Harbor's vulnerability report.
    public func report(id: String) async throws -> Poll {
        let escaped = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
        let (status, headers, body) = try await send(.GET, "/api/v1/scan/\(escaped)/report", accept: ScannerAdapterProtocol.harborVulnerabilityReport)
        switch status {
        case 200: return .ready(body)
        case 302:
            let seconds = headers.first(name: "Refresh-After").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 5
            return .pending(seconds: max(1, min(seconds, 60)))
        default: throw Self.failure(status, body, "the report")
        }
    }

    /// Sends a request with the endpoint's authentication; the body is read up to 64 MiB.
    private func send(_ method: HTTPMethod, _ path: String, accept: String, body: Data? = nil,
                      contentType: String? = nil) async throws -> (Int, HTTPHeaders, Data) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Accept", value: accept)
        if let (name, value) = endpoint.authenticationHeader { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .seconds(60))
        } catch {
            throw ScannerAdapterClientError(description: "the scanner at \(base) cannot be reached: \(error)")
        }
        let collected = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), response.headers, Data(buffer: collected))
    }

    /// The error for an unexpected status, with the adapter's own message when it sent one.
    static func failure(_ status: Int, _ body: Data, _ what: String) -> ScannerAdapterClientError {
        let message = ((try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["error"] as? [String: Any])?["message"] as? String
        let reason = message.map { ": " + String($0.prefix(300)) } ?? ""
        switch status {
        case 401, 403: return ScannerAdapterClientError(description: "the scanner refused the credentials for \(what) (\(status))\(reason)")
        default: return ScannerAdapterClientError(description: "the scanner answered \(status) to \(what)\(reason)")
        }
    }
}
