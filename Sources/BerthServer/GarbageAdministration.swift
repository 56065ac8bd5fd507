import Foundation
import Logging
import Metadata
import NIOPosix
import Registry

/// `berth gc`: one garbage-collection run on the configured database and storage, safe next to running servers
/// (docs/garbage-collection.md).
public enum GarbageAdministration {
    /// Runs a collection; `progress` hears each step.
    public static func run(configuration: BerthConfiguration, options: GarbageCollectionOptions, logger: Logger,
                           progress: @escaping @Sendable (String) async -> Void) async throws -> GarbageCollectionReport {
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        let database = try await openDatabase(configuration, threadPool: pool, logger: logger)
        do {
            let registry = SQLRegistryStore(provider: database, quotaWarningPercent: configuration.projects.quotaWarningPercent)
            try await registry.migrate()
            let collector = GarbageCollector(garbage: SQLGarbageStore(provider: database), registry: registry,
                                             storage: try openStorage(configuration, threadPool: pool), logger: logger)
            let report = try await collector.run(options, now: Clock.nowMilliseconds(), progress: progress)
            await database.shutdown()
            try? await pool.shutdownGracefully()
            return report
        } catch {
            await database.shutdown()
            try? await pool.shutdownGracefully()
            throw error
        }
    }
}
