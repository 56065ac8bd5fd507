import SQLKit

/// The SQL dialects Berth's schema is written for.
public enum SQLFlavor: String, Sendable {
    case sqlite
    case postgres
}

/// Hands out database sessions: shared ones for reads, and an exclusive one inside a transaction for writes.
public protocol SQLDatabaseProvider: Sendable {
    /// Which dialect the sessions speak.
    var flavor: SQLFlavor { get }
    /// Runs `body` with a session for reading.
    func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R
    /// Runs `body`, a single writing statement, on the write session; the statement commits by itself.
    func write<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R
    /// Runs `body` inside a transaction that commits when it returns and rolls back when it throws.
    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R
    /// Closes every connection.
    func shutdown() async
}
