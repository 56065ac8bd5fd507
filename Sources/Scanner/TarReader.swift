/// One entry of a tar archive, as its header (and any GNU long-name or PAX header before it) describes it.
public struct TarEntry: Sendable, Equatable {
    /// What the entry is.
    public enum Kind: Sendable, Equatable {
        case file, directory, symlink, hardlink, other
    }

    /// The path as stored (no leading `./` removed; see `LayerPath` for the normalised form).
    public var path: String
    /// What it is.
    public var kind: Kind
    /// The content's size in bytes (0 for everything but files).
    public var size: Int64
    /// A link's target.
    public var linkTarget: String
    /// The permission bits.
    public var mode: Int

    /// An entry as a header describes it.
    public init(path: String, kind: Kind, size: Int64, linkTarget: String, mode: Int) {
        self.path = path
        self.kind = kind
        self.size = size
        self.linkTarget = linkTarget
        self.mode = mode
    }
}

/// Why a tar stream cannot be read.
public struct TarError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, in words.
    public let description: String

    init(_ description: String) { self.description = description }
}

/// Reads a tar stream as it arrives, chunk by chunk, never holding more than one header (and a bounded long name or
/// PAX header) in memory: `feed` hands back the entries and their content as it passes. Handles ustar, GNU long names
/// and links (`L`, `K`), PAX extended headers (`x`, `g`: `path`, `linkpath`, `size`), base-256 sizes, and checks each
/// header's checksum. Sizes are bounded (at most 2^40 bytes per entry) so no arithmetic on them can overflow.
public struct TarReader: Sendable {
    /// What the stream holds, in order.
    public enum Event: Sendable, Equatable {
        /// A new entry begins.
        case entry(TarEntry)
        /// A piece of the current entry's content.
        case data([UInt8])
        /// The current entry's content is complete.
        case end
    }

    /// The largest entry accepted (1 TiB).
    public static let maximumEntrySize: Int64 = 1 << 40
    /// The largest GNU long name or PAX header accepted.
    public static let maximumMetadataSize: Int64 = 1 << 20

    private enum State: Sendable {
        case header
        case content(remaining: Int64, padding: Int64)
        case metadata(kind: UInt8, remaining: Int64, padding: Int64, collected: [UInt8])
        case skipping(remaining: Int64)
        case finished
    }

    private var state = State.header
    private var headerBuffer: [UInt8] = []
    private var zeroBlocks = 0
    private var pendingPath: String?
    private var pendingLink: String?
    private var pendingSize: Int64?

    /// A reader at the start of an archive.
    public init() {}

    /// Whether the archive's end (two zero blocks) was read.
    public var isFinished: Bool { if case .finished = state { true } else { false } }

