#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBerthSystem
import NIOCore

/// Blocking file-system helpers for the filesystem driver; call them on a thread pool.
enum POSIX {
    static func error(_ call: String, _ path: String) -> StorageError {
        let code = errno
        let message = String(cString: strerror(code))
        return .backend("\(call) failed: \(message)")
    }

    static func fileSize(_ path: String) throws -> Int64? {
        var st = stat()
        if stat(path, &st) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw error("stat", path)
        }
        return (st.st_mode & S_IFMT) == S_IFREG ? Int64(st.st_size) : nil
    }

    static func fileSize(fd: Int32) throws -> Int64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw error("fstat", "fd") }
        return Int64(st.st_size)
    }

    static func modificationTime(_ path: String) throws -> Double? {
        var st = stat()
        if stat(path, &st) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw error("stat", path)
        }
        return Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
    }

    static func makeDirectories(_ path: String) throws {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        if errno == ENOENT, let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectories(String(path[..<slash]))
            if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        }
        throw error("mkdir", path)
    }

    /// Opens `path` for writing (creating it, and its directory on demand) and truncates it to `length`.
    static func openForWriting(_ path: String, parent: String?, truncatingTo length: Int64) throws -> Int32 {
        var fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0, errno == ENOENT, let parent {
            try makeDirectories(parent)
            fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw error("open", path) }
        if ftruncate(fd, off_t(length)) != 0 {
            let e = error("ftruncate", path)
            close(fd)
            throw e
        }
        return fd
    }

    static func writeAll(fd: Int32, _ data: ByteBuffer, at offset: Int64) throws {
        try data.withUnsafeReadableBytes { raw in
            var done = 0
            while done < raw.count {
                let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw error("pwrite", "file")
                }
                done += n
            }
        }
    }

    /// Asks the kernel to start writing a range of a file to disk without waiting for it.
    static func startWriteback(fd: Int32, offset: Int64, length: Int) {
        _ = berth_start_writeback(fd, offset, Int64(length))
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// The regular files directly in the directory `path` with their sizes and modification times (readdir and one
    /// `fstatat` per entry); empty when the directory does not exist.
    static func listFiles(_ path: String) throws -> [StoredObject] {
        guard let dir = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw error("opendir", path)
        }
        defer { closedir(dir) }
        let descriptor = dirfd(dir)
        var files: [StoredObject] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            guard name != "." && name != ".." else { continue }
            var st = stat()
            // An entry removed since readdir saw it is simply not listed.
            guard fstatat(descriptor, name, &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            files.append(StoredObject(name: name, size: Int64(st.st_size),
                                      modified: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9))
        }
        return files.sorted { $0.name < $1.name }
    }

    static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw error("opendir", path)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func removeTree(_ path: String) throws {
        var st = stat()
        if lstat(path, &st) != 0 {
            if errno == ENOENT { return }
            throw error("lstat", path)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in try listDirectory(path) { try removeTree(path + "/" + name) }
            if rmdir(path) != 0 && errno != ENOENT { throw error("rmdir", path) }
        } else if unlink(path) != 0 && errno != ENOENT {
            throw error("unlink", path)
        }
    }
}
