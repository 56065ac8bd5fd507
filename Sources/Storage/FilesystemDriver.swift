#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix

/// Stores objects as files under a root directory. Blocking system calls run on NIO's thread pool.
/// Objects become visible through `rename`, so a crash never leaves a partial object at its final path.
/// With `sync` (the default) data and directory entries are also `fsync`ed before a write is reported done,
/// so acknowledged writes survive a power failure; without it they survive process crashes only (as with
/// the CNCF distribution registry's filesystem driver).
public struct FilesystemDriver: StorageDriver {
    /// The root directory.
    public let root: String
    let threadPool: NIOThreadPool
    /// Bytes read per chunk when streaming.
    let readChunkSize: Int
    /// Whether writes are flushed to stable storage before they count as done.
    public let sync: Bool

    /// Uses (and creates) `root`.
    public init(root: String, threadPool: NIOThreadPool = .singleton, readChunkSize: Int = 1024 * 1024, sync: Bool = true) throws {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.threadPool = threadPool
        self.readChunkSize = readChunkSize
        self.sync = sync
        try POSIX.makeDirectories(self.root)
    }

    /// `filesystem`.
    public var name: String { "filesystem" }

    func fullPath(_ path: StoragePath) -> String { root + "/" + path.description }

    public func size(of path: StoragePath) async throws -> Int64? {
        let full = fullPath(path)
        return try await threadPool.runIfActive { try POSIX.fileSize(full) }
    }

    public func modificationTime(of path: StoragePath) async throws -> Double? {
        let full = fullPath(path)
        return try await threadPool.runIfActive { try POSIX.modificationTime(full) }
    }

    public func reader(for path: StoragePath, range: Range<Int64>?) async throws -> any StorageReader {
        let full = fullPath(path)
        let fd: Int32 = try await threadPool.runIfActive {
            let fd = open(full, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                if errno == ENOENT || errno == ENOTDIR { throw StorageError.notFound(path) }
                throw POSIX.error("open", full)
            }
            return fd
        }
        let end: Int64
        if let range { end = range.upperBound } else {
            do { end = try POSIX.fileSize(fd: fd) } catch { close(fd); throw error }
        }
        return FileReader(fd: fd, offset: range?.lowerBound ?? 0, end: end, chunkSize: readChunkSize, threadPool: threadPool)
    }

    public func writer(for path: StoragePath, startingAt offset: Int64) async throws -> any StorageWriter {
        let full = fullPath(path)
        let parent = path.parent.map(fullPath)
        let fd: Int32 = try await threadPool.runIfActive {
            if let parent { try POSIX.makeDirectories(parent) }
            let fd = open(full, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw POSIX.error("open", full) }
            if ftruncate(fd, off_t(offset)) != 0 {
                let e = POSIX.error("ftruncate", full)
                close(fd)
                throw e
            }
            return fd
        }
        return FileWriter(fd: fd, offset: offset, threadPool: threadPool, sync: sync)
    }

    public func put(_ bytes: ByteBuffer, at path: StoragePath) async throws {
        let full = fullPath(path)
        let parent = path.parent.map(fullPath) ?? root
        let sync = self.sync
        try await threadPool.runIfActive {
            try POSIX.makeDirectories(parent)
            let temp = "\(full).tmp-\(UInt64.random(in: 0 ... .max))"
            let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw POSIX.error("open", temp) }
            do {
                try POSIX.writeAll(fd: fd, bytes, at: 0)
                if sync { guard fsync(fd) == 0 else { throw POSIX.error("fsync", temp) } }
                close(fd)
                guard rename(temp, full) == 0 else { throw POSIX.error("rename", temp) }
                if sync { POSIX.syncDirectory(parent) }
            } catch {
                close(fd)
                unlink(temp)
                throw error
            }
        }
    }

    public func get(_ path: StoragePath) async throws -> ByteBuffer {
        let reader = try await reader(for: path, range: nil)
        var out = ByteBuffer()
        do {
            while let chunk = try await reader.next() { out.writeImmutableBuffer(chunk) }
        } catch {
            await reader.close()
            throw error
        }
        await reader.close()
        return out
    }

    public func move(_ source: StoragePath, to destination: StoragePath) async throws {
        let from = fullPath(source)
        let to = fullPath(destination)
        let parent = destination.parent.map(fullPath) ?? root
        let sync = self.sync
        try await threadPool.runIfActive {
            try POSIX.makeDirectories(parent)
            if rename(from, to) != 0 {
                if errno == ENOENT { throw StorageError.notFound(source) }
                throw POSIX.error("rename", from)
            }
            if sync { POSIX.syncDirectory(parent) }
        }
    }

    public func delete(_ path: StoragePath) async throws {
        let full = fullPath(path)
        try await threadPool.runIfActive { try POSIX.removeTree(full) }
    }

    public func list(_ path: StoragePath) async throws -> [String] {
        let full = fullPath(path)
        return try await threadPool.runIfActive { try POSIX.listDirectory(full) }
    }
}

