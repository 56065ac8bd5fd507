import Logging
import Metadata
import OCI

/// Pull times and counts (Harbor's artifact and tag `pull_time`, repository `pull_count`). Pulls are frequent, so
/// they are gathered in memory per manifest and tag, and written in one transaction by `flush()`, which the server
/// calls about once a second and once more on shutdown.
public actor PullStatistics {
    struct Key: Hashable {
        let repository: String
        let digest: Digest
        let tag: String?
    }

    let store: any ArtifactStore
    let logger: Logger
    private var pending: [Key: (count: Int64, lastAt: Int64)] = [:]

    /// Creates the recorder over `store`.
    public init(store: any ArtifactStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Counts one pull of `digest` from `repository`, through `tag` when the client named one.
    public func record(repository: String, digest: Digest, tag: String?, at time: Int64) {
        let key = Key(repository: repository, digest: digest, tag: tag)
        // Bounded: distinct keys beyond this many wait for the next flush rather than grow memory without end.
        guard pending[key] != nil || pending.count < 100_000 else { return }
        let previous = pending[key] ?? (0, 0)
        pending[key] = (previous.count + 1, max(previous.lastAt, time))
    }

    /// Writes what was gathered.
    public func flush() async {
        guard !pending.isEmpty else { return }
        let batch = pending.map { PullCount(repositoryName: $0.key.repository, digest: $0.key.digest, tag: $0.key.tag, count: $0.value.count, lastAt: $0.value.lastAt) }
        pending.removeAll(keepingCapacity: true)
        do { try await store.recordPulls(batch) } catch {
            logger.error("pull statistics not written", metadata: ["manifests": "\(batch.count)", "error": "\(error)"])
        }
    }
}
