import Foundation
import PostgresKit
import SQLKit

/// The access-control stores (users, groups, projects, robots, audit log, settings, login failures) on SQL,
/// for SQLite and PostgreSQL alike.
public struct SQLAccessStore: Sendable {
    let provider: any SQLDatabaseProvider

    /// Uses the given database (migrated by `SQLRegistryStore.migrate`).
    public init(provider: any SQLDatabaseProvider) { self.provider = provider }

    /// Runs `body`, turning a uniqueness violation into `MetadataConflict` with `message`.
    static func unique<R>(_ message: String, _ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw MetadataConflict(message)
        } catch {
            if String(describing: error).contains("UNIQUE constraint failed") { throw MetadataConflict(message) }
            throw error
        }
    }

    /// Rows matching, and one page of them.
    static func page<Item>(
        _ db: any SQLDatabase, select: String, from: String, where base: SQLQueryString, listing: SQLListing, query: ListQuery,
        map: (any SQLRow) throws -> Item
    ) async throws -> ListPage<Item> {
        let conditions = try listing.conditions(query)
        let countRow = try await db.raw(SQLQueryString("SELECT count(*) AS n FROM \(unsafeRaw: from) WHERE ") + base + conditions).first()
        let total = try countRow?.decode(column: "n", as: Int.self) ?? 0
        let rows = try await db.raw(
            SQLQueryString("SELECT \(unsafeRaw: select) FROM \(unsafeRaw: from) WHERE ") + base + conditions + (try listing.orderAndPage(query))
        ).all()
        return ListPage(items: try rows.map(map), total: total)
    }
}
