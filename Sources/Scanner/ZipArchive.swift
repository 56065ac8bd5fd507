/// Reads entries of a zip archive held in memory (jars, wars, ears): the central directory at its end, then each
/// wanted entry's local header and data, stored or deflated. Sizes and offsets are checked against the archive before
/// any arithmetic, inflated entries are bounded, and Zip64 archives (over 4 GiB) are refused.
public struct ZipArchive {
    /// One file in the archive.
    public struct Entry: Sendable, Equatable {
        /// Its path inside the archive.
        public var name: String
        /// 0 (stored) or 8 (deflated).
        public var method: UInt16
        /// Bytes it takes in the archive.
        public var compressedSize: Int
        /// Bytes it has once inflated.
        public var size: Int
        /// Where its local header starts.
        public var headerOffset: Int
    }

    /// The archive's entries, in central-directory order.
    public let entries: [Entry]
    private let bytes: [UInt8]

    /// Reads the central directory of `bytes`; throws when it is not a zip archive.
    public init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        guard bytes.count >= 22 else { throw ZipError("too short to be a zip archive") }
        // The end-of-central-directory record: within the last 64 KiB + 22 bytes (its comment is at most 65535 bytes).
        var end = -1
        var position = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 65_535)
        while position >= lowest {
            if bytes[position] == 0x50, bytes[position + 1] == 0x4B, bytes[position + 2] == 0x05, bytes[position + 3] == 0x06 { end = position; break }
            position -= 1
        }
        guard end >= 0 else { throw ZipError("no end of central directory record") }
        var count = Int(Self.u16(bytes, end + 10)), directorySize = Int(Self.u32(bytes, end + 12)), directoryOffset = Int(Self.u32(bytes, end + 16))
        if count == 0xFFFF || directoryOffset == 0xFFFF_FFFF || directorySize == 0xFFFF_FFFF {
            // Zip64 (osv.dev's exports of large ecosystems have more than 65,535 files): the locator just before the
            // end record points to the Zip64 end record, which has the real count, size and offset.
            guard end >= 76, Self.u32(bytes, end - 20) == 0x0706_4B50 else { throw ZipError("a Zip64 archive without its locator") }
            let record = Self.u64(bytes, end - 12)
            guard record <= UInt64(end - 76), Self.u32(bytes, Int(record)) == 0x0606_4B50 else { throw ZipError("the Zip64 end record is damaged") }
            let entries = Self.u64(bytes, Int(record) + 32), size = Self.u64(bytes, Int(record) + 40), offset = Self.u64(bytes, Int(record) + 48)
            guard entries <= UInt64(bytes.count / 46), size <= UInt64(bytes.count), offset <= UInt64(bytes.count) else {
                throw ZipError("the Zip64 end record names more than the archive holds")
            }
            count = Int(entries)
            directorySize = Int(size)
            directoryOffset = Int(offset)
            end = Int(record)
        }
        guard directoryOffset <= end, directorySize <= end - directoryOffset else { throw ZipError("the central directory lies outside the archive") }
        var entries: [Entry] = []
        var cursor = directoryOffset
        for _ in 0..<count {
            guard cursor <= end - 46, Self.u32(bytes, cursor) == 0x0201_4B50 else { throw ZipError("a central directory entry is damaged") }
            let method = Self.u16(bytes, cursor + 10)
            let compressed = Int(Self.u32(bytes, cursor + 20)), size = Int(Self.u32(bytes, cursor + 24))
            let nameLength = Int(Self.u16(bytes, cursor + 28)), extraLength = Int(Self.u16(bytes, cursor + 30)), commentLength = Int(Self.u16(bytes, cursor + 32))
            let offset = Int(Self.u32(bytes, cursor + 42))
            guard nameLength <= end - cursor - 46 else { throw ZipError("a central directory entry's name runs past the directory") }
            let name = String(decoding: bytes[(cursor + 46)..<(cursor + 46 + nameLength)], as: UTF8.self)
            entries.append(Entry(name: name, method: method, compressedSize: compressed, size: size, headerOffset: offset))
            cursor += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    /// The content of `entry`, at most `maximum` bytes once inflated.
    public func content(of entry: Entry, maximum: Int) throws -> [UInt8] {
        let offset = entry.headerOffset
        guard offset <= bytes.count - 30, Self.u32(bytes, offset) == 0x0403_4B50 else { throw ZipError("\(entry.name): its local header is damaged") }
        let start = offset + 30 + Int(Self.u16(bytes, offset + 26)) + Int(Self.u16(bytes, offset + 28))
        guard start <= bytes.count, entry.compressedSize <= bytes.count - start else { throw ZipError("\(entry.name): its data runs past the archive") }
        guard entry.size <= maximum else { throw ZipError("\(entry.name): \(entry.size) bytes is more than \(maximum)") }
        let data = bytes[start..<(start + entry.compressedSize)]
        switch entry.method {
        case 0: return Array(data)
        case 8:
            let inflater = try Decompressor.deflate(maximumOutput: Int64(maximum))
            var output: [UInt8] = []
            // The declared size is the archive's word, not a fact: reserve no more than deflate can expand this data to.
            output.reserveCapacity(min(entry.size, entry.compressedSize.multipliedReportingOverflow(by: 1032).partialValue, 1 << 24))
            try inflater.feed(data) { output += $0 }
            try inflater.finish()
            return output
        default: throw ZipError("\(entry.name): compression method \(entry.method) is not read")
        }
    }

    static func u64(_ bytes: [UInt8], _ at: Int) -> UInt64 { UInt64(u32(bytes, at)) | UInt64(u32(bytes, at + 4)) << 32 }
    static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}

