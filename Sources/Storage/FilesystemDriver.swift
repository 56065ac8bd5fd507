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
    /// Bytes read per chunk when streaming. Half a megabyte keeps the buffers in malloc's heap; 1 MiB buffers get
    /// their own mappings, and the page faults of mapping them anew halved pull throughput. 508 KiB rather than 512:
    /// over TLS a chunk becomes 32 records of up to 29 bytes more each, and 512 KiB of plaintext would grow the
    /// TLS handler's output buffer to 1 MiB for the last few hundred bytes (eight curl downloads, over HTTPS and over
    /// plain HTTP alike: about a tenth less server CPU).
    let readChunkSize: Int
    /// Whether writes are flushed to stable storage before they count as done.
    public let sync: Bool

    /// Uses (and creates) `root`.
    public init(root: String, threadPool: NIOThreadPool = .singleton, readChunkSize: Int = 508 * 1024, sync: Bool = true) throws {
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
        FileWriter(path: fullPath(path), parent: path.parent.map(fullPath), offset: offset, threadPool: threadPool, sync: sync)
    }

    public func put(_ bytes: ByteBuffer, at path: StoragePath) async throws {
        let full = fullPath(path)
        let parent = path.parent.map(fullPath) ?? root
        let sync = self.sync
        try await threadPool.runIfActive {
            let temp = "\(full).tmp-\(UInt64.random(in: 0 ... .max))"
            var fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd < 0, errno == ENOENT {
                try POSIX.makeDirectories(parent)
                fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            }
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
        let full = fullPath(path)
        return try await threadPool.runIfActive {
            let fd = open(full, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                if errno == ENOENT || errno == ENOTDIR { throw StorageError.notFound(path) }
                throw POSIX.error("open", full)
            }
            defer { close(fd) }
            let size = Int(try POSIX.fileSize(fd: fd))
            var buffer = ByteBufferAllocator().buffer(capacity: size)
            while buffer.readableBytes < size {
                let done = buffer.readableBytes
                let n = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size - done) { ptr in
                    pread(fd, ptr.baseAddress, size - done, off_t(done))
                }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw StorageError.backend("\(path) ended early") }
            }
            return buffer
        }
    }

    public func move(_ source: StoragePath, to destination: StoragePath) async throws {
        let from = fullPath(source)
        let to = fullPath(destination)
        let parent = destination.parent.map(fullPath) ?? root
        let sync = self.sync
        try await threadPool.runIfActive {
            if rename(from, to) != 0 {
                guard errno == ENOENT else { throw POSIX.error("rename", from) }
                // Either the source is missing or the destination's directory does not exist yet.
                guard access(from, F_OK) == 0 else { throw StorageError.notFound(source) }
                try POSIX.makeDirectories(parent)
                guard rename(from, to) == 0 else { throw POSIX.error("rename", from) }
            }
            if sync { POSIX.syncDirectory(parent) }
        }
    }

    public func delete(_ path: StoragePath) async throws {
        let full = fullPath(path)
        try await threadPool.runIfActive { try POSIX.removeTree(full) }
    }

    /// Moves the file aside under a name of its own (atomically: a write that replaces it afterwards is untouched),
    /// then looks at what it moved: a file written since `cutoff` — the write of an upload that landed after the
    /// caller's listing — is put back (unless a newer copy already is: both hold the same content-addressed bytes);
    /// an old one is removed.
    public func deleteIfWritten(before cutoff: Double, _ path: StoragePath) async throws -> Bool {
        guard let directory = path.parent, let name = path.components.last else { return false }
        return try await deleteIfWritten(before: cutoff, names: [name], in: directory) == [name]
    }

    /// `deleteIfWritten` for many files of one directory, relative to one open descriptor of it (no path lookups).
    public func deleteIfWritten(before cutoff: Double, names: [String], in directory: StoragePath) async throws -> [String] {
        let full = fullPath(directory)
        return try await threadPool.runIfActive {
            let descriptor = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else {
                if errno == ENOENT || errno == ENOTDIR { return [] }
                throw POSIX.error("open", full)
            }
            defer { close(descriptor) }
            var removed: [String] = []
            for name in names {
                let aside = SetAsideName.make(for: name)
                guard renameat(descriptor, name, descriptor, aside) == 0 else {
                    if errno == ENOENT { continue }
                    throw POSIX.error("rename", "\(full)/\(name)")
                }
                var st = stat()
                guard fstatat(descriptor, aside, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
                    let failure = POSIX.error("stat", "\(full)/\(aside)")
                    // Not knowing its age, the file goes back where it was (unless a newer copy is there already).
                    if linkat(descriptor, aside, descriptor, name, 0) == 0 || errno == EEXIST { unlinkat(descriptor, aside, 0) }
                    throw failure
                }
                if Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9 < cutoff {
                    // Counted only once gone; a file that cannot be removed stays set aside for the next sweep (which
                    // puts it back if its digest is linked by then, and removes it otherwise).
                    guard unlinkat(descriptor, aside, 0) == 0 || errno == ENOENT else { throw POSIX.error("unlink", "\(full)/\(aside)") }
                    removed.append(name)
                    continue
                }
                if linkat(descriptor, aside, descriptor, name, 0) != 0 && errno != EEXIST {
                    guard renameat(descriptor, aside, descriptor, name) == 0 else { throw POSIX.error("rename", "\(full)/\(aside)") }
                    continue
                }
                unlinkat(descriptor, aside, 0)
            }
            return removed
        }
    }

    public func list(_ path: StoragePath) async throws -> [String] {
        let full = fullPath(path)
        return try await threadPool.runIfActive { try POSIX.listDirectory(full) }
    }

    public func objects(in path: StoragePath) async throws -> [StoredObject] {
        let full = fullPath(path)
        return try await threadPool.runIfActive { try POSIX.listFiles(full) }
    }
}

