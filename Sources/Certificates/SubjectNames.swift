import Foundation
import SwiftASN1
import X509

/// The names a server certificate is valid for: DNS names and IP addresses.
public struct SubjectNames: Sendable, Equatable {
    /// DNS names, lowercased, in the order given, without duplicates.
    public private(set) var dnsNames: [String] = []
    /// IP addresses as bytes (4 or 16), without duplicates.
    public private(set) var ipAddresses: [[UInt8]] = []

    /// No names.
    public init() {}

    /// Adds a host name or an IP address (IPv6 may be bracketed); a URL's host is taken from it.
    /// Throws for text that is neither.
    public mutating func add(_ text: String) throws {
        var host = text.trimmingCharacters(in: .whitespaces)
        if host.contains("://"), let url = URL(string: host), let urlHost = url.host { host = urlHost }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if let bytes = IPAddressBytes.parse(host) {
            if !ipAddresses.contains(bytes) { ipAddresses.append(bytes) }
            return
        }
        let name = host.lowercased()
        guard SubjectNames.isDNSName(name) else { throw CertificateProblem("\(text) is not a host name or an IP address") }
        if !dnsNames.contains(name) { dnsNames.append(name) }
    }

    /// `localhost`, 127.0.0.1 and ::1.
    public mutating func addLoopback() {
        try? add("localhost")
        try? add("127.0.0.1")
        try? add("::1")
    }

    /// The subject alternative names extension's entries.
    var generalNames: [GeneralName] {
        dnsNames.map { GeneralName.dnsName($0) } + ipAddresses.map { GeneralName.ipAddress(ASN1OctetString(contentBytes: $0[...])) }
    }

    /// Letters, digits, hyphens and dots, labels of 1–63 characters, a leading `*.` allowed.
    static func isDNSName(_ name: String) -> Bool {
        var rest = Substring(name)
        if rest.hasPrefix("*.") { rest = rest.dropFirst(2) }
        guard !rest.isEmpty, rest.count <= 253 else { return false }
        return rest.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1 ... 63).contains(label.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}

/// Textual IP addresses to bytes.
enum IPAddressBytes {
    /// The 4 or 16 bytes of an IPv4 or IPv6 address; nil for anything else.
    static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
