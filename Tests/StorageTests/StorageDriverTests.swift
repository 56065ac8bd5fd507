import Foundation
import NIOCore
import NIOPosix
import OCI
import Storage
import Testing

/// The storage driver contract, run against every driver: the filesystem driver on a real directory, and the S3
/// driver on two real S3 servers (`rclone serve s3`, which checks signatures, and `moto_server`).
@Suite("Storage drivers")
struct StorageDriverTests {
    func withDriver(_ kind: DriverKind, _ body: (any StorageDriver) async throws -> Void) async throws {
        try await kind.withDriver(body)
    }

    func readAll(_ reader: any StorageReader) async throws -> [UInt8] {
        var out: [UInt8] = []
        while let chunk = try await reader.next() { out += chunk.readableBytesView }
        await reader.close()
        return out
    }

    @Test("write, commit, size and chunked reads of whole objects and ranges", arguments: DriverKind.allCases)
    func writeAndRead(_ kind: DriverKind) async throws {
        try await withDriver(kind) { driver in
            let path = StoragePath("uploads", "one", "data")
            var writer = try await driver.writer(for: path, startingAt: 0)
            let bytes = (0 ..< 5000).map { UInt8($0 % 251) }
            try await writer.write(ByteBuffer(bytes: bytes[0 ..< 1234]))
            try await writer.write(ByteBuffer(bytes: bytes[1234...]))
            #expect(writer.size == 5000)
            try await writer.commit()
            #expect(try await driver.size(of: path) == 5000)
            #expect(try await readAll(try await driver.reader(for: path, range: nil)) == bytes)
            #expect(try await readAll(try await driver.reader(for: path, range: 100 ..< 2600)) == Array(bytes[100 ..< 2600]))
        }
    }

    @Test("an upload written in many chunks, reopened by another writer, moves into one object byte for byte", arguments: DriverKind.allCases)
    func chunkedUploadMoves(_ kind: DriverKind) async throws {
        try await withDriver(kind) { driver in
            let upload = StoragePath("uploads", "session")
            let target = StoragePath("blobs", "sha256", "ff", "whole")
            let bytes = (0 ..< 13 * 1024 * 1024 + 123).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
            var offset = 0
            // Chunk sizes as clients send them: small ones, then large ones, each committed by a fresh writer.
            for size in [1000, 70_000, 6 * 1024 * 1024, 5 * 1024 * 1024, 1024 * 1024] where offset < bytes.count {
                var writer = try await driver.writer(for: upload, startingAt: Int64(offset))
                let end = min(bytes.count, offset + size)
                try await writer.write(ByteBuffer(bytes: bytes[offset ..< end]))
                try await writer.commit()
                offset = end
            }
            var last = try await driver.writer(for: upload, startingAt: Int64(offset))
            try await last.write(ByteBuffer(bytes: bytes[offset...]))
            try await last.commit()
            #expect(try await driver.size(of: upload) == Int64(bytes.count))
            #expect(try await readAll(try await driver.reader(for: upload, range: 1_000_000 ..< 1_000_100)) == Array(bytes[1_000_000 ..< 1_000_100]))
            // A range across three of the pieces the upload was written in.
            let across = 70_500 ..< 6 * 1024 * 1024 + 72_000
            #expect(try await readAll(try await driver.reader(for: upload, range: Int64(across.lowerBound) ..< Int64(across.upperBound))) == Array(bytes[across]))
            // A reader abandoned after its first chunk does not disturb the next reads.
            let abandoned = try await driver.reader(for: upload, range: nil)
            #expect(try await abandoned.next() != nil)
            await abandoned.close()
            try await driver.move(upload, to: target)
            #expect(try await driver.size(of: upload) == nil)
            #expect(try await driver.size(of: target) == Int64(bytes.count))
            #expect(try await readAll(try await driver.reader(for: target, range: nil)) == bytes)
            #expect(try await driver.list(StoragePath("uploads")) == [])
        }
    }

    @Test("reopening a writer at an offset discards bytes beyond it", arguments: DriverKind.allCases)
    func resumeTruncates(_ kind: DriverKind) async throws {
        try await withDriver(kind) { driver in
            let path = StoragePath("uploads", "two", "data")
            var w1 = try await driver.writer(for: path, startingAt: 0)
            try await w1.write(ByteBuffer(bytes: [1, 2, 3, 4, 5, 6]))
            try await w1.commit()
            var w2 = try await driver.writer(for: path, startingAt: 3)
            try await w2.write(ByteBuffer(bytes: [9]))
            try await w2.commit()
            #expect(try await driver.get(path).readableBytesView.elementsEqual([1, 2, 3, 9]))
        }
    }