/// Why a zip archive could not be read.
public struct ZipError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public let description: String

    init(_ description: String) { self.description = description }
}

/// Java archives (jar, war, ear): the Maven coordinates in each `META-INF/maven/<group>/<artifact>/pom.properties`,
/// including those of jars nested inside (a war's `WEB-INF/lib`, a Spring Boot jar's `BOOT-INF/lib`), three levels deep.
public enum JavaArchive {
    /// Whether `path` names a Java archive.
    public static func isArchive(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".jar") || lower.hasSuffix(".war") || lower.hasSuffix(".ear")
    }

    /// The largest nested archive or properties file read.
    static let maximumNested = 64 << 20

    /// The packages in the archive `bytes` found at `location`, and what could not be read.
    public static func packages(_ bytes: [UInt8], location: String, depth: Int = 0) -> (packages: [InstalledPackage], warnings: [String]) {
        let archive: ZipArchive
        do { archive = try ZipArchive(bytes) } catch { return ([], ["\(location): \(error)"]) }
        var packages: [InstalledPackage] = []
        var warnings: [String] = []
        for entry in archive.entries {
            do {
                if entry.name.hasPrefix("META-INF/maven/") && entry.name.hasSuffix("/pom.properties") {
                    let properties = parseProperties(String(decoding: try archive.content(of: entry, maximum: 1 << 20), as: UTF8.self))
                    if let group = properties["groupId"], let artifact = properties["artifactId"], let version = properties["version"],
                       !group.isEmpty, !artifact.isEmpty, !version.isEmpty {
                        packages.append(InstalledPackage(ecosystem: .maven, name: "\(group):\(artifact)", version: version, location: location))
                    }
                } else if isArchive(entry.name), depth < 2 {
                    let nested = JavaArchive.packages(try archive.content(of: entry, maximum: maximumNested), location: location + "!" + entry.name,
                                                      depth: depth + 1)
                    packages += nested.packages
                    warnings += nested.warnings
                }
            } catch {
                warnings.append("\(location): \(error)")
            }
        }
        return (packages, warnings)
    }

    /// `key=value` lines of a Java properties file (comments and blank lines skipped).
    static func parseProperties(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let trimmed = line.trimmingSpaces()
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), !trimmed.hasPrefix("!"), let equals = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
            values[String(trimmed[..<equals].trimmingSpaces())] = String(trimmed[trimmed.index(after: equals)...].trimmingSpaces())
        }
        return values
    }
}
