#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 network (`10.0.0.0/8`, `fd00::/8`, or one address), for the list of trusted proxies.
public struct IPNetwork: Sendable, Equatable, CustomStringConvertible {
    /// The network's address bytes (4 or 16).
    let bytes: [UInt8]
    /// Leading bits that must match.
    let prefixLength: Int

    /// Parses `address` or `address/prefix`; nil when it is neither.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = IPNetwork.addressBytes(String(parts[0])) else { return nil }
        let maximum = bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0 ... maximum).contains(length), parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            prefixLength = length
        } else {
            prefixLength = maximum
        }
        self.bytes = bytes
    }

    /// Whether `address` (text) is in the network. IPv4-mapped IPv6 addresses count as IPv4.
    public func contains(_ address: String) -> Bool {
        guard let other = IPNetwork.addressBytes(address), other.count == bytes.count else { return false }
        var remaining = prefixLength
        for index in 0 ..< bytes.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            guard bytes[index] & mask == other[index] & mask else { return false }
            remaining -= bits
        }
        return true
    }

    /// `address/prefix`.
    public var description: String {
        var text = [CChar](repeating: 0, count: 64)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &text, 64) }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/\(prefixLength)"
    }

    /// The bytes of an IPv4 (4) or IPv6 (16) address; `::ffff:a.b.c.d` gives the IPv4 bytes.
    static func addressBytes(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0 ..< 10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes[12 ..< 16]) }
        return bytes
    }
}

/// Who the client is when requests arrive through proxies. `X-Forwarded-For` is believed only as far as it was
/// written by trusted proxies: the peer must be one, and the list is read from the right, skipping trusted proxies;
/// the first address that is not one is the client. Anything a client wrote itself further left is ignored.
public enum ClientAddress {
    /// The client's address for a request from `peer` carrying `forwardedFor` (every `X-Forwarded-For` value, in order).
    public static func resolve(peer: String, forwardedFor: [String], trusted: [IPNetwork]) -> String {
        guard !trusted.isEmpty, isTrusted(peer, trusted) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingSpacesAndTabs() }.filter { !$0.isEmpty }
        guard !hops.isEmpty else { return peer }
        for hop in hops.reversed() {
            let address = hop.strippingPortAndBrackets()
            guard IPNetwork.addressBytes(address) != nil else { return peer } // a malformed entry: trust nothing past it
            if !isTrusted(address, trusted) { return address }
        }
        return hops.first.map { $0.strippingPortAndBrackets() } ?? peer
    }

    static func isTrusted(_ address: String, _ trusted: [IPNetwork]) -> Bool {
        trusted.contains { $0.contains(address) }
    }
}

extension StringProtocol {
    func trimmingSpacesAndTabs() -> String {
        var s = Substring(self)
        while let first = s.first, first == " " || first == "\t" { s = s.dropFirst() }
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return String(s)
    }
}

extension String {
    /// `[v6]:port` → `v6`, `a.b.c.d:port` → `a.b.c.d`; a bare IPv6 address is left alone.
    func strippingPortAndBrackets() -> String {
        if hasPrefix("["), let close = firstIndex(of: "]") { return String(self[index(after: startIndex) ..< close]) }
        if filter({ $0 == ":" }).count == 1, let colon = firstIndex(of: ":") { return String(self[..<colon]) }
        return self
    }
}
