import Events
import Foundation
import Metadata
import OCI
import Replication
import SQLKit

/// Event-based replication: an artifact pushed to (or deleted from) a repository that an enabled event-based
/// push policy selects becomes an execution with one task, in the dispatcher's transaction — so each event
/// replicates once however many instances run, and an event handed over twice finds its execution there already.
public struct ReplicationSubscriber: EventSubscriber {
    /// The subscriber.
    public init() {}

    public var name: String { "replication" }

    public func handle(_ events: [DomainEvent], on db: any SQLDatabase) async throws {
        let relevant = events.filter { ($0.event.type == .pushArtifact || $0.event.type == .deleteArtifact) && $0.event.digest != nil }
        guard !relevant.isEmpty else { return }
        let policies = try await SQLReplicationStore.eventPolicies(on: db).filter { $0.sourceRegistryID == nil && $0.destinationRegistryID != nil }
        guard !policies.isEmpty else { return }
        let now = Clock.nowMilliseconds()
        for policy in policies {
            guard let harbor = try? JSONDecoder().decode([HarborFilter].self, from: Data(policy.filters.utf8)),
                  let filters = try? ReplicationFilters(harbor: harbor) else { continue }
            for stored in relevant where stored.event.occurredAt >= policy.createdAt {
                let event = stored.event
                guard let digest = event.digest, filters.selects(repository: event.repository) else { continue }
                let destination = ReplicationPlan.destination(of: event.repository, policy: policy)
                let task: NewReplicationTask
                if event.type == .pushArtifact {
                    let isImage = event.details.mediaType.map { MediaType.imageManifestTypes.contains($0) || MediaType.indexTypes.contains($0) } ?? true
                    guard filters.selects(tags: event.tags, isImage: isImage) else { continue }
                    task = ReplicationPlan.copyTask(event.repository, destination: destination, digest: digest, tags: filters.selectedTags(event.tags))
                } else {
                    guard policy.replicateDeletion else { continue }
                    task = ReplicationPlan.deletionTask(event.repository, destination: destination, digest: digest, tags: event.tags)
                }
                _ = try await SQLReplicationStore.startExecution(policyID: policy.id, trigger: "event_based", origin: "event-" + stored.eventID,
                                                                 tasks: [task], now: now, on: db)
            }
        }
    }
}