/// Streams a file in chunks with `pread` on the thread pool. A chunk's buffer is read into again for a later chunk
/// once the connection has let go of it (sent it, or encrypted it), so a download does not allocate — and fault in —
/// a fresh half-megabyte buffer per chunk; a buffer still in use is left alone (copy-on-write) and a new one is made.
final class FileReader: StorageReader, @unchecked Sendable {
    private let fd: Int32
    private let end: Int64
    private let chunkSize: Int
    private let threadPool: NIOThreadPool
    private var offset: Int64
    private var closed = false
    /// Chunks handed out lately, oldest first: candidates for reuse. Two, because a paced response has at most two
    /// chunks in flight, so the one before the previous is usually done with.
    private var handedOut: [ByteBuffer] = []
    private static let reusable = 2

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
        // Handed over in a box, so the read holds the only reference and `clear()` can keep the storage.
        let recycled = RecycledBuffer(handedOut.count >= Self.reusable ? handedOut.removeFirst() : nil)
        let buffer: ByteBuffer = try await threadPool.runIfActive {
            var buffer = recycled.take(capacity: want)
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
        handedOut.append(buffer)
        return buffer
    }

    func close() async {
        guard !closed else { return }
        closed = true
        handedOut = []
        _ = Glibc.close(fd)
    }

    deinit {
        if !closed { _ = Glibc.close(fd) }
    }
}

/// A buffer passed to the thread pool to be read into, taken out of the box so no other reference keeps it shared.
private final class RecycledBuffer: @unchecked Sendable {
    private var buffer: ByteBuffer?

    init(_ buffer: ByteBuffer?) { self.buffer = buffer }

    /// The boxed buffer emptied (its storage kept when nothing else uses it), or a new one; room for `capacity` bytes.
    func take(capacity: Int) -> ByteBuffer {
        guard var taken = buffer else { return ByteBufferAllocator().buffer(capacity: capacity) }
        buffer = nil
        taken.clear()
        taken.reserveCapacity(capacity)
        return taken
    }
}

