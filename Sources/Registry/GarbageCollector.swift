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
    /// How many storage deletions go on side by side (1…5, Harbor's `workers`).
    public var workers: Int

    /// Options.
    public init(deleteUntagged: Bool = false, dryRun: Bool = false, graceMilliseconds: Int64 = 2 * 3_600_000, workers: Int = 1) {
        self.deleteUntagged = deleteUntagged
        self.dryRun = dryRun
        self.graceMilliseconds = max(0, graceMilliseconds)
        self.workers = min(max(workers, 1), 5)
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
    /// Abandoned upload sessions purged (none in a dry run).
    public var uploadsPurged = 0
    /// The digests of the deleted files (what a dry run lists).
    public var deletedDigests: [String] = []

    /// An empty report.
    public init() {}

    /// The counts a run records.
    public var counts: GarbageRunCounts {
        GarbageRunCounts(manifestsDeleted: Int64(manifestsDeleted), linksRemoved: Int64(linksRemoved), blobsDeleted: Int64(blobsDeleted),
                         bytesFreed: bytesFreed, uploadsPurged: Int64(uploadsPurged))
    }
}

/// Online garbage collection (docs/garbage-collection.md): removes untagged manifests when asked, then links nothing
/// uses that were untouched for the grace period, then the files no repository links that are older than it, and
/// abandoned uploads. Pushes, pulls and deletes go on meanwhile: every removal is re-checked where it happens.
public struct GarbageCollector: Sendable {
    let garbage: SQLGarbageStore
    let registry: any RegistryStore
    let storage: any StorageDriver
    let uploads: UploadService?
    let logger: Logger

    /// A collector over the registry's database and storage; with `uploads`, a real run also purges abandoned uploads.
    public init(garbage: SQLGarbageStore, registry: any RegistryStore, storage: any StorageDriver, uploads: UploadService? = nil, logger: Logger) {
        self.garbage = garbage
        self.registry = registry
        self.storage = storage
        self.uploads = uploads
        self.logger = logger
    }

    static let change = ChangeContext(operatorName: "gc", clientIP: "")
    static let page = 500
    /// Deleting an untagged index leaves its platforms untagged: passes repeat until one deletes nothing, at most this often.
    static let maximumUntaggedPasses = 16

