import Metadata
import SQLKit

/// Something that reacts to domain events: the audit log, webhooks, and later scan-on-push, replication and quotas.
///
/// `handle` runs inside the dispatcher's transaction and must only do database work on `db` (write its own rows,
/// enqueue jobs for anything slow): that work commits together with the events being marked dispatched, so it
/// happens once per event even when an instance crashes mid-way. Throwing undoes the whole batch for every
/// subscriber, and the batch is handed over again later.
public protocol EventSubscriber: Sendable {
    /// A short name for logs.
    var name: String { get }
    /// Reacts to `events` (oldest first) on the dispatcher's transaction.
    func handle(_ events: [DomainEvent], on db: any SQLDatabase) async throws
}
