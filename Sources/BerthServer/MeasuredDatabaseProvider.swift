import Metadata
import Metrics
import SQLKit

/// A database provider that times every read, write and transaction, waiting for the connection included
/// (`berth_database_operation_duration_seconds{database, kind}`).
struct MeasuredDatabaseProvider: SQLDatabaseProvider {
    let base: any SQLDatabaseProvider
    let readTimer: Metrics.Timer
    let writeTimer: Metrics.Timer
    let transactionTimer: Metrics.Timer

    init(_ base: any SQLDatabaseProvider) {
        self.base = base
        let database = base.flavor == .postgres ? "postgresql" : "sqlite"
        func timer(_ kind: String) -> Metrics.Timer {
            Metrics.Timer(label: "berth_database_operation_duration_seconds", dimensions: [("database", database), ("kind", kind)],
                          preferredDisplayUnit: .seconds)
        }
        readTimer = timer("read")
        writeTimer = timer("write")
        transactionTimer = timer("transaction")
    }

    var flavor: SQLFlavor { base.flavor }

    private func timed<R>(_ timer: Metrics.Timer, _ body: () async throws -> R) async rethrows -> R {
        let start = ContinuousClock.now
        defer { timer.recordNanoseconds(nanoseconds(since: start)) }
        return try await body()
    }

    func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await timed(readTimer) { try await base.read(body) }
    }

    func write<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await timed(writeTimer) { try await base.write(body) }
    }

    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await timed(transactionTimer) { try await base.transaction(body) }
    }

    func shutdown() async { await base.shutdown() }
}
