import Foundation
import Logging
import Metadata
import NIOPosix
import Scanner
import Scanning

/// The advisory store as the `berth advisories` commands reach it: the configured metadata database, opened for one
/// command and closed again (a running server sees the result at its next match).
public enum AdvisoryAdministration {
    /// Imports `paths` into the source `name` (default: named after the first path); `progress` gets each step.
    public static func importSource(configuration: BerthConfiguration, name: String?, paths: [String], logger: Logger,
                                    progress: @escaping (String) -> Void) async throws -> AdvisoryImportService.Outcome {
        guard let first = paths.first else { throw ConfigurationError("name at least one file, directory or archive to import") }
        let sourceName = name ?? AdvisoryImportService.defaultSourceName(for: first)
        return try await withStore(configuration, logger: logger) { store, jobs in
            let outcome = try await AdvisoryImportService(store: store, logger: logger).importSource(named: sourceName, from: paths, progress: progress)
            // Reports are matched again by the running server's job queue (no layer is read).
            let now = Clock.nowMilliseconds()
            _ = try await jobs.enqueue(kind: RematchJob.kind, payload: "{}", runAt: now, maxAttempts: 3, now: now)
            return outcome
        }
    }

    /// Every advisory source.
    public static func sources(configuration: BerthConfiguration, logger: Logger) async throws -> [AdvisorySourceRecord] {
        try await withStore(configuration, logger: logger) { store, _ in try await store.sources() }
    }

    /// Removes a source; false when there was none of that name.
    public static func deleteSource(configuration: BerthConfiguration, name: String, logger: Logger) async throws -> Bool {
        try await withStore(configuration, logger: logger) { store, jobs in
            guard try await store.deleteSource(named: name) else { return false }
            let now = Clock.nowMilliseconds()
            _ = try await jobs.enqueue(kind: RematchJob.kind, payload: "{}", runAt: now, maxAttempts: 3, now: now)
            return true
        }
    }

    /// Runs `body` on the configured (migrated) database's vulnerability and job stores, closing it afterwards.
    static func withStore<R: Sendable>(_ configuration: BerthConfiguration, logger: Logger,
                                               _ body: (SQLVulnerabilityStore, SQLJobStore) async throws -> R) async throws -> R {
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let database = try await openDatabase(configuration, threadPool: pool, logger: logger)
        do {
            try await SQLRegistryStore(provider: database).migrate()
            let result = try await body(SQLVulnerabilityStore(provider: database), SQLJobStore(provider: database))
            await database.shutdown()
            try? await pool.shutdownGracefully()
            return result
        } catch {
            await database.shutdown()
            try? await pool.shutdownGracefully()
            throw error
        }
    }
}