    /// Runs once. `progress` hears each line of the run's log; `checkpoint` hears the counts so far between pages and
    /// answers whether to go on (false stops the run where it is: what was removed stays removed; an error ends it).
    public func run(_ options: GarbageCollectionOptions, now: Int64, progress: @Sendable (String) async -> Void = { _ in },
                    checkpoint: @Sendable (GarbageCollectionReport) async throws -> Bool = { _ in true }) async throws -> GarbageCollectionReport {
        let cutoff = now - options.graceMilliseconds
        var report = GarbageCollectionReport()
        let verb = options.dryRun ? "would delete" : "deleted"
        await progress("garbage collection\(options.dryRun ? " (dry run)" : ""): grace period \(options.graceMilliseconds / 1000) s, untagged manifests "
            + (options.deleteUntagged ? "deleted" : "kept") + ", \(options.workers) worker(s)")

        // 1. Untagged manifests, and in a dry run what their deletion frees in their repositories.
        var played: Set<Int64> = []
        // A dry run removes nothing, so the sweep below subtracts the links it would have removed, per digest.
        var unlinkedByPlan: [String: Int] = [:]
        if options.deleteUntagged {
            if options.dryRun {
                var after: (Int64, String)? = nil
                while try await checkpoint(report) {
                    let candidates = try await garbage.untaggedManifests(before: cutoff, after: after, limit: Self.page)
                    guard let last = candidates.last else { break }
                    after = (last.repositoryID, last.digest)
                    for repositoryID in Set(candidates.map(\.repositoryID)).subtracting(played) {
                        played.insert(repositoryID)
                        guard let graph = try await garbage.repositoryGraph(repositoryID) else { continue }
                        let plan = GarbagePlan.play(graph, cutoff: cutoff)
                        for manifest in plan.manifests {
                            await progress("\(verb) untagged manifest \(graph.repository)@\(manifest.digest)")
                            if graph.links.contains(where: { $0.digest == manifest.digest }) { unlinkedByPlan[manifest.digest, default: 0] += 1 }
                        }
                        for link in plan.links {
                            await progress("would remove link \(graph.repository)@\(link.digest) (\(link.size) bytes)")
                            unlinkedByPlan[link.digest, default: 0] += 1
                        }
                        report.manifestsDeleted += plan.manifests.count
                        report.linksRemoved += plan.links.count
                    }
                }
            } else {
                for _ in 0 ..< Self.maximumUntaggedPasses {
                    var after: (Int64, String)? = nil
                    var deletedThisPass = 0
                    while try await checkpoint(report) {
                        let candidates = try await garbage.untaggedManifests(before: cutoff, after: after, limit: Self.page)
                        guard let last = candidates.last else { break }
                        after = (last.repositoryID, last.digest)
                        for candidate in candidates {
                            guard let digest = try? Digest(parsing: candidate.digest),
                                  try await registry.deleteManifest(digest, repositoryID: candidate.repositoryID, by: Self.change) else { continue }
                            await progress("deleted untagged manifest \(candidate.repository)@\(candidate.digest)")
                            deletedThisPass += 1
                            report.manifestsDeleted += 1
                        }
                    }
                    if deletedThisPass == 0 { break }
                }
            }
            await progress("untagged manifests \(options.dryRun ? "to delete" : "deleted"): \(report.manifestsDeleted)")
        }

        // 2. Links nothing uses (repositories a dry run played above are done).
        var after: (Int64, String)? = nil
        while try await checkpoint(report) {
            let candidates = try await garbage.unusedLinks(before: cutoff, after: after, limit: Self.page)
            guard let last = candidates.last else { break }
            after = (last.repositoryID, last.digest)
            let removed: [GarbageCandidate]
            if options.dryRun {
                removed = candidates.filter { !played.contains($0.repositoryID) }
                for candidate in removed { unlinkedByPlan[candidate.digest, default: 0] += 1 }
            } else {
                removed = try await garbage.removeLinks(candidates, before: cutoff, now: now)
            }
            for candidate in removed {
                await progress("\(options.dryRun ? "would remove" : "removed") link \(candidate.repository)@\(candidate.digest) (\(candidate.size) bytes)")
            }
            report.linksRemoved += removed.count
        }
        await progress("unused links \(options.dryRun ? "to remove" : "removed"): \(report.linksRemoved)")

        // 3. The files: what no repository links (after the removals above) and has not changed for the grace period.
        // Prefix directories are swept `workers` at a time, each by one task (deletions in one directory queue on it);
        // the links of a directory's files are read when it is listed, so memory stays that of one directory.
        let storage = self.storage, garbage = self.garbage, dryRun = options.dryRun, planned = unlinkedByPlan
        sweep: for algorithm in try await storage.list(StoragePath("blobs")) {
            let prefixes = try await storage.list(StoragePath("blobs", algorithm))
            for start in stride(from: 0, to: prefixes.count, by: options.workers) {
                guard try await checkpoint(report) else { break sweep }
                let batch = Array(prefixes[start ..< min(start + options.workers, prefixes.count)])
                let swept = try await withThrowingTaskGroup(of: (Int, [StoredObject]).self) { group in
                    for (index, prefix) in batch.enumerated() {
                        group.addTask {
                            let directory = StoragePath("blobs", algorithm, prefix)
                            let listed = try await storage.objects(in: directory)
                            let linked = try await Self.linked(listed, algorithm: algorithm, olderThan: cutoff, unlinkedByPlan: planned, garbage: garbage)
                            if !dryRun { try await Self.putBackSetAside(listed, in: directory, algorithm: algorithm, linked: linked, storage: storage) }
                            let doomed = listed.filter {
                                !linked.contains("\(algorithm):\($0.name)") && Self.isOld($0, cutoff: cutoff)
                            }
                            if dryRun { return (index, doomed) }
                            // An upload of the same bytes may have replaced a file since the listing: the driver keeps
                            // a file written after the cutoff, and only what it removed is counted.
                            let removed = Set(try await storage.deleteIfWritten(before: Double(cutoff) / 1000, names: doomed.map(\.name), in: directory))
                            return (index, doomed.filter { removed.contains($0.name) })
                        }
                    }
                    return try await group.reduce(into: [(Int, [StoredObject])]()) { $0.append($1) }.sorted { $0.0 < $1.0 }.map(\.1)
                }
                for file in swept.joined() {
                    await progress("\(verb) blob \(algorithm):\(file.name) (\(file.size) bytes)")
                    report.blobsDeleted += 1
                    report.bytesFreed += file.size
                    report.deletedDigests.append("\(algorithm):\(file.name)")
                    if report.blobsDeleted % 10_000 == 0 {
                        await progress("files \(options.dryRun ? "to delete" : "deleted") so far: \(report.blobsDeleted), \(report.bytesFreed) bytes")
                    }
                }
            }
        }
        await progress("files \(options.dryRun ? "to delete" : "deleted"): \(report.blobsDeleted), \(report.bytesFreed) bytes")

        // 4. Upload data whose session was abandoned, or whose session is gone (a crash between the two deletions).
        if !options.dryRun, let uploads, try await checkpoint(report) {
            report.uploadsPurged = try await uploads.purgeStale()
            await progress("abandoned uploads purged: \(report.uploadsPurged)")
        }
        return report
    }

    /// Whether a file was last written before `cutoff` (milliseconds): only such files may be removed. Compared as
    /// floating point: a time far in the future (or not a number) from a storage listing keeps the file instead of
    /// trapping on conversion.
    static func isOld(_ object: StoredObject, cutoff: Int64) -> Bool {
        object.modified * 1000 < Double(cutoff)
    }

    /// Which of a directory's files some repository links (less the links a dry run would have removed): asked for
    /// the files older than `cutoff` (newer ones stay anyway) and for the originals of files set aside.
    static func linked(_ listed: [StoredObject], algorithm: String, olderThan cutoff: Int64, unlinkedByPlan: [String: Int],
                       garbage: SQLGarbageStore) async throws -> Set<String> {
        var asked: Set<String> = []
        for object in listed {
            if let original = SetAsideName.original(of: object.name) { asked.insert("\(algorithm):\(original)") }
            if isOld(object, cutoff: cutoff) { asked.insert("\(algorithm):\(object.name)") }
        }
        guard !asked.isEmpty else { return [] }
        let counts = try await garbage.linkCounts(of: asked.sorted())
        return Set(counts.filter { $0.value - (unlinkedByPlan[$0.key] ?? 0) > 0 }.keys)
    }

    /// A sweep that died between moving a file aside and putting it back (`deleteIfWritten`, when an upload had just
    /// written it) leaves `<digest>.gc-<n>` and no `<digest>`: when the digest is linked, the file goes back.
    static func putBackSetAside(_ listed: [StoredObject], in directory: StoragePath, algorithm: String, linked: Set<String>,
                                storage: any StorageDriver) async throws {
        var present = Set(listed.map(\.name))
        for object in listed {
            guard let original = SetAsideName.original(of: object.name) else { continue }
            guard linked.contains("\(algorithm):\(original)"), !present.contains(original) else { continue }
            try await storage.move(directory.appending(object.name), to: directory.appending(original))
            present.insert(original)
        }
    }
}
