import Crypto
import Foundation
import NIOCore

/// AWS Signature Version 4 for S3 requests (header authorization and presigned URLs).
public struct SigV4Signer: Sendable {
    /// Access key id.
    public let accessKey: String
    /// Secret access key (never logged).
    let secretKey: String
    /// Region, e.g. `us-east-1`.
    public let region: String
    /// Service name (`s3`).
    public let service: String

    /// Creates a signer.
    public init(accessKey: String, secretKey: String, region: String, service: String = "s3") {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.region = region
        self.service = service
    }

    /// `UNSIGNED-PAYLOAD`: the body is not part of the signature (streamed bodies).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// Hex SHA-256 of bytes (the payload hash of a signed body).
    public static func payloadHash(_ bytes: some DataProtocol) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Hex SHA-256 of several buffers taken as one payload, without joining them.
    public static func payloadHash(_ buffers: [ByteBuffer]) -> String {
        var hasher = SHA256()
        for buffer in buffers { buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) } }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The headers to add to a request (`Authorization`, `x-amz-date`, `x-amz-content-sha256`, `host`).
    /// `path` is the URI path exactly as sent (already percent-encoded); `query` the decoded query items.
    public func sign(method: String, host: String, path: String, query: [(String, String)], headers: [(String, String)],
                     payloadHash: String, date: Date = Date()) -> [(String, String)] {
        let (amzDate, day) = Self.timestamps(date)
        var all = headers.map { ($0.0.lowercased(), $0.1.trimmingCharacters(in: .whitespaces)) }
        all.append(("host", host))
        all.append(("x-amz-date", amzDate))
        all.append(("x-amz-content-sha256", payloadHash))
        all.sort { $0.0 < $1.0 }
        let signedHeaders = all.map(\.0).joined(separator: ";")
        let canonicalHeaders = all.map { "\($0.0):\($0.1)\n" }.joined()
        let canonicalRequest = [method, path, Self.canonicalQuery(query), canonicalHeaders, signedHeaders, payloadHash].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.payloadHash(Array(canonicalRequest.utf8))].joined(separator: "\n")
        let signature = hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(day: day)))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return [("Authorization", authorization), ("x-amz-date", amzDate), ("x-amz-content-sha256", payloadHash)]
    }

    /// A presigned GET URL valid for `expires` seconds.
    public func presign(method: String = "GET", scheme: String, host: String, path: String, expires: Int, date: Date = Date()) -> String {
        let (amzDate, day) = Self.timestamps(date)
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let query: [(String, String)] = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "\(accessKey)/\(scope)"), ("X-Amz-Date", amzDate),
            ("X-Amz-Expires", String(expires)), ("X-Amz-SignedHeaders", "host"),
        ]
        let canonicalRequest = [method, path, Self.canonicalQuery(query), "host:\(host)\n", "host", Self.unsignedPayload].joined(separator: "\n")
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.payloadHash(Array(canonicalRequest.utf8))].joined(separator: "\n")
        let signature = hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(day: day)))
        return "\(scheme)://\(host)\(path)?\(Self.canonicalQuery(query))&X-Amz-Signature=\(signature)"
    }

    private func signingKey(day: String) -> SymmetricKey {
        func hmac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key)))
        }
        let dateKey = hmac(SymmetricKey(data: Array(("AWS4" + secretKey).utf8)), day)
        return hmac(hmac(hmac(dateKey, region), service), "aws4_request")
    }

    /// `20130524T000000Z` and `20130524`.
    static func timestamps(_ date: Date) -> (String, String) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let amzDate = formatter.string(from: date)
        return (amzDate, String(amzDate.prefix(8)))
    }

    /// Query items sorted by name and encoded as SigV4 wants them.
    static func canonicalQuery(_ items: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = items.map { (uriEncode($0.0), uriEncode($0.1)) }
        let sorted = encoded.sorted { a, b in a.name == b.name ? a.value < b.value : a.name < b.name }
        return sorted.map { $0.name + "=" + $0.value }.joined(separator: "&")
    }

    /// RFC 3986 encoding of everything but unreserved characters (and `/` when `keepSlash`).
    public static func uriEncode(_ text: String, keepSlash: Bool = false) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A") ... UInt8(ascii: "Z"), UInt8(ascii: "a") ... UInt8(ascii: "z"), UInt8(ascii: "0") ... UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    private func hex(_ mac: HMAC<SHA256>.MAC) -> String { mac.map { String(format: "%02x", $0) }.joined() }
}
