import CBerthRpmDB

/// The rpm database of RHEL 9, Fedora, Rocky and Alma images (`rpmdb.sqlite`): each row of its `Packages` table is an
/// rpm header, a big-endian index of tags into a data store; the name, epoch, version, release, architecture and
/// source rpm come from it. The database is read in memory through the system's SQLite (see `CBerthRpmDB`).
public enum RpmDatabase {
    /// Whether rpm databases can be read here.
    public static var available: Bool { berth_rpmdb_available() != 0 }

    /// The installed packages of the database `bytes` found at `location`, and what could not be read.
    public static func packages(_ bytes: [UInt8], location: String) -> (packages: [InstalledPackage], warnings: [String]) {
        final class Blobs { var items: [[UInt8]] = [] }
        let blobs = Blobs()
        var message: UnsafePointer<CChar>?
        let status = bytes.withUnsafeBufferPointer { buffer in
            berth_rpmdb_headers(buffer.baseAddress, buffer.count, Unmanaged.passUnretained(blobs).toOpaque(), { context, blob, length in
                guard let context, let blob else { return }
                Unmanaged<Blobs>.fromOpaque(context).takeUnretainedValue().items.append(Array(UnsafeBufferPointer(start: blob, count: length)))
            }, &message)
        }
        guard status == 0 else { return ([], ["\(location): the rpm database cannot be read: \(message.map { String(cString: $0) } ?? "unknown reason")"]) }
        var packages: [InstalledPackage] = []
        var damaged = 0
        for blob in blobs.items {
            guard let header = RpmHeader(blob) else { damaged += 1; continue }
            guard let name = header.string(1000), let version = header.string(1001), let release = header.string(1002), name != "gpg-pubkey" else { continue }
            let epoch = header.int32(1003).map { "\($0):" } ?? ""
            let full = "\(epoch)\(version)-\(release)"
            var source: String?
            if let sourceRPM = header.string(1044), sourceRPM.hasSuffix(".src.rpm") {
                // name-version-release.src.rpm
                let parts = sourceRPM.dropLast(".src.rpm".count).split(separator: "-")
                if parts.count >= 3 { source = parts.dropLast(2).joined(separator: "-") }
            }
            packages.append(InstalledPackage(ecosystem: .rpm, name: name, version: full, sourceName: source, sourceVersion: full,
                                             architecture: header.string(1022), location: location))
        }
        return (packages, damaged > 0 ? ["\(location): \(damaged) rpm headers are damaged"] : [])
    }
}

/// One rpm header as the database stores it (without the header magic): entry count, data size, the entries
/// (tag, type, offset, count; big-endian) and the data. Every offset is checked against the data before use.
struct RpmHeader {
    private let entries: [Int32: (type: Int32, offset: Int, count: Int)]
    private let data: ArraySlice<UInt8>

    init?(_ blob: [UInt8]) {
        guard blob.count >= 8 else { return nil }
        func u32(_ at: Int) -> UInt32 { UInt32(blob[at]) << 24 | UInt32(blob[at + 1]) << 16 | UInt32(blob[at + 2]) << 8 | UInt32(blob[at + 3]) }
        let count = Int(u32(0)), size = Int(u32(4))
        guard count <= 65_536, size <= blob.count, 8 + count * 16 <= blob.count - size else { return nil }
        var entries: [Int32: (type: Int32, offset: Int, count: Int)] = [:]
        for index in 0..<count {
            let at = 8 + index * 16
            let tag = Int32(bitPattern: u32(at)), type = Int32(bitPattern: u32(at + 4))
            let offset = Int(u32(at + 8)), items = Int(u32(at + 12))
            guard offset < size || size == 0 else { continue }
            entries[tag] = (type, offset, items)
        }
        self.entries = entries
        let start = 8 + count * 16
        data = blob[start..<(start + size)]
    }

    /// A string tag's value (STRING or the first of STRING_ARRAY / I18NSTRING).
    func string(_ tag: Int32) -> String? {
        guard let entry = entries[tag], [6, 8, 9].contains(entry.type), entry.offset < data.count else { return nil }
        let start = data.startIndex + entry.offset
        guard let end = data[start...].firstIndex(of: 0) else { return nil }
        return String(decoding: data[start..<end], as: UTF8.self)
    }

    /// An INT32 tag's first value.
    func int32(_ tag: Int32) -> Int32? {
        guard let entry = entries[tag], entry.type == 4, entry.count >= 1, entry.offset <= data.count - 4 else { return nil }
        let at = data.startIndex + entry.offset
        return Int32(bitPattern: UInt32(data[at]) << 24 | UInt32(data[at + 1]) << 16 | UInt32(data[at + 2]) << 8 | UInt32(data[at + 3]))
    }
}
