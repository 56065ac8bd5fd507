import Foundation
import Scanner
import Testing

/// The tar reader against archives GNU tar writes in its ustar, GNU and PAX formats, fed in pieces of every size, and
/// against truncated, corrupt and hostile input.
@Suite("Tar reader")
struct TarReaderTests {
    /// What a stream held: each entry with its content.
    static func read(_ archive: [UInt8], pieces: Int) throws -> [(TarEntry, [UInt8])] {
        var reader = TarReader()
        var entries: [(TarEntry, [UInt8])] = []
        var offset = 0
        while offset < archive.count {
            let piece = archive[offset ..< min(archive.count, offset + pieces)]
            offset += piece.count
            for event in try reader.feed(piece) {
                switch event {
                case .entry(let entry): entries.append((entry, []))
                case .data(let bytes): entries[entries.count - 1].1 += bytes
                case .end: break
                }
            }
        }
        try reader.finish()
        return entries
    }

    /// A directory tree with long names, links, an empty file and a whiteout, archived by GNU tar in `format`.
    static func archive(format: String, fileName: String = String(repeating: "f", count: 120)) throws -> [UInt8] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tar-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let deep = "usr/share/" + String(repeating: "d", count: 90) + "/" + String(repeating: "e", count: 60)
        try FileManager.default.createDirectory(at: root.appendingPathComponent(deep), withIntermediateDirectories: true)
        try Data("Package: tzdata\nVersion: 2024a-0+deb12u1\n".utf8).write(to: root.appendingPathComponent("status"))
        try Data(repeating: 7, count: 1000).write(to: root.appendingPathComponent(deep + "/" + fileName))
        try Data().write(to: root.appendingPathComponent("empty"))
        try Data().write(to: root.appendingPathComponent(".wh.removed"))
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("link").path, withDestinationPath: "status")
        try FileManager.default.linkItem(at: root.appendingPathComponent("status"), to: root.appendingPathComponent("zz-hard"))
        let output = root.path + ".tar"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
        tar.arguments = ["--format=\(format)", "--sort=name", "-cf", output, "-C", root.path, "."]
        try tar.run()
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0)
        return Array(try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    @Test("GNU tar's ustar, gnu and pax archives read the same in pieces of any size", arguments: ["gnu", "pax"])
    func formats(_ format: String) throws {
        let archive = try Self.archive(format: format)
        let longFile = "./usr/share/" + String(repeating: "d", count: 90) + "/" + String(repeating: "e", count: 60) + "/" + String(repeating: "f", count: 120)
        for pieces in [1, 7, 511, 512, 513, 4096, archive.count] {
            let entries = try Self.read(archive, pieces: pieces)
            let byPath = Dictionary(entries.map { ($0.0.path, $0) }, uniquingKeysWith: { first, _ in first })
            #expect(byPath["./status"]?.1 == Array("Package: tzdata\nVersion: 2024a-0+deb12u1\n".utf8), "\(format) in pieces of \(pieces)")
            #expect(byPath[longFile]?.1 == [UInt8](repeating: 7, count: 1000) && byPath[longFile]?.0.size == 1000)
            #expect(byPath["./link"]?.0.kind == .symlink && byPath["./link"]?.0.linkTarget == "status")
            #expect(byPath["./zz-hard"]?.0.kind == .hardlink && byPath["./zz-hard"]?.0.linkTarget == "./status")
            #expect(byPath["./empty"]?.0.kind == .file && byPath["./empty"]?.1 == [])
            #expect(byPath["./.wh.removed"] != nil && byPath["./usr/"]?.0.kind == .directory)
        }
    }

    @Test("ustar splits a long path into prefix and name")
    func ustar() throws {
        let archive = try Self.archive(format: "ustar", fileName: "file")
        let entries = try Self.read(archive, pieces: 100)
        let deep = "./usr/share/" + String(repeating: "d", count: 90) + "/" + String(repeating: "e", count: 60)
        #expect(entries.contains { $0.0.path == deep + "/" && $0.0.kind == .directory })
        #expect(entries.first { $0.0.path == deep + "/file" }?.1 == [UInt8](repeating: 7, count: 1000))
    }

    /// One header block named `name` of `type` with octal `size`, its checksum computed after `edit`.
    static func header(_ name: String, type: Character, size: Int = 0, edit: (inout [UInt8]) -> Void = { _ in }) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        block.replaceSubrange(0 ..< name.utf8.count, with: Array(name.utf8))
        let octal = Array(String(size, radix: 8).utf8)
        block.replaceSubrange(124 ..< 124 + octal.count, with: octal)
        block[156] = type.asciiValue ?? 0
        edit(&block)
        var sum = 0
        for (index, byte) in block.enumerated() { sum += (148 ..< 156).contains(index) ? 32 : Int(byte) }
        let checksum = Array(String(sum, radix: 8).utf8)
        block.replaceSubrange(148 ..< 148 + checksum.count, with: checksum)
        return block
    }

    /// `bytes` padded to whole 512-byte blocks.
    static func padded(_ bytes: [UInt8]) -> [UInt8] { bytes + [UInt8](repeating: 0, count: (512 - bytes.count % 512) % 512) }

    @Test("a PAX size applies to the next entry, not to a global header that comes between")
    func paxSizeSkipsExtendedHeaders() throws {
        let record = Array("12 size=700\n".utf8)
        let content = [UInt8](repeating: 9, count: 700)
        // The file's own header says 0 bytes: only the PAX record tells the real size.
        let archive = Self.header("pax", type: "x", size: record.count) + Self.padded(record) + Self.header("global", type: "g")
            + Self.header("data.bin", type: "0") + Self.padded(content) + [UInt8](repeating: 0, count: 1024)
        let entries = try Self.read(archive, pieces: 100)
        #expect(entries.count == 1 && entries.first?.0.path == "data.bin" && entries.first?.1 == content, "\(entries.map(\.0))")
    }

    @Test("truncated, corrupt and hostile archives are refused with a reason, never a trap")
    func badInput() throws {
        let archive = try Self.archive(format: "pax")
        // Cut inside an entry's content, and inside a header.
        for cut in [700, 1300, 2048 + 100] {
            #expect(throws: TarError.self) { _ = try Self.read(Array(archive.prefix(cut)), pieces: 64) }
        }
        // Not a tar archive (the checksum gives it away).
        #expect(throws: TarError.self) { _ = try Self.read(Array("this is not a tar archive at all".utf8) + [UInt8](repeating: 65, count: 600), pieces: 512) }
        // A header claiming an absurd base-256 size, with a correct checksum.
        let big = Self.header("big", type: "0") { block in
            block[124] = 0x80
            for index in 125 ..< 136 { block[index] = 0xff }
        }
        #expect(throws: TarError.self) { _ = try Self.read(big, pieces: 512) }
        // An empty stream and a bare end marker are empty archives.
        #expect(try Self.read([], pieces: 1).isEmpty)
        #expect(try Self.read([UInt8](repeating: 0, count: 1024), pieces: 100).isEmpty)
    }
}
