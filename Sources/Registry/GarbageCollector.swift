import Logging
import Metadata
import OCI
import Storage

/// What a garbage-collection run is asked to do.
public struct GarbageCollectionOptions: Sendable, Equatable {
    /// Also remove untagged manifests (Harbor's `delete_untagged`).
    public var deleteUntagged: Bool
    /// Report what would go without removing anything.
    public var dryRun: Bool
    /// How long a link must have been untouched, and a file unchanged, before it may go (milliseconds).
    public var graceMilliseconds: Int64

    /// Options.
    public init(deleteUntagged: Bool = false, dryRun: Bool = false, graceMilliseconds: Int64 = 2 * 3_600_000) {
        self.deleteUntagged = deleteUntagged
        self.dryRun = dryRun
        self.graceMilliseconds = max(0, graceMilliseconds)
    }
}

/// What a run removed (or, dry, would remove).
public struct GarbageCollectionReport: Sendable, Equatable {
    /// Untagged manifests deleted.
    public var manifestsDeleted = 0
    /// Links removed from repositories (their bytes no longer count against quotas).
    public var linksRemoved = 0
    /// Blob and manifest files deleted from storage.
    public var blobsDeleted = 0
    /// Bytes those files held.
    public var bytesFreed: Int64 = 0
    /// The digests of the deleted files (what a dry run lists).
    public var deletedDigests: [String] = []

    /// An empty report.
    public init() {}
}

/// Online garbage collection (docs/garbage-collection.md): removes untagged manifests when asked, then links nothing
/// uses that were untouched for the grace period, then the files no repository links that are older than it.
/// Pushes, pulls and deletes go on meanwhile: every removal is re-checked where it happens.
public struct GarbageCollector: Sendable {
    let garbage: SQLGarbageStore
    let registry: any RegistryStore
    let storage: any StorageDriver
    let logger: Logger

    /// A collector over the registry's database and storage.
    public init(garbage: SQLGarbageStore, registry: any RegistryStore, storage: any StorageDriver, logger: Logger) {
        self.garbage = garbage
        self.registry = registry
        self.storage = storage
        self.logger = logger
    }

    static let change = ChangeContext(operatorName: "gc", clientIP: "")
    static let page = 500

    /// Runs once; `progress` hears each step (for the run's log); `stopped` is asked between pages.
    public func run(_ options: GarbageCollectionOptions, now: Int64, progress: @Sendable (String) async -> Void = { _ in },
                    stopped: @Sendable () async -> Bool = { false }) async throws -> GarbageCollectionReport {
        let cutoff = now - options.graceMilliseconds
        var report = GarbageCollectionReport()
        await progress("garbage collection\(options.dryRun ? " (dry run)" : ""): grace \(options.graceMilliseconds / 1000) s, untagged "
            + (options.deleteUntagged ? "deleted" : "kept"))

        if options.deleteUntagged {
            // Deleting an untagged index leaves its platforms untagged and unreferenced: repeat until none is left.
            for _ in 0 ..< (options.dryRun ? 1 : 8) {
                var after: (Int64, String)? = nil
                var deletedThisPass = 0
                while !(await stopped()) {
                    let candidates = try await garbage.untaggedManifests(before: cutoff, after: after, limit: Self.page)
                    guard let last = candidates.last else { break }
                    after = (last.repositoryID, last.digest)
                    for candidate in candidates {
                        if !options.dryRun {
                            guard let digest = try? Digest(parsing: candidate.digest),
                                  try await registry.deleteManifest(digest, repositoryID: candidate.repositoryID, by: Self.change) else { continue }
                        }
                        deletedThisPass += 1
                    }
                }
                report.manifestsDeleted += deletedThisPass
                if deletedThisPass == 0 { break }
            }
            await progress("untagged manifests \(options.dryRun ? "to delete" : "deleted"): \(report.manifestsDeleted)")
        }

        var counts = options.dryRun ? try await garbage.linkCounts() : [:]
        var after: (Int64, String)? = nil
        while !(await stopped()) {
            let candidates = try await garbage.unusedLinks(before: cutoff, after: after, limit: Self.page)
            guard let last = candidates.last else { break }
            after = (last.repositoryID, last.digest)
            if options.dryRun {
                for candidate in candidates { counts[candidate.digest, default: 1] -= 1 }
                report.linksRemoved += candidates.count
            } else {
                report.linksRemoved += try await garbage.removeLinks(candidates, before: cutoff, now: now).count
            }
        }
        await progress("unused links \(options.dryRun ? "to remove" : "removed"): \(report.linksRemoved)")

        // The files: what no repository links (after the removals above) and has not changed for the grace period.
        let linked = options.dryRun ? Set(counts.filter { $0.value > 0 }.keys) : try await garbage.linkedDigests()
        for algorithm in try await storage.list(StoragePath("blobs")) {
            for prefix in try await storage.list(StoragePath("blobs", algorithm)) {
                if await stopped() { break }
                for name in try await storage.list(StoragePath("blobs", algorithm, prefix)) {
                    let digest = "\(algorithm):\(name)"
                    guard !linked.contains(digest) else { continue }
                    let path = StoragePath("blobs", algorithm, prefix, name)
                    guard let modified = try await storage.modificationTime(of: path), Int64(modified * 1000) < cutoff else { continue }
                    let size = try await storage.size(of: path) ?? 0
                    if !options.dryRun { try await storage.delete(path) }
                    report.blobsDeleted += 1
                    report.bytesFreed += size
                    report.deletedDigests.append(digest)
                }
            }
        }
        await progress("files \(options.dryRun ? "to delete" : "deleted"): \(report.blobsDeleted), \(report.bytesFreed) bytes")
        return report
    }
}
