import NIOCore

/// A small, byte-level storage backend. Registry code only ever talks to storage through this protocol.
///
/// Layout (decided by the registry's `StorageLayout`, never by clients):
/// ```
/// blobs/<algorithm>/<first two hex>/<hex>   content-addressed bytes (blobs and manifests), written once
/// uploads/<session id>                      bytes of an upload in progress
/// ```
/// Contract: `move` is atomic (readers see the old or the new object, never a part), `commit` makes
/// written bytes durable, and a path that does not exist reads as `nil`/`StorageError.notFound`.
public protocol StorageDriver: Sendable {
    /// A short name for logs (`filesystem`, `s3`).
    var name: String { get }
    /// Size in bytes of the object at `path`, or nil when there is none.
    func size(of path: StoragePath) async throws -> Int64?
    /// Reads `range` (or everything) of the object at `path` in bounded chunks.
    func reader(for path: StoragePath, range: Range<Int64>?) async throws -> any StorageReader
    /// Opens the object at `path` for writing from `offset`, discarding anything stored beyond it.
    func writer(for path: StoragePath, startingAt offset: Int64) async throws -> any StorageWriter
    /// Writes a small object atomically and durably.
    func put(_ bytes: ByteBuffer, at path: StoragePath) async throws
    /// Reads a whole small object; throws `StorageError.notFound` when absent.
    func get(_ path: StoragePath) async throws -> ByteBuffer
    /// Atomically moves an object, replacing any existing object at `destination`.
    func move(_ source: StoragePath, to destination: StoragePath) async throws
    /// Deletes the object or directory tree at `path`; deleting what does not exist is not an error.
    func delete(_ path: StoragePath) async throws
    /// Names of the direct children of the directory `path` (empty when it does not exist).
    func list(_ path: StoragePath) async throws -> [String]
    /// Last modification time (seconds since 1970) of `path`, or nil when absent.
    func modificationTime(of path: StoragePath) async throws -> Double?
    /// The objects directly inside the directory `path` with their sizes and modification times (one listing on S3,
    /// one pass over the directory on a filesystem); subdirectories are left out.
    func objects(in path: StoragePath) async throws -> [StoredObject]
    /// Deletes the object at `path` only if it was last written before `cutoff` (seconds since 1970), so that a write
    /// landing after the caller listed it is kept; returns whether it deleted it. Garbage collection removes files
    /// this way: an upload of the same content replaces the file while it runs.
    func deleteIfWritten(before cutoff: Double, _ path: StoragePath) async throws -> Bool
    /// `deleteIfWritten` for several objects of one directory at once (one pass over the directory on a filesystem);
    /// returns the names it deleted.
    func deleteIfWritten(before cutoff: Double, names: [String], in directory: StoragePath) async throws -> [String]
    /// A URL clients may fetch the object from directly for `seconds` (a presigned S3 URL), or nil when the driver
    /// serves bytes itself.
    func redirectURL(for path: StoragePath, expiresIn seconds: Int) async throws -> String?
}

extension StorageDriver {
    /// Drivers serve bytes themselves unless they say otherwise.
    public func redirectURL(for path: StoragePath, expiresIn seconds: Int) async throws -> String? { nil }

    /// Reads the object's time again right before deleting it (drivers that can make the two one step override this).
    public func deleteIfWritten(before cutoff: Double, _ path: StoragePath) async throws -> Bool {
        guard let modified = try await modificationTime(of: path), modified < cutoff else { return false }
        try await delete(path)
        return true
    }

    /// One object at a time (drivers that can do better override this).
    public func deleteIfWritten(before cutoff: Double, names: [String], in directory: StoragePath) async throws -> [String] {
        var removed: [String] = []
        for name in names {
            if try await deleteIfWritten(before: cutoff, directory.appending(name)) { removed.append(name) }
        }
        return removed
    }

    /// Lists, then asks each child for its size and time (drivers that can do better override this).
    public func objects(in path: StoragePath) async throws -> [StoredObject] {
        var found: [StoredObject] = []
        for name in try await list(path) {
            let child = path.appending(name)
            guard let size = try await size(of: child), let modified = try await modificationTime(of: child) else { continue }
            found.append(StoredObject(name: name, size: size, modified: modified))
        }
        return found
    }
}

/// An object found by `StorageDriver.objects(in:)`.
public struct StoredObject: Sendable, Equatable {
    /// Its name inside the listed directory.
    public let name: String
    /// Its size in bytes.
    public let size: Int64
    /// Its last modification time, seconds since 1970.
    public let modified: Double

    /// An object.
    public init(name: String, size: Int64, modified: Double) {
        self.name = name
        self.size = size
        self.modified = modified
    }
}

/// Reads an object chunk by chunk; each `next()` waits for the caller, which gives back-pressure.
public protocol StorageReader: Sendable {
    /// The next chunk, or nil at the end.
    func next() async throws -> ByteBuffer?
    /// Releases the underlying resources; safe to call more than once.
    func close() async
}

/// Writes an object sequentially; used by one task at a time.
public protocol StorageWriter {
    /// Number of bytes the object holds so far, including what was there before `startingAt`.
    var size: Int64 { get }
    /// Appends bytes.
    mutating func write(_ buffer: ByteBuffer) async throws
    /// Flushes and makes the written bytes durable; the writer is finished afterwards.
    mutating func commit() async throws
    /// Abandons the writer; bytes written since opening may or may not remain.
    mutating func cancel() async
}

/// Errors every driver reports the same way.
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The object does not exist.
    case notFound(StoragePath)
    /// The backend failed; the message says how, without secrets.
    case backend(String)

    /// A readable description.
    public var description: String {
        switch self {
        case .notFound(let p): return "storage object \(p) not found"
        case .backend(let m): return "storage backend error: \(m)"
        }
    }
}