    @Test("put, move, list and delete; missing objects read as absent", arguments: DriverKind.allCases)
    func objectLifecycle(_ kind: DriverKind) async throws {
        try await withDriver(kind) { driver in
            let a = StoragePath("a", "x")
            let b = StoragePath("blobs", "sha256", "ab", "cd")
            try await driver.put(ByteBuffer(string: "hello"), at: a)
            try await driver.move(a, to: b)
            #expect(try await driver.size(of: a) == nil)
            #expect(String(buffer: try await driver.get(b)) == "hello")
            #expect(try await driver.list(StoragePath("blobs", "sha256")) == ["ab"])
            #expect(try await driver.modificationTime(of: b) != nil)
            try await driver.delete(StoragePath("blobs"))
            #expect(try await driver.size(of: b) == nil)
            try await driver.delete(StoragePath("blobs"))
            await #expect(throws: StorageError.notFound(b)) { try await driver.get(b) }
            #expect(try await driver.list(StoragePath("nothing")) == [])
        }
    }

    @Test("objects(in:) lists a directory's objects with their sizes and times, not its subdirectories or unfinished uploads",
          arguments: DriverKind.allCases)
    func objectsWithAttributes(_ kind: DriverKind) async throws {
        try await withDriver(kind) { driver in
            let before = Date().timeIntervalSince1970 - 120
            try await driver.put(ByteBuffer(string: "hello"), at: StoragePath("blobs", "sha256", "ab", "ab01"))
            try await driver.put(ByteBuffer(string: "bigger object"), at: StoragePath("blobs", "sha256", "ab", "ab02"))
            try await driver.put(ByteBuffer(string: "deeper"), at: StoragePath("blobs", "sha256", "ab", "sub", "x"))
            var upload = try await driver.writer(for: StoragePath("blobs", "sha256", "ab", "ab03"), startingAt: 0)
            try await upload.write(ByteBuffer(string: "in progress"))
            let found = try await driver.objects(in: StoragePath("blobs", "sha256", "ab"))
            let named = found.filter { $0.name != "ab03" }
            #expect(named.map(\.name) == ["ab01", "ab02"] && named.map(\.size) == [5, 13], "\(found)")
            #expect(found.allSatisfy { $0.modified > before && $0.modified < Date().timeIntervalSince1970 + 120 }, "\(found)")
            await upload.cancel()
            #expect(try await driver.objects(in: StoragePath("nothing")) == [])
        }
    }

    @Test("deleteIfWritten removes an object written before the cutoff and keeps one written after it (an upload that replaced it), leaving nothing else behind",
          arguments: DriverKind.allCases)
    func conditionalDelete(_ kind: DriverKind) async throws {
        try await withDriver(kind) { driver in
            let directory = StoragePath("blobs", "sha256", "cd")
            let old = directory.appending("cd01"), fresh = directory.appending("cd02")
            try await driver.put(ByteBuffer(string: "old bytes"), at: old)
            #expect(try await driver.deleteIfWritten(before: Date().timeIntervalSince1970 + 60, old))
            #expect(try await driver.size(of: old) == nil)
            // Listed as old, then written again (an upload of the same content renames its file into place): kept.
            let listedAt = Date().timeIntervalSince1970 - 60
            try await driver.put(ByteBuffer(string: "fresh bytes"), at: fresh)
            #expect(try await driver.deleteIfWritten(before: listedAt, fresh) == false)
            #expect(String(buffer: try await driver.get(fresh)) == "fresh bytes")
            #expect(try await driver.deleteIfWritten(before: Date().timeIntervalSince1970 + 60, directory.appending("absent")) == false)
            #expect(try await driver.list(directory) == ["cd02"], "nothing set aside is left")
            // Several at once: the old ones go, the fresh one and a name that is not there are left out of the answer.
            try await driver.put(ByteBuffer(string: "a"), at: directory.appending("cd03"))
            try await driver.put(ByteBuffer(string: "b"), at: directory.appending("cd04"))
            let later = Date().timeIntervalSince1970 + 60
            #expect(try await driver.deleteIfWritten(before: later, names: ["cd03", "cd04", "absent"], in: directory).sorted() == ["cd03", "cd04"])
            #expect(try await driver.deleteIfWritten(before: listedAt, names: ["cd02"], in: directory).isEmpty)
            #expect(try await driver.list(directory) == ["cd02"])
        }
    }

    @Test("paths refuse traversal and separators")
    func safePaths() {
        for bad in ["..", ".", "", "a/b", "a\0b", "a b"] { #expect(!StoragePath.isSafe(bad)) }
        for good in ["sha256", "0a1b", "uploads", "a.b-c_d"] { #expect(StoragePath.isSafe(good)) }
    }
}
