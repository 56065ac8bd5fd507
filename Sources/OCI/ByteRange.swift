/// A `Content-Range` of an upload chunk (`<start>-<end>`, inclusive). Both ends are client input: they are parsed
/// without overflow and the range's length always fits in an `Int64`.
public struct ChunkRange: Sendable, Equatable {
    /// First byte offset.
    public let start: Int64
    /// Last byte offset, inclusive.
    public let end: Int64

    /// Parses `start-end` (optionally prefixed by `bytes ` or `bytes=` and suffixed by `/total`); nil when malformed
    /// or when the range is too long to be counted in an `Int64`.
    public init?(header: String) {
        var text = Substring(header)
        if text.hasPrefix("bytes ") || text.hasPrefix("bytes=") { text = text.dropFirst(6) }
        if let slash = text.firstIndex(of: "/") { text = text[..<slash] }
        let parts = text.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 2, let s = ByteOffset.parse(parts[0]), let e = ByteOffset.parse(parts[1]), e >= s,
              e < Int64.max else { return nil }
        self.start = s
        self.end = e
    }

    /// Number of bytes the range covers (at least 1; `end < Int64.max` keeps it from overflowing).
    public var length: Int64 { end - start + 1 }
}

/// A single `Range: bytes=…` request on a blob, resolved against the blob's size.
public enum RequestedRange: Sendable, Equatable {
    /// No (usable) range: send everything.
    case whole
    /// Send this half-open byte range with 206.
    case partial(Range<Int64>)
    /// The range cannot be satisfied: answer 416.
    case unsatisfiable

    /// Interprets a `Range` header for content of `size` bytes (RFC 9110 §14.2). A header that is not a single valid
    /// byte range is ignored (the whole content is sent), as the RFC allows; several ranges are served whole.
    public init(header: String?, size: Int64) {
        guard let header, header.hasPrefix("bytes="), size >= 0 else { self = .whole; return }
        let spec = header.dropFirst(6).trimmingSpaces()
        guard !spec.contains(",") else { self = .whole; return }
        let parts = spec.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 2 else { self = .whole; return }
        if parts[0].isEmpty {
            // `bytes=-N`: the last N bytes.
            guard let suffix = ByteOffset.parse(parts[1]) else { self = .whole; return }
            guard suffix > 0, size > 0 else { self = .unsatisfiable; return }
            self = .partial((suffix >= size ? 0 : size - suffix) ..< size)
            return
        }
        guard let first = ByteOffset.parse(parts[0]) else { self = .whole; return }
        guard first < size else { self = .unsatisfiable; return }
        if parts[1].isEmpty {
            self = .partial(first ..< size)
        } else if let last = ByteOffset.parse(parts[1]), last >= first {
            // `last` may be anything up to Int64.max; clamp before adding one.
            self = .partial(first ..< min(last, size - 1) + 1)
        } else {
            self = .whole
        }
    }
}

/// Byte offsets as HTTP range headers write them: ASCII digits only (no sign, no spaces), at most `Int64.max`.
public enum ByteOffset {
    /// The offset, or nil when `text` is not 1–19 digits or exceeds `Int64.max`.
    public static func parse(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.utf8.count <= 19, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(text)
    }
}

extension Substring {
    /// The text without leading and trailing spaces.
    func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
