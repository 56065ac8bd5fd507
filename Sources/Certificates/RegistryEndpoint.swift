import Foundation

/// A registry's address as `berth trust` takes it: `https://host:port`, `host:port` or `host` (port 443).
public struct RegistryEndpoint: Sendable, Equatable {
    /// Host name or IP address (IPv6 without brackets).
    public let host: String
    /// TCP port.
    public let port: Int

    /// Parses the address; nil when it names no valid host name or IP address, uses plain http, or has a bad port.
    public init?(_ text: String) {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        if rest.hasPrefix("https://") { rest = rest.dropFirst(8) } else if rest.contains("://") { return nil }
        rest = rest.prefix { $0 != "/" }
        var host: Substring
        var port = 443
        if rest.hasPrefix("[") {
            guard let end = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex) ..< end]
            let after = rest[rest.index(after: end)...]
            if after.hasPrefix(":") { guard let p = Int(after.dropFirst()), (1 ... 65535).contains(p) else { return nil }; port = p }
            else if !after.isEmpty { return nil }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let p = Int(rest[rest.index(after: colon)...]), (1 ... 65535).contains(p) else { return nil }
            port = p
        } else {
            host = rest
        }
        guard !host.isEmpty, !host.contains(":") || rest.hasPrefix("[") else { return nil }
        // A host name or an IP address, nothing else: the host names directories that `berth trust` writes.
        guard IPAddressBytes.parse(String(host)) != nil || (!host.hasPrefix("*") && SubjectNames.isDNSName(host.lowercased())) else { return nil }
        self.host = String(host)
        self.port = port
    }

    /// `https://host:port`.
    public var url: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return port == 443 ? "https://\(bracketed)" : "https://\(bracketed):\(port)"
    }
}
