/// A tag, validated against `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
public struct Tag: Hashable, Sendable, CustomStringConvertible {
    /// The longest tag accepted.
    public static let maximumLength = 128

    /// The validated tag.
    public let value: String

    /// Validates `text`; throws `TAG_INVALID` with the reason.
    public init(_ text: some StringProtocol) throws(DistributionError) {
        let bytes = text.utf8
        guard let first = bytes.first else { throw DistributionError(.tagInvalid, "tag is empty") }
        guard bytes.count <= Self.maximumLength else {
            throw DistributionError(.tagInvalid, "tag is longer than \(Self.maximumLength) characters")
        }
        guard Self.isWordChar(first), bytes.allSatisfy({ Self.isWordChar($0) || $0 == 0x2e || $0 == 0x2d }) else {
            throw DistributionError(.tagInvalid, "invalid tag \(Digest.quoted(text)): tags are letters, digits, '_', '.' and '-', not starting with '.' or '-'")
        }
        self.value = String(text)
    }

    /// The tag itself.
    public var description: String { value }

    private static func isWordChar(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x5f
    }
}

/// What a manifest URL names: a tag or a digest.
public enum Reference: Hashable, Sendable, CustomStringConvertible {
    case tag(Tag)
    case digest(Digest)

    /// Parses a `<reference>` path component: anything with a `:` is a digest, else a tag.
    public init(parsing text: some StringProtocol) throws(DistributionError) {
        if text.contains(":") {
            self = .digest(try Digest(parsing: text))
        } else {
            self = .tag(try Tag(text))
        }
    }

    /// The reference as it appears in a URL.
    /// Whether the reference is a digest rather than a tag.
    public var isDigest: Bool {
        if case .digest = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .tag(let t): return t.value
        case .digest(let d): return d.description
        }
    }
}
