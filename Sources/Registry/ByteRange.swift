/// A `Content-Range` of an upload chunk (`<start>-<end>`, inclusive).
public struct ChunkRange: Sendable, Equatable {
    /// First byte offset.
    public let start: Int64
    /// Last byte offset, inclusive.
    public let end: Int64

    /// Parses `start-end` (optionally prefixed by `bytes ` and suffixed by `/total`); nil when malformed.
    public init?(header: String) {
        var text = Substring(header)
        if text.hasPrefix("bytes ") { text = text.dropFirst(6) } else if text.hasPrefix("bytes=") { text = text.dropFirst(6) }
        if let slash = text.firstIndex(of: "/") { text = text[..<slash] }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let s = Int64(parts[0]), let e = Int64(parts[1]), s >= 0, e >= s else { return nil }
        self.start = s
        self.end = e
    }

    /// Number of bytes the range covers.
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

    /// Interprets a `Range` header for content of `size` bytes (RFC 9110 §14.2; multiple ranges are served whole).
    public init(header: String?, size: Int64) {
        guard let header, header.hasPrefix("bytes=") else { self = .whole; return }
        let spec = header.dropFirst(6).trimmingCharacters()
        guard !spec.contains(",") else { self = .whole; return }
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { self = .whole; return }
        if parts[0].isEmpty {
            guard let suffix = Int64(parts[1]), suffix > 0 else { self = parts[1].isEmpty ? .whole : .unsatisfiable; return }
            guard size > 0 else { self = .unsatisfiable; return }
            self = .partial(max(0, size - suffix) ..< size)
            return
        }
        guard let first = Int64(parts[0]), first >= 0 else { self = .whole; return }
        guard first < size else { self = .unsatisfiable; return }
        if parts[1].isEmpty {
            self = .partial(first ..< size)
        } else if let last = Int64(parts[1]), last >= first {
            self = .partial(first ..< min(last + 1, size))
        } else {
            self = .whole
        }
    }
}

extension Substring {
    func trimmingCharacters() -> Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
