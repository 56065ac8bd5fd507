import Metadata

/// What a run with `delete_untagged` would remove in one repository, played on its graph without changing anything
/// (a dry run's answer): untagged manifests pass by pass as the run deletes them — an index that goes leaves its
/// platforms untagged and unreferenced — then the links nothing left uses that were untouched for the grace period.
enum GarbagePlan {
    /// The manifests deleted and the links removed besides their own (each deleted manifest's link goes with it).
    static func play(_ graph: RepositoryGraph, cutoff: Int64, maximumPasses: Int = GarbageCollector.maximumUntaggedPasses)
        -> (manifests: [GarbageCandidate], links: [GarbageCandidate]) {
        var remaining = Dictionary(graph.manifests.map { ($0.digest, $0) }, uniquingKeysWith: { first, _ in first })
        var deleted: [String] = []
        for _ in 0 ..< maximumPasses {
            let referenced = Set(remaining.values.flatMap(\.references))
            let doomed = remaining.values.filter { manifest in
                manifest.createdAt < cutoff && !manifest.tagged && !referenced.contains(manifest.digest)
                    && !(manifest.subject.map { remaining[$0] != nil } ?? false)
            }.map(\.digest).sorted()
            guard !doomed.isEmpty else { break }
            for digest in doomed { remaining[digest] = nil }
            deleted += doomed
        }
        let sizes = Dictionary(graph.links.map { ($0.digest, $0.size) }, uniquingKeysWith: { first, _ in first })
        let deletedSet = Set(deleted)
        let used = Set(remaining.keys).union(remaining.values.flatMap(\.references))
        let links = graph.links.filter { !deletedSet.contains($0.digest) && !used.contains($0.digest) && $0.touchedAt < cutoff }
            .sorted { $0.digest < $1.digest }
        func candidate(_ digest: String, _ size: Int64) -> GarbageCandidate {
            GarbageCandidate(repositoryID: graph.repositoryID, repository: graph.repository, digest: digest, size: size)
        }
        return (deleted.map { candidate($0, sizes[$0] ?? 0) }, links.map { candidate($0.digest, $0.size) })
    }
}
