import Logging
import Metadata

/// Records audit entries. Changes and logins are written before the request is answered; pulls, which are
/// frequent, are queued and written in batches by `flush()`, which the server's audit service calls about once a
/// second and once more on shutdown.
public actor AuditTrail {
    let store: any AuditStore
    let logger: Logger
    private var pending: [AuditRecord] = []

    /// Creates the trail over `store`.
    public init(store: any AuditStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Writes an entry now.
    public func record(_ entry: AuditRecord) async {
        do { try await store.append([entry]) } catch {
            logger.error("audit entry not written", metadata: ["operation": "\(entry.operation)", "error": "\(error)"])
        }
    }

    /// Queues an entry to be written with the next batch.
    public func recordLater(_ entry: AuditRecord) {
        // Bounded: if the database cannot keep up, the oldest queued pulls are dropped (and counted in the log).
        if pending.count >= 100_000 {
            pending.removeFirst(10_000)
            logger.warning("audit queue full; dropped 10000 queued pull entries")
        }
        pending.append(entry)
    }

    /// Writes every queued entry.
    public func flush() async {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        do { try await store.append(batch) } catch {
            logger.error("audit entries not written", metadata: ["count": "\(batch.count)", "error": "\(error)"])
        }
    }
}
