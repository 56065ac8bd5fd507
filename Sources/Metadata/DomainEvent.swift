/// What happened, in Harbor's event-type names (`PUSH_ARTIFACT`, …). Open-ended, so later features add their types
/// (scanning, quota, replication, retention) without changing the outbox.
public struct EventType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The name as stored and as Harbor's webhook payloads spell it.
    public let rawValue: String
    /// Wraps a name.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The name.
    public var description: String { rawValue }

    /// A manifest was pushed (with or without a tag).
    public static let pushArtifact = EventType(rawValue: "PUSH_ARTIFACT")
    /// A manifest was pulled.
    public static let pullArtifact = EventType(rawValue: "PULL_ARTIFACT")
    /// An artifact was deleted.
    public static let deleteArtifact = EventType(rawValue: "DELETE_ARTIFACT")
    /// A scan finished.
    public static let scanningCompleted = EventType(rawValue: "SCANNING_COMPLETED")
    /// A scan failed.
    public static let scanningFailed = EventType(rawValue: "SCANNING_FAILED")
    /// A scan was stopped.
    public static let scanningStopped = EventType(rawValue: "SCANNING_STOPPED")
    /// A push was refused for exceeding a quota.
    public static let quotaExceed = EventType(rawValue: "QUOTA_EXCEED")
    /// A project's usage passed the warning level of its quota.
    public static let quotaWarning = EventType(rawValue: "QUOTA_WARNING")
    /// A replication finished.
    public static let replication = EventType(rawValue: "REPLICATION")
    /// A tag retention run finished.
    public static let tagRetention = EventType(rawValue: "TAG_RETENTION")
}

/// An event as a change records it, before the outbox gives it its ids.
public struct NewEvent: Sendable, Equatable {
    /// What happened.
    public var type: EventType
    /// The project it happened in (nil for system-wide events).
    public var projectID: Int64?
    /// The repository's full name (`library/app`), or empty when the event is not about one.
    public var repository: String
    /// The artifact's digest, when the event is about one.
    public var digest: String?
    /// Tags involved (the pushed tag, the deleted artifact's tags).
    public var tags: [String]
    /// Who did it (user or robot name; empty for the system).
    public var operatorName: String
    /// When, in ms since 1970.
    public var occurredAt: Int64
    /// Type-specific details as a JSON object (media type, size, scan summary, …).
    public var payload: String

    /// Creates an event.
    public init(type: EventType, projectID: Int64?, repository: String, digest: String?, tags: [String], operatorName: String,
                occurredAt: Int64, payload: String = "{}") {
        self.type = type
        self.projectID = projectID
        self.repository = repository
        self.digest = digest
        self.tags = tags
        self.operatorName = operatorName
        self.occurredAt = occurredAt
        self.payload = payload
    }
}

/// An event in the outbox.
public struct DomainEvent: Sendable, Equatable {
    /// Position in the outbox (increasing, but not necessarily in commit order).
    public var id: Int64
    /// A UUID that stays with the event through every delivery, so subscribers and receivers can spot duplicates.
    public var eventID: String
    /// The event's content.
    public var event: NewEvent
    /// When subscribers were handed the event, ms since 1970; nil while it waits.
    public var dispatchedAt: Int64?

    /// Creates a stored event.
    public init(id: Int64, eventID: String, event: NewEvent, dispatchedAt: Int64?) {
        self.id = id
        self.eventID = eventID
        self.event = event
        self.dispatchedAt = dispatchedAt
    }
}
