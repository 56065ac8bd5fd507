import Foundation

/// Finds the advisory documents an import names: a JSON file, a directory (every `*.json` below it, in name order),
/// a tar archive, plain or compressed with gzip or zstd, or a zip archive such as osv.dev's `all.zip` (every `*.json`
/// member) — the shapes offline advisory bundles travel in.
public enum AdvisoryFiles {
    /// The largest single document read (the Debian tracker's export is about 70 MB).
    public static let maximumDocumentSize = 512 << 20

    /// Calls `body` with each document's name (its path, or archive path and member) and content, in order.
    public static func documents(at path: String, _ body: (String, [UInt8]) throws -> Void) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AdvisoryFormatError(file: path, reason: "no such file or directory")
        }
        if isDirectory.boolValue {
            guard let enumerator = FileManager.default.enumerator(atPath: path) else {
                throw AdvisoryFormatError(file: path, reason: "the directory cannot be read")
            }
            let names = enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }.sorted()
            for name in names { try body(path + "/" + name, try read(path + "/" + name)) }
            return
        }
        if isArchive(path) {
            try archiveDocuments(path, body)
            return
        }
        if path.lowercased().hasSuffix(".zip") {
            // osv.dev's per-ecosystem exports (`all.zip`).
            let archive: ZipArchive
            do { archive = try ZipArchive(try read(path)) } catch let error as ZipError { throw AdvisoryFormatError(file: path, reason: error.description) }
            for entry in archive.entries where entry.name.hasSuffix(".json") {
                do {
                    try body(path + ":" + entry.name, try archive.content(of: entry, maximum: maximumDocumentSize))
                } catch let error as ZipError {
                    throw AdvisoryFormatError(file: path + ":" + entry.name, reason: error.description)
                } catch let error as DecompressionError {
                    throw AdvisoryFormatError(file: path + ":" + entry.name, reason: error.description)
                }
            }
            return
        }
        try body(path, try read(path))
    }

    /// Whether `path` names a tar archive by its extension.
    static func isArchive(_ path: String) -> Bool {
        [".tar", ".tar.gz", ".tgz", ".tar.zst", ".tar.zstd"].contains { path.hasSuffix($0) }
    }

    private static func read(_ path: String) throws -> [UInt8] {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let size = attributes?[.size] as? Int, size > maximumDocumentSize {
            throw AdvisoryFormatError(file: path, reason: "\(size) bytes is more than the \(maximumDocumentSize) an advisory document may have")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw AdvisoryFormatError(file: path, reason: "cannot be read") }
        return Array(data)
    }

    private static func archiveDocuments(_ path: String, _ body: (String, [UInt8]) throws -> Void) throws {
        guard let file = FileHandle(forReadingAtPath: path) else { throw AdvisoryFormatError(file: path, reason: "cannot be read") }
        defer { try? file.close() }
        var reader = LayerReader()
        var member: String?
        var content: [UInt8] = []
        func handle(_ event: TarReader.Event) throws {
            switch event {
            case .entry(let entry):
                member = entry.kind == .file && entry.path.hasSuffix(".json") ? LayerPath.normalized(entry.path) : nil
                if let name = member, entry.size > Int64(maximumDocumentSize) {
                    throw AdvisoryFormatError(file: path + ":" + name, reason: "\(entry.size) bytes is more than an advisory document may have")
                }
                content = []
            case .data(let bytes): if member != nil { content += bytes }
            case .end:
                if let name = member { try body(path + ":" + name, content) }
                member = nil
                content = []
            }
        }
        do {
            while let chunk = try file.read(upToCount: 1 << 20), !chunk.isEmpty {
                try reader.feed(chunk, handle)
            }
            try reader.finish(handle)
        } catch let error as TarError {
            throw AdvisoryFormatError(file: path, reason: error.description)
        } catch let error as DecompressionError {
            throw AdvisoryFormatError(file: path, reason: error.description)
        }
    }
}
