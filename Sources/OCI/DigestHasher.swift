import CBerthDigest

/// An incremental SHA-256/512 hash whose state can be saved as bytes and resumed later,
/// possibly in another process (upload sessions keep it in the metadata database).
public struct DigestHasher: Sendable {
    private var state: berth_digest_state
    /// The algorithm this hasher computes.
    public let algorithm: DigestAlgorithm

    /// Starts an empty hash.
    public init(_ algorithm: DigestAlgorithm = .sha256) {
        self.algorithm = algorithm
        var s = berth_digest_state()
        let rc = berth_digest_init(&s, algorithm.cValue)
        precondition(rc == 0, "libcrypto refused to initialise \(algorithm)")
        self.state = s
    }

    /// Restores a hash from `savedState`; returns nil when the bytes were written by an incompatible build.
    public init?(restoring saved: [UInt8]) {
        guard saved.count == Self.headerSize + BerthDigestStateSize.value,
              saved[0] == Self.formatVersion,
              let algorithm = DigestAlgorithm.from(code: saved[1]) else { return nil }
        var s = berth_digest_state()
        let expectedSize = berth_digest_context_size(algorithm.cValue)
        withUnsafeMutableBytes(of: &s) { raw in
            saved[Self.headerSize...].withUnsafeBytes { src in raw.copyMemory(from: src) }
        }
        guard s.algorithm == algorithm.cValue.rawValue, Int(s.state_size) == expectedSize else { return nil }
        self.algorithm = algorithm
        self.state = s
    }

    /// Feeds bytes into the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let rc = berth_digest_update(&state, base, bytes.count)
        precondition(rc == 0, "libcrypto hash update failed")
    }

    /// The digest of everything fed so far; the hasher can keep going afterwards.
    public func digest() -> Digest {
        var out = [UInt8](repeating: 0, count: algorithm.byteLength)
        var copy = state
        let rc = out.withUnsafeMutableBytes { berth_digest_peek(&copy, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), $0.count) }
        precondition(rc == 0, "libcrypto hash final failed")
        return Digest(algorithm: algorithm, bytes: out)
    }

    /// The state as bytes, for `init(restoring:)`.
    public var savedState: [UInt8] {
        var out: [UInt8] = [Self.formatVersion, algorithm.code]
        var copy = state
        withUnsafeBytes(of: &copy) { out.append(contentsOf: $0) }
        return out
    }

    private static let formatVersion: UInt8 = 1
    private static let headerSize = 2
}

private enum BerthDigestStateSize {
    static let value = MemoryLayout<berth_digest_state>.size
}

extension DigestAlgorithm {
    var cValue: berth_digest_algorithm {
        switch self {
        case .sha256: return BERTH_DIGEST_SHA256
        case .sha512: return BERTH_DIGEST_SHA512
        }
    }

    var code: UInt8 { self == .sha256 ? 1 : 2 }

    static func from(code: UInt8) -> DigestAlgorithm? {
        switch code {
        case 1: return .sha256
        case 2: return .sha512
        default: return nil
        }
    }
}
