/// The ecosystems whose version orders Berth knows, each compared by its own rules (the scanner matches installed
/// package versions against advisories' affected and fixed versions with them).
public enum VersionScheme: String, Sendable, CaseIterable {
    /// Debian and Ubuntu packages (`[epoch:]upstream[-revision]`, `~` before everything).
    case dpkg
    /// RPM packages (`[epoch:]version[-release]`, rpmvercmp with `~` and `^`).
    case rpm
    /// Alpine packages (`1.2.3a_rc1-r2`).
    case apk
    /// Python packages (PEP 440).
    case pep440
    /// Go modules and npm packages (semantic versioning 2.0, with or without a leading `v`).
    case semver
    /// Maven artifacts (Maven's ComparableVersion order of qualifiers).
    case maven

    /// Orders two versions of this ecosystem: negative if `a` comes first, zero if they are equal, positive if `b` does.
    /// Any text is accepted: the comparison never traps, and digit runs of any length are compared without converting
    /// them to fixed-width integers.
    public func compare(_ a: String, _ b: String) -> Int {
        switch self {
        case .dpkg: return DpkgVersion.compare(a, b)
        case .rpm: return RpmVersion.compare(a, b)
        case .apk: return ApkVersion.compare(a, b)
        case .pep440: return Pep440Version.compare(a, b)
        case .semver: return SemanticVersion.compare(a, b)
        case .maven: return MavenVersion.compare(a, b)
        }
    }
}

/// Comparing runs of ASCII digits of any length by value (leading zeros ignored), without integer conversion.
enum DigitRun {
    /// Negative, zero or positive as `a` is less than, equal to or greater than `b`; an empty run counts as zero.
    static func compare<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Int {
        let left = Array(a.drop { $0 == UInt8(ascii: "0") }), right = Array(b.drop { $0 == UInt8(ascii: "0") })
        if left.count != right.count { return left.count < right.count ? -1 : 1 }
        for (x, y) in zip(left, right) where x != y { return x < y ? -1 : 1 }
        return 0
    }

    /// Whether `byte` is an ASCII digit.
    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Whether `byte` is an ASCII letter.
    static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    /// Compares two byte strings lexically.
    static func lexical<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}

/// `[epoch:]version[-release]`, as dpkg and rpm write versions: the epoch before the first colon (when it is all
/// digits), the release (Debian's revision) after the last hyphen.
struct EpochVersionRelease {
    let epoch: [UInt8]
    let version: [UInt8]
    let release: [UInt8]

    init(_ text: String) {
        var bytes = Array(text.utf8)
        var epoch: [UInt8] = []
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")), bytes[..<colon].allSatisfy(DigitRun.isDigit) {
            epoch = Array(bytes[..<colon])
            bytes = Array(bytes[(colon + 1)...])
        }
        self.epoch = epoch
        if let hyphen = bytes.lastIndex(of: UInt8(ascii: "-")) {
            version = Array(bytes[..<hyphen])
            release = Array(bytes[(hyphen + 1)...])
        } else {
            version = bytes
            release = []
        }
    }
}
