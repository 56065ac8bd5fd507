/// A repository name such as `library/nginx`, validated against the OCI distribution grammar
/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`.
public struct RepositoryName: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The longest name accepted (clients limit host + name to 255 characters).
    public static let maximumLength = 255

    /// The validated name.
    public let value: String

    /// Validates `text`; throws `NAME_INVALID` with the reason.
    public init(_ text: some StringProtocol) throws(DistributionError) {
        guard !text.isEmpty else { throw DistributionError(.nameInvalid, "repository name is empty") }
        guard text.utf8.count <= Self.maximumLength else {
            throw DistributionError(.nameInvalid, "repository name is longer than \(Self.maximumLength) characters")
        }
        for component in String(text).split(separator: "/", omittingEmptySubsequences: false) {
            guard Self.isValidComponent(component.utf8) else {
                throw DistributionError(.nameInvalid, "invalid repository name \(Digest.quoted(text)): each path component must be lower-case letters and digits, separated by '.', '_', '__' or '-'")
            }
        }
        self.value = String(text)
    }

    /// The first path component, which later becomes the project.
    public var firstComponent: Substring { value.split(separator: "/", maxSplits: 1).first ?? Substring(value) }

    /// The name itself.
    public var description: String { value }

    /// Orders names bytewise.
    public static func < (lhs: RepositoryName, rhs: RepositoryName) -> Bool { lhs.value < rhs.value }

    private static func isAlnum(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    private static func isValidComponent(_ bytes: Substring.UTF8View) -> Bool {
        var separator: [UInt8] = []
        var sawAlnum = false
        for c in bytes {
            if isAlnum(c) {
                if !separator.isEmpty {
                    guard sawAlnum, isAllowedSeparator(separator) else { return false }
                    separator.removeAll(keepingCapacity: true)
                }
                sawAlnum = true
            } else if c == 0x2e || c == 0x5f || c == 0x2d {
                guard sawAlnum else { return false }
                separator.append(c)
            } else {
                return false
            }
        }
        return sawAlnum && separator.isEmpty
    }

    private static func isAllowedSeparator(_ s: [UInt8]) -> Bool {
        switch s {
        case [0x2e], [0x5f], [0x5f, 0x5f]: return true
        default: return s.allSatisfy { $0 == 0x2d }
        }
    }
}
