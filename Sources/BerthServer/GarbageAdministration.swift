import Foundation
import Logging
import Metadata
import NIOPosix
import Registry
import Storage

/// `berth gc`: one garbage-collection run on the configured database and storage, safe next to running servers
/// (docs/garbage-collection.md). It is recorded in the GC history like a run started from the API, and waits for
/// the lock like one, so it never runs beside another collection.
public enum GarbageAdministration {
    /// Runs a collection; `progress` hears each line of its log. Refused while another run is pending or running.
    public static func run(configuration: BerthConfiguration, options: GarbageCollectionOptions, logger: Logger,
                           progress: @escaping @Sendable (String) -> Void) async throws -> (record: GarbageRunRecord, report: GarbageCollectionReport) {
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        // SQLite calls run on `pool`; listings and deletions on a thread per worker at a lower priority, so a server
        // running next to this command keeps serving first.
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        let storagePool = await BackgroundThreadPool.start(threads: options.workers)
        let database = try await openDatabase(configuration, threadPool: pool, logger: logger)
        do {
            let registry = SQLRegistryStore(provider: database, quotaWarningPercent: configuration.projects.quotaWarningPercent)
            try await registry.migrate()
            let storage = try openStorage(configuration, threadPool: storagePool)
            let uploads = UploadService(RegistryBackend(store: registry, storage: storage, configuration: configuration.registryConfiguration, logger: logger))
            let runs = SQLGarbageRunStore(provider: database)
            let collector = GarbageCollector(garbage: SQLGarbageStore(provider: database), registry: registry, storage: storage, uploads: uploads,
                                             logger: logger)
            let executor = GarbageRunExecutor(runs: runs, collector: collector, graceMilliseconds: options.graceMilliseconds, logger: logger)
            let run: GarbageRunRecord
            do {
                run = try await runs.create(trigger: "MANUAL", requester: "berth gc",
                                            parameters: GarbageRunParameters(deleteUntagged: options.deleteUntagged, dryRun: options.dryRun, workers: options.workers),
                                            jobKind: nil, exclusive: true, now: Clock.nowMilliseconds())
            } catch let conflict as MetadataConflict {
                throw ConfigurationError("\(conflict.description); stop it or wait for it (GET /api/v2.0/system/gc)")
            }
            let ended = try await executor.execute(run, echo: progress)
            await database.shutdown()
            try? await pool.shutdownGracefully()
            try? await storagePool.shutdownGracefully()
            return ended
        } catch {
            await database.shutdown()
            try? await pool.shutdownGracefully()
            try? await storagePool.shutdownGracefully()
            throw error
        }
    }
}
