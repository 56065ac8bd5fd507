/// A content digest such as `sha256:9f86d0…`, restricted to the algorithms Berth can verify.
public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The hash function that produced the digest.
    public let algorithm: DigestAlgorithm
    /// Lower-case hexadecimal encoding of the hash.
    public let hex: String

    /// Parses `algorithm:hex`; throws `DIGEST_INVALID` for anything malformed and `UNSUPPORTED` for unknown algorithms.
    public init(parsing text: some StringProtocol) throws(DistributionError) {
        guard let colon = text.firstIndex(of: ":") else {
            throw DistributionError(.digestInvalid, "digest \(Self.quoted(text)) is not of the form algorithm:encoded")
        }
        let algorithmText = text[..<colon]
        let encoded = text[text.index(after: colon)...]
        guard let algorithm = DigestAlgorithm(rawValue: String(algorithmText)) else {
            if Self.isWellFormedAlgorithm(algorithmText), !encoded.isEmpty {
                throw DistributionError(.unsupported, "digest algorithm \(Self.quoted(algorithmText)) is not supported; use sha256 or sha512", status: 400)
            }
            throw DistributionError(.digestInvalid, "digest \(Self.quoted(text)) is not of the form algorithm:encoded")
        }
        guard encoded.utf8.count == algorithm.hexLength,
              encoded.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else {
            throw DistributionError(.digestInvalid, "digest \(Self.quoted(text)) must have \(algorithm.hexLength) lower-case hex characters after \(algorithm.rawValue):")
        }
        self.algorithm = algorithm
        self.hex = String(encoded)
    }

    /// Builds a digest from raw hash bytes.
    public init(algorithm: DigestAlgorithm, bytes: some Collection<UInt8>) {
        self.algorithm = algorithm
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        self.hex = String(decoding: out, as: UTF8.self)
    }

    /// The canonical `algorithm:hex` form.
    public var description: String { "\(algorithm.rawValue):\(hex)" }

    /// Orders digests by their canonical text.
    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }

    /// Computes the digest of a complete byte sequence.
    public static func compute(_ algorithm: DigestAlgorithm = .sha256, of bytes: some Sequence<UInt8>) -> Digest {
        var hasher = DigestHasher(algorithm)
        let array = Array(bytes)
        array.withUnsafeBytes { hasher.update($0) }
        return hasher.digest()
    }

    private static func isWellFormedAlgorithm(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2b || $0 == 0x2e || $0 == 0x5f || $0 == 0x2d }
    }

    static func quoted(_ text: some StringProtocol) -> String {
        let clipped = text.prefix(80)
        return "\"\(clipped)\(text.count > 80 ? "…" : "")\""
    }
}

/// Hash functions accepted in digests.
public enum DigestAlgorithm: String, Sendable, CaseIterable {
    /// SHA-256, the canonical algorithm.
    case sha256
    /// SHA-512.
    case sha512

    /// Number of hex characters in an encoded digest of this algorithm.
    public var hexLength: Int { self == .sha256 ? 64 : 128 }
    /// Number of raw bytes in a hash of this algorithm.
    public var byteLength: Int { hexLength / 2 }
}
