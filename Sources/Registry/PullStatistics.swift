import Logging
import Metadata
import OCI

/// Pull times and counts (Harbor's artifact and tag `pull_time`, repository `pull_count`) and `PULL_ARTIFACT` events.
/// Pulls are frequent, so they are gathered in memory (counts per manifest and tag, events one per pull) and written
/// by `flush()`, which the server calls about once a second and once more on shutdown.
public actor PullStatistics {
    struct Key: Hashable {
        let repository: String
        let digest: Digest
        let tag: String?
    }

    let store: any ArtifactStore
    let outbox: EventOutbox
    let logger: Logger
    private var pending: [Key: (count: Int64, lastAt: Int64)] = [:]
    private var events: [NewEvent] = []
    private var droppedEvents = 0

    /// Creates the recorder over `store`, with pull events going to `outbox`.
    public init(store: any ArtifactStore, outbox: EventOutbox, logger: Logger) {
        self.store = store
        self.outbox = outbox
        self.logger = logger
    }

    /// Counts one pull of `digest` (a manifest of `mediaType` and `size` bytes) from `repository` by `change`, through
    /// `tag` when the client named one.
    public func record(repository: String, digest: Digest, tag: String?, mediaType: String, size: Int64, at time: Int64, by change: ChangeContext) {
        // Bounded like the counts: if the database cannot keep up, pulls beyond this many lose their event (logged).
        if events.count < 100_000 {
            events.append(NewEvent(.pullArtifact, repository: repository, digest: digest.description, tags: tag.map { [$0] } ?? [], by: change,
                                   at: time, mediaType: mediaType, size: size))
        } else {
            droppedEvents += 1
        }
        let key = Key(repository: repository, digest: digest, tag: tag)
        // Bounded: distinct keys beyond this many wait for the next flush rather than grow memory without end.
        guard pending[key] != nil || pending.count < 100_000 else { return }
        let previous = pending[key] ?? (0, 0)
        pending[key] = (previous.count + 1, max(previous.lastAt, time))
    }

    /// Writes what was gathered.
    public func flush() async {
        await flushEvents()
        guard !pending.isEmpty else { return }
        let batch = pending.map { PullCount(repositoryName: $0.key.repository, digest: $0.key.digest, tag: $0.key.tag, count: $0.value.count, lastAt: $0.value.lastAt) }
        pending.removeAll(keepingCapacity: true)
        do { try await store.recordPulls(batch) } catch {
            logger.error("pull statistics not written", metadata: ["manifests": "\(batch.count)", "error": "\(error)"])
        }
    }

    private func flushEvents() async {
        if droppedEvents > 0 {
            logger.warning("pull events dropped: the outbox could not keep up", metadata: ["dropped": "\(droppedEvents)"])
            droppedEvents = 0
        }
        guard !events.isEmpty else { return }
        let batch = events
        events.removeAll(keepingCapacity: true)
        do { try await outbox.append(batch) } catch {
            // Kept for the next flush (within the bound), so a short database outage loses none.
            events.insert(contentsOf: batch.prefix(max(0, 100_000 - events.count)), at: 0)
            logger.error("pull events not written; retrying with the next flush", metadata: ["events": "\(batch.count)", "error": "\(error)"])
        }
    }
}