/// Streams a file in chunks with `pread` on the thread pool.
final class FileReader: StorageReader, @unchecked Sendable {
    private let fd: Int32
    private let end: Int64
    private let chunkSize: Int
    private let threadPool: NIOThreadPool
    private var offset: Int64
    private var closed = false

    init(fd: Int32, offset: Int64, end: Int64, chunkSize: Int, threadPool: NIOThreadPool) {
        self.fd = fd
        self.offset = offset
        self.end = end
        self.chunkSize = chunkSize
        self.threadPool = threadPool
    }

    func next() async throws -> ByteBuffer? {
        guard !closed, offset < end else { return nil }
        let want = Int(min(Int64(chunkSize), end - offset))
        let fd = self.fd
        let at = self.offset
        let buffer: ByteBuffer = try await threadPool.runIfActive {
            var buffer = ByteBufferAllocator().buffer(capacity: want)
            var total = 0
            while total < want {
                let n = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: want - total) { ptr in
                    pread(fd, ptr.baseAddress, want - total, off_t(at) + off_t(total))
                }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw POSIX.error("pread", "blob")
                }
                if n == 0 { throw StorageError.backend("file ended \(want - total) bytes early") }
                total += n
            }
            return buffer
        }
        offset += Int64(buffer.readableBytes)
        return buffer
    }

    func close() async {
        guard !closed else { return }
        closed = true
        _ = Glibc.close(fd)
    }

    deinit {
        if !closed { _ = Glibc.close(fd) }
    }
}

/// Appends to a file, gathering small buffers into larger writes.
struct FileWriter: StorageWriter {
    private let fd: Int32
    private let threadPool: NIOThreadPool
    private var pending: ByteBuffer
    private var written: Int64
    private var finished = false
    private let sync: Bool
    private static let flushThreshold = 1024 * 1024

    init(fd: Int32, offset: Int64, threadPool: NIOThreadPool, sync: Bool) {
        self.fd = fd
        self.threadPool = threadPool
        self.sync = sync
        self.written = offset
        self.pending = ByteBufferAllocator().buffer(capacity: 0)
    }

    var size: Int64 { written + Int64(pending.readableBytes) }

    mutating func write(_ buffer: ByteBuffer) async throws {
        if pending.readableBytes == 0 && buffer.readableBytes >= Self.flushThreshold {
            try await flush(buffer)
            return
        }
        pending.writeImmutableBuffer(buffer)
        if pending.readableBytes >= Self.flushThreshold {
            let data = pending
            pending = ByteBufferAllocator().buffer(capacity: Self.flushThreshold + 64 * 1024)
            try await flush(data)
        }
    }

    private mutating func flush(_ data: ByteBuffer) async throws {
        let fd = self.fd
        let at = self.written
        try await threadPool.runIfActive { try POSIX.writeAll(fd: fd, data, at: at) }
        written += Int64(data.readableBytes)
    }

    mutating func commit() async throws {
        precondition(!finished, "writer already finished")
        if pending.readableBytes > 0 {
            let data = pending
            pending.clear()
            try await flush(data)
        }
        finished = true
        let fd = self.fd
        guard sync else {
            close(fd)
            return
        }
        try await threadPool.runIfActive {
            defer { close(fd) }
            guard fdatasync(fd) == 0 else { throw POSIX.error("fdatasync", "upload") }
        }
    }

    mutating func cancel() async {
        guard !finished else { return }
        finished = true
        _ = close(fd)
    }
}
