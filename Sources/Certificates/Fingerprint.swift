import Crypto
import Foundation

/// The SHA-256 fingerprint of a certificate's DER bytes, as `berth trust --fingerprint` takes it and as
/// `openssl x509 -fingerprint -sha256` prints it (in another spelling).
public struct CertificateFingerprint: Sendable, Equatable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// The fingerprint of DER-encoded certificate bytes.
    public init(der: some DataProtocol) {
        bytes = Array(SHA256.hash(data: Data(der)))
    }

    /// Reads `sha256:<64 hex>`, bare hex, or openssl's `AB:CD:…` (optionally after `SHA256 Fingerprint=`);
    /// nil when the text is none of those.
    public init?(_ text: String) {
        var rest = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        for prefix in ["sha256:", "SHA256:", "sha256 Fingerprint=", "SHA256 Fingerprint=", "sha256=", "SHA256="] where rest.hasPrefix(prefix) {
            rest = rest.dropFirst(prefix.count)
            break
        }
        let hex = rest.filter { $0 != ":" }
        guard hex.count == 64, rest.count == 64 || rest.count == 95 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index ..< next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.bytes = bytes
    }

    /// `sha256:` and lowercase hex.
    public var description: String { "sha256:" + bytes.map { String(format: "%02x", $0) }.joined() }

    /// openssl's spelling: uppercase hex pairs joined by colons.
    public var colonSeparated: String { bytes.map { String(format: "%02X", $0) }.joined(separator: ":") }
}
