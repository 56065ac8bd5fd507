import Foundation
import Testing

/// Builds real image layers for the scanner's tests: a directory tree written to disk, archived by GNU tar and
/// compressed by the gzip or zstd command, as image builders do.
enum LayerFixture {
    /// What a path in a layer is.
    enum Item {
        case file(String)
        case bytes([UInt8])
        case executable([UInt8])
        case symlink(String)
        case directory
    }

    /// A tar archive of `items`, compressed with `compression` (`gzip`, `zstd` or nil for a plain tar).
    static func layer(_ items: [String: Item], compression: String? = "gzip") throws -> [UInt8] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("layer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        for (path, item) in items.sorted(by: { $0.key < $1.key }) {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            switch item {
            case .file(let text): try Data(text.utf8).write(to: url)
            case .bytes(let bytes): try Data(bytes).write(to: url)
            case .executable(let bytes):
                try Data(bytes).write(to: url)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
            case .symlink(let target): try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
            case .directory: try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            }
        }
        let archive = root.path + ".tar"
        defer { try? FileManager.default.removeItem(atPath: archive) }
        try run("/usr/bin/tar", ["--format=pax", "--sort=name", "-cf", archive, "-C", root.path, "."])
        guard let compression else { return Array(try Data(contentsOf: URL(fileURLWithPath: archive))) }
        return try compress(Array(try Data(contentsOf: URL(fileURLWithPath: archive))), with: compression)
    }

    /// `bytes` compressed by the `gzip` or `zstd` command (`arguments` added, e.g. a level).
    static func compress(_ bytes: [UInt8], with command: String, arguments: [String] = []) throws -> [UInt8] {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("raw-\(UUID().uuidString)")
        try Data(bytes).write(to: input)
        defer {
            try? FileManager.default.removeItem(at: input)
            try? FileManager.default.removeItem(atPath: input.path + (command == "gzip" ? ".gz" : ".zst"))
        }
        try run("/usr/bin/\(command)", arguments + ["-q", "-k", "-f", input.path])
        return Array(try Data(contentsOf: URL(fileURLWithPath: input.path + (command == "gzip" ? ".gz" : ".zst"))))
    }

    /// Runs a command and expects it to succeed.
    static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(executable) \(arguments.joined(separator: " "))")
    }

    /// `bytes` in pieces of `size` (the whole when size is 0).
    static func pieces(_ bytes: [UInt8], size: Int) -> [ArraySlice<UInt8>] {
        guard size > 0 else { return [bytes[...]] }
        return stride(from: 0, to: bytes.count, by: size).map { bytes[$0..<min($0 + size, bytes.count)] }
    }
}
