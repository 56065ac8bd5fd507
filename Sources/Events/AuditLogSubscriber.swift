import Metadata
import SQLKit

/// Writes the audit log's entries for repository, artifact and tag changes and pulls, from their events, in the
/// dispatcher's transaction (so each event gives exactly one entry). Entries read as Harbor's do: `create` /
/// `delete` / `pull` of an `artifact` (`project/repo:tag` when a tag was named, else `project/repo@digest`), and
/// `delete` of a `tag`, a `repository` or a `blob`. A tag added through the management API is a push of the
/// artifact with that tag, as the same change made on `/v2` is.
public struct AuditLogSubscriber: EventSubscriber {
    /// Creates the subscriber.
    public init() {}

    public var name: String { "audit" }

    public func handle(_ events: [DomainEvent], on db: any SQLDatabase) async throws {
        let entries = events.compactMap(Self.entry)
        guard !entries.isEmpty else { return }
        try await SQLAccessStore.appendAudit(entries, on: db)
    }

    /// The audit entry an event gives, if any (scanning, quota and other events are not audited here).
    static func entry(_ stored: DomainEvent) -> AuditRecord? {
        let event = stored.event
        let digest = event.digest ?? ""
        let operation: String, resourceType: String, resource: String
        switch event.type {
        case .pushArtifact:
            (operation, resourceType) = ("create", "artifact")
            resource = event.tags.first.map { "\(event.repository):\($0)" } ?? "\(event.repository)@\(digest)"
        case .pullArtifact:
            (operation, resourceType, resource) = ("pull", "artifact", "\(event.repository)@\(digest)")
        case .deleteArtifact:
            (operation, resourceType, resource) = ("delete", "artifact", "\(event.repository)@\(digest)")
        case .deleteTag:
            (operation, resourceType, resource) = ("delete", "tag", "\(event.repository):\(event.tags.first ?? "")")
        case .deleteRepository:
            (operation, resourceType, resource) = ("delete", "repository", event.repository)
        case .deleteBlob:
            (operation, resourceType, resource) = ("delete", "blob", "\(event.repository)@\(digest)")
        default:
            return nil
        }
        let details = event.details
        let shown = details.copiedFrom.map { "\(resource) (copied from \($0))" } ?? resource
        return AuditRecord(projectID: event.projectID, operation: operation, resourceType: resourceType, resource: String(shown.prefix(1000)),
                           username: event.operatorName, clientIP: details.clientIP ?? "", success: true, createdAt: event.occurredAt)
    }
}
