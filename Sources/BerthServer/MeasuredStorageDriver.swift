import Metrics
import NIOCore
import Storage

/// A storage driver that times every operation (`berth_storage_operation_duration_seconds{driver, operation}`); opening
/// a reader or writer is timed, the streaming through it is not.
struct MeasuredStorageDriver: StorageDriver {
    let base: any StorageDriver
    let timers: [String: Metrics.Timer]

    init(_ base: any StorageDriver) {
        self.base = base
        var timers: [String: Metrics.Timer] = [:]
        for operation in ["size", "reader", "writer", "put", "get", "move", "delete", "list", "modification_time", "redirect"] {
            timers[operation] = Metrics.Timer(label: "berth_storage_operation_duration_seconds",
                                              dimensions: [("driver", base.name), ("operation", operation)], preferredDisplayUnit: .seconds)
        }
        self.timers = timers
    }

    var name: String { base.name }

    private func timed<R>(_ operation: String, _ body: () async throws -> R) async rethrows -> R {
        let start = ContinuousClock.now
        defer { timers[operation]?.recordNanoseconds(nanoseconds(since: start)) }
        return try await body()
    }

    func size(of path: StoragePath) async throws -> Int64? { try await timed("size") { try await base.size(of: path) } }
    func reader(for path: StoragePath, range: Range<Int64>?) async throws -> any StorageReader {
        try await timed("reader") { try await base.reader(for: path, range: range) }
    }
    func writer(for path: StoragePath, startingAt offset: Int64) async throws -> any StorageWriter {
        try await timed("writer") { try await base.writer(for: path, startingAt: offset) }
    }
    func put(_ bytes: ByteBuffer, at path: StoragePath) async throws { try await timed("put") { try await base.put(bytes, at: path) } }
    func get(_ path: StoragePath) async throws -> ByteBuffer { try await timed("get") { try await base.get(path) } }
    func move(_ source: StoragePath, to destination: StoragePath) async throws { try await timed("move") { try await base.move(source, to: destination) } }
    func delete(_ path: StoragePath) async throws { try await timed("delete") { try await base.delete(path) } }
    func list(_ path: StoragePath) async throws -> [String] { try await timed("list") { try await base.list(path) } }
    func modificationTime(of path: StoragePath) async throws -> Double? { try await timed("modification_time") { try await base.modificationTime(of: path) } }
    func objects(in path: StoragePath) async throws -> [StoredObject] { try await timed("list_objects") { try await base.objects(in: path) } }
    func deleteIfWritten(before cutoff: Double, _ path: StoragePath) async throws -> Bool {
        try await timed("delete") { try await base.deleteIfWritten(before: cutoff, path) }
    }
    func deleteIfWritten(before cutoff: Double, names: [String], in directory: StoragePath) async throws -> [String] {
        try await timed("delete") { try await base.deleteIfWritten(before: cutoff, names: names, in: directory) }
    }
    func redirectURL(for path: StoragePath, expiresIn seconds: Int) async throws -> String? {
        try await timed("redirect") { try await base.redirectURL(for: path, expiresIn: seconds) }
    }
}

/// Nanoseconds since `start`, for timers.
func nanoseconds(since start: ContinuousClock.Instant) -> Int64 {
    let elapsed = ContinuousClock.now - start
    return elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
}
