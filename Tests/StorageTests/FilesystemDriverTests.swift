import Foundation
import NIOCore
import NIOPosix
import OCI
import Storage
import Testing

/// The storage driver contract, run against the filesystem driver on a real directory.
@Suite("Filesystem driver")
struct FilesystemDriverTests {
    func withDriver(_ body: (FilesystemDriver) async throws -> Void) async throws {
        let root = NSTemporaryDirectory() + "berth-storage-\(UUID().uuidString)"
        let driver = try FilesystemDriver(root: root, readChunkSize: 1000)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await body(driver)
    }

    func readAll(_ reader: any StorageReader) async throws -> [UInt8] {
        var out: [UInt8] = []
        while let chunk = try await reader.next() { out += chunk.readableBytesView }
        await reader.close()
        return out
    }

    @Test("write, commit, size and chunked reads of whole objects and ranges")
    func writeAndRead() async throws {
        try await withDriver { driver in
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

    @Test("reopening a writer at an offset discards bytes beyond it")
    func resumeTruncates() async throws {
        try await withDriver { driver in
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

    @Test("put, move, list and delete; missing objects read as absent")
    func objectLifecycle() async throws {
        try await withDriver { driver in
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

    @Test("paths refuse traversal and separators")
    func safePaths() {
        for bad in ["..", ".", "", "a/b", "a\0b", "a b"] { #expect(!StoragePath.isSafe(bad)) }
        for good in ["sha256", "0a1b", "uploads", "a.b-c_d"] { #expect(StoragePath.isSafe(good)) }
    }
}
