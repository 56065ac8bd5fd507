/// Package URLs (github.com/package-url/purl-spec) for inventoried packages, as SBOMs and other tools name them:
/// `pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12`, `pkg:golang/golang.org/x/text@v0.3.7`.
public enum PackageURL {
    /// The purl of `package` found on `os` (nil for a type purl cannot name).
    public static func of(_ package: InstalledPackage, on os: OperatingSystem?) -> String {
        var qualifiers: [(String, String)] = []
        let type: String
        var namespace: [String] = []
        var name = package.name
        var version = package.version
        switch package.ecosystem {
        case .deb, .rpm, .apk:
            type = package.ecosystem.rawValue
            namespace = [os?.id ?? (package.ecosystem == .apk ? "alpine" : package.ecosystem == .deb ? "debian" : "")].filter { !$0.isEmpty }
            // The epoch is a qualifier in purl, not part of the version.
            if package.ecosystem != .apk, let colon = version.firstIndex(of: ":"), version[..<colon].allSatisfy(\.isNumber), colon != version.startIndex {
                qualifiers.append(("epoch", String(version[..<colon])))
                version = String(version[version.index(after: colon)...])
            }
            if let architecture = package.architecture, !architecture.isEmpty { qualifiers.append(("arch", architecture)) }
            if let os { qualifiers.append(("distro", os.versionID.isEmpty ? os.id : "\(os.id)-\(os.versionID)")) }
        case .pypi:
            type = "pypi"
            name = PythonMetadata.normalizedName(name)
        case .npm:
            type = "npm"
            if name.hasPrefix("@"), let slash = name.firstIndex(of: "/") {
                namespace = [String(name[..<slash])]
                name = String(name[name.index(after: slash)...])
            }
        case .go:
            type = "golang"
            var parts = name.split(separator: "/").map(String.init)
            name = parts.popLast() ?? name
            namespace = parts
        case .maven:
            type = "maven"
            let parts = name.split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                namespace = [parts[0]]
                name = parts[1]
            }
        case .other:
            type = "generic"
        }
        var text = "pkg:\(type)/"
        for segment in namespace { text += encode(segment) + "/" }
        text += encode(name)
        if !version.isEmpty { text += "@" + encode(version) }
        if !qualifiers.isEmpty {
            text += "?" + qualifiers.sorted { $0.0 < $1.0 }.map { "\($0.0)=\(encode($0.1))" }.joined(separator: "&")
        }
        return text
    }

    /// Percent-encodes everything but unreserved characters (letters, digits, `.`, `-`, `_`, `~`).
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    /// The text with leading zeros to `width` characters.
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