/// Appends to a file, gathering small buffers into 256 KiB writes. The file is opened by the first write, in the
/// same thread-pool hop, and each write runs while the caller already receives the next batch (one write in
/// flight at a time, so memory stays bounded and order is kept).
struct FileWriter: StorageWriter {
    private let path: String
    private let parent: String?
    private let startOffset: Int64
    private let threadPool: NIOThreadPool
    private let sync: Bool
    private var fd: Int32 = -1
    private var inFlight: EventLoopFuture<Int32>? = nil
    private var pending: ByteBuffer
    private var handedOff: Int64
    private var finished = false
    /// Bytes gathered before a write. 256 KiB writes pushed as fast as 1 MiB ones in the benchmark, with a quarter of
    /// the memory held per upload (peak RSS of eight concurrent pushes: 70 MB instead of 90 MB).
    private static let flushThreshold = 256 * 1024

    init(path: String, parent: String?, offset: Int64, threadPool: NIOThreadPool, sync: Bool) {
        self.path = path
        self.parent = parent
        self.startOffset = offset
        self.threadPool = threadPool
        self.sync = sync
        self.handedOff = offset
        self.pending = ByteBufferAllocator().buffer(capacity: 0)
    }

    var size: Int64 { handedOff + Int64(pending.readableBytes) }

    mutating func write(_ buffer: ByteBuffer) async throws {
        if pending.readableBytes == 0 && buffer.readableBytes >= Self.flushThreshold {
            try await startFlush(buffer)
            return
        }
        pending.writeImmutableBuffer(buffer)
        if pending.readableBytes >= Self.flushThreshold {
            let data = pending
            pending = ByteBufferAllocator().buffer(capacity: Self.flushThreshold + 64 * 1024)
            try await startFlush(data)
        }
    }

    /// Waits for the write in flight and learns the file descriptor it opened.
    private mutating func settle() async throws {
        guard let future = inFlight else { return }
        inFlight = nil
        fd = try await future.get()
    }

    private mutating func startFlush(_ data: ByteBuffer) async throws {
        try await settle()
        let (fd, path, parent, start, at, sync) = (self.fd, self.path, self.parent, self.startOffset, self.handedOff, self.sync)
        inFlight = threadPool.runIfActive(eventLoop: MultiThreadedEventLoopGroup.singleton.any()) {
            let handle = fd >= 0 ? fd : try POSIX.openForWriting(path, parent: parent, truncatingTo: start)
            try POSIX.writeAll(fd: handle, data, at: at)
            // Start writeback now, so the final fdatasync finds little left to flush.
            if sync { POSIX.startWriteback(fd: handle, offset: at, length: data.readableBytes) }
            return handle
        }
        handedOff += Int64(data.readableBytes)
    }

    mutating func commit() async throws {
        precondition(!finished, "writer already finished")
        finished = true
        do { try await settle() } catch {
            closeIfOpen()
            throw error
        }
        let data = pending
        pending = ByteBuffer()
        let (fd, path, parent, start, at, sync) = (self.fd, self.path, self.parent, self.startOffset, self.handedOff, self.sync)
        self.fd = -1
        handedOff += Int64(data.readableBytes)
        try await threadPool.runIfActive {
            let handle = fd >= 0 ? fd : try POSIX.openForWriting(path, parent: parent, truncatingTo: start)
            defer { close(handle) }
            if data.readableBytes > 0 { try POSIX.writeAll(fd: handle, data, at: at) }
            if sync { guard fdatasync(handle) == 0 else { throw POSIX.error("fdatasync", "upload") } }
        }
    }

    mutating func cancel() async {
        guard !finished else { return }
        finished = true
        try? await settle()
        closeIfOpen()
    }

    private mutating func closeIfOpen() {
        if fd >= 0 { _ = close(fd) }
        fd = -1
    }
}