    /// Consumes the next bytes of the stream and returns what they completed.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws -> [Event] {
        var events: [Event] = []
        var input = bytes[...]
        while !input.isEmpty {
            switch state {
            case .finished:
                // Anything after the end marker (tar pads archives to a record size) is ignored.
                return events
            case .header:
                let take = min(512 - headerBuffer.count, input.count)
                headerBuffer += input.prefix(take)
                input = input.dropFirst(take)
                if headerBuffer.count == 512 {
                    let block = headerBuffer
                    headerBuffer = []
                    try header(block, &events)
                }
            case .content(let remaining, let padding):
                let take = Int(min(Int64(input.count), remaining))
                if take > 0 { events.append(.data(Array(input.prefix(take)))) }
                input = input.dropFirst(take)
                if remaining - Int64(take) == 0 {
                    events.append(.end)
                    state = padding > 0 ? .skipping(remaining: padding) : .header
                } else {
                    state = .content(remaining: remaining - Int64(take), padding: padding)
                }
            case .metadata(let kind, let remaining, let padding, var collected):
                let take = Int(min(Int64(input.count), remaining))
                collected += input.prefix(take)
                input = input.dropFirst(take)
                if remaining - Int64(take) == 0 {
                    try metadata(kind, collected)
                    state = padding > 0 ? .skipping(remaining: padding) : .header
                } else {
                    state = .metadata(kind: kind, remaining: remaining - Int64(take), padding: padding, collected: collected)
                }
            case .skipping(let remaining):
                let take = Int(min(Int64(input.count), remaining))
                input = input.dropFirst(take)
                state = remaining - Int64(take) == 0 ? .header : .skipping(remaining: remaining - Int64(take))
            }
        }
        return events
    }

    /// Checks that the stream ended where an archive may end (not inside a header or an entry).
    public func finish() throws {
        switch state {
        case .finished: return
        case .header where headerBuffer.isEmpty: return  // Some writers omit the end marker.
        default: throw TarError("the archive is truncated")
        }
    }

    private mutating func header(_ block: [UInt8], _ events: inout [Event]) throws {
        if block.allSatisfy({ $0 == 0 }) {
            zeroBlocks += 1
            if zeroBlocks == 2 { state = .finished }
            return
        }
        zeroBlocks = 0
        try Self.verifyChecksum(block)
        let type = block[156]
        let isMetadata = [UInt8(ascii: "L"), UInt8(ascii: "K"), UInt8(ascii: "x"), UInt8(ascii: "g")].contains(type)
        // A PAX size belongs to the next real entry, never to another extended header in between.
        let size = try (isMetadata ? nil : pendingSize) ?? Self.number(block[124 ..< 136])
        guard size >= 0, size <= Self.maximumEntrySize else { throw TarError("an entry's size is out of range") }
        let padding = (512 - size % 512) % 512
        switch type {
        case _ where isMetadata:
            guard size <= Self.maximumMetadataSize else { throw TarError("an extended header is larger than 1 MiB") }
            state = size > 0 ? .metadata(kind: type, remaining: size, padding: padding, collected: []) : .header
            if size == 0 { try metadata(type, []) }
            return
        default:
            break
        }
        var path = Self.text(block[0 ..< 100])
        if block[257 ..< 262].elementsEqual(Array("ustar".utf8)) {
            let prefix = Self.text(block[345 ..< 500])
            if !prefix.isEmpty { path = prefix + "/" + path }
        }
        let kind: TarEntry.Kind
        switch type {
        case UInt8(ascii: "0"), 0, UInt8(ascii: "7"): kind = .file
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "2"): kind = .symlink
        case UInt8(ascii: "1"): kind = .hardlink
        default: kind = .other
        }
        let entry = TarEntry(path: pendingPath ?? path, kind: kind, size: kind == .file ? size : 0,
                             linkTarget: pendingLink ?? Self.text(block[157 ..< 257]), mode: Int(clamping: (try? Self.number(block[100 ..< 108])) ?? 0))
        pendingPath = nil
        pendingLink = nil
        pendingSize = nil
        events.append(.entry(entry))
        if size > 0 {
            // Hard links, symlinks and directories carry no content, but a size they claim is still skipped.
            if kind == .file {
                state = .content(remaining: size, padding: padding)
            } else {
                events.append(.end)
                state = .skipping(remaining: size + padding)
            }
        } else {
            events.append(.end)
        }
    }

    private mutating func metadata(_ kind: UInt8, _ bytes: [UInt8]) throws {
        switch kind {
        case UInt8(ascii: "L"): pendingPath = Self.text(bytes[...])
        case UInt8(ascii: "K"): pendingLink = Self.text(bytes[...])
        case UInt8(ascii: "x"):
            for (key, value) in try Self.paxRecords(bytes) {
                switch key {
                case "path": pendingPath = value
                case "linkpath": pendingLink = value
                case "size":
                    guard value.count <= 13, let size = Int64(value), size >= 0, size <= Self.maximumEntrySize else {
                        throw TarError("a PAX size is out of range")
                    }
                    pendingSize = size
                default: break
                }
            }
        default:
            break  // Global PAX headers set nothing the scanner uses.
        }
    }

    /// PAX records: `<length> <key>=<value>\n`, the length counting the whole record.
    static func paxRecords(_ bytes: [UInt8]) throws -> [(String, String)] {
        var records: [(String, String)] = []
        var index = 0
        while index < bytes.count {
            guard let space = bytes[index...].firstIndex(of: UInt8(ascii: " ")), space - index <= 8,
                  let length = Int(String(decoding: bytes[index ..< space], as: UTF8.self)), length > space - index + 1,
                  index + length <= bytes.count, bytes[index + length - 1] == UInt8(ascii: "\n") else {
                if bytes[index...].allSatisfy({ $0 == 0 }) { break }
                throw TarError("a PAX header is malformed")
            }
            let record = bytes[(space + 1) ..< (index + length - 1)]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")) else { throw TarError("a PAX record has no value") }
            records.append((String(decoding: record[..<equals], as: UTF8.self), String(decoding: record[(equals + 1)...], as: UTF8.self)))
            index += length
        }
        return records
    }

    /// A NUL-terminated text field.
    static func text(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// A numeric field: octal digits (padded with spaces or NULs), or base-256 when the high bit of the first byte is
    /// set; out of range (beyond 2^40 or negative) is refused.
    static func number(_ field: ArraySlice<UInt8>) throws -> Int64 {
        if let first = field.first, first & 0x80 != 0 {
            guard first == 0x80 else { throw TarError("a negative or oversized number in a header") }
            var value: Int64 = 0
            for byte in field.dropFirst() {
                guard value <= (Self.maximumEntrySize >> 8) else { throw TarError("a number in a header is out of range") }
                value = value << 8 | Int64(byte)
            }
            return value
        }
        var value: Int64 = 0
        for byte in field {
            if byte == 0 || byte == UInt8(ascii: " ") {
                if value > 0 { break } else { continue }
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "7") else { throw TarError("a header field is not an octal number") }
            guard value <= (Self.maximumEntrySize >> 3) else { throw TarError("a number in a header is out of range") }
            value = value << 3 | Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// The header checksum: the sum of its bytes with the checksum field read as spaces (signed or unsigned).
    static func verifyChecksum(_ block: [UInt8]) throws {
        let stored = try number(block[148 ..< 156])
        var unsigned: Int64 = 0, signed: Int64 = 0
        for (index, byte) in block.enumerated() {
            let value = (148 ..< 156).contains(index) ? UInt8(ascii: " ") : byte
            unsigned += Int64(value)
            signed += Int64(Int8(bitPattern: value))
        }
        guard stored == unsigned || stored == signed else { throw TarError("a header's checksum does not match (not a tar archive?)") }
    }
}
