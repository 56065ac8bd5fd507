import Foundation
import Logging
import Metadata
import NIOPosix

/// `berth quota verify`: recomputes every project's usage from its repositories' links and compares it with the
/// usage the quotas record, on the configured database (a running server may keep serving).
public enum QuotaAdministration {
    /// The projects whose recorded usage differs from their links; empty when every quota agrees.
    public static func verify(configuration: BerthConfiguration, logger: Logger) async throws -> (checked: Int, discrepancies: [QuotaDiscrepancy]) {
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let database = try await openDatabase(configuration, threadPool: pool, logger: logger)
        do {
            try await SQLRegistryStore(provider: database).migrate()
            let store = SQLQuotaStore(provider: database)
            let checked = try await store.quotas(projectID: nil, offset: 0, limit: 1).total
            let found = try await store.verify()
            await database.shutdown()
            try? await pool.shutdownGracefully()
            return (checked, found)
        } catch {
            await database.shutdown()
            try? await pool.shutdownGracefully()
            throw error
        }
    }
}
