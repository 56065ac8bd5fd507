import Foundation

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

    // Changes Harbor records in its audit log but sends no webhook for (its internal events of the same names).
    /// A tag was removed (the artifact stays).
    public static let deleteTag = EventType(rawValue: "DELETE_TAG")
    /// A repository was deleted with everything in it (its artifacts' `DELETE_ARTIFACT` events come with it).
    public static let deleteRepository = EventType(rawValue: "DELETE_REPOSITORY")
    /// A blob's link to a repository was removed (`DELETE /v2/…/blobs/…`).
    public static let deleteBlob = EventType(rawValue: "DELETE_BLOB")

    /// The types a webhook policy can subscribe to, in the order Harbor lists them.
    public static let webhookTypes: [EventType] = [
        .deleteArtifact, .pullArtifact, .pushArtifact, .quotaExceed, .quotaWarning, .replication,
        .scanningFailed, .scanningCompleted, .scanningStopped, .tagRetention,
    ]
}

/// The details an artifact event carries in its payload column (JSON, snake_case keys).
public struct EventDetails: Codable, Sendable, Equatable {
    /// The manifest's media type.
    public var mediaType: String?
    /// The manifest's size in bytes.
    public var size: Int64?
    /// The client's address, for the audit log.
    public var clientIP: String?
    /// For a copy: the source as the caller named it.
    public var copiedFrom: String?

    /// Creates details.
    public init(mediaType: String? = nil, size: Int64? = nil, clientIP: String? = nil, copiedFrom: String? = nil) {
        self.mediaType = mediaType
        self.size = size
        self.clientIP = clientIP
        self.copiedFrom = copiedFrom
    }

    enum CodingKeys: String, CodingKey {
        case mediaType = "media_type", size, clientIP = "client_ip", copiedFrom = "copied_from"
    }

    /// The JSON text stored in the outbox.
    public var json: String {
        (try? JSONEncoder.sorted.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
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

    /// An event about an artifact or tag change made by `change`; the project is found from the repository's name
    /// when the outbox stores it.
    public init(_ type: EventType, repository: String, digest: String?, tags: [String], by change: ChangeContext, at time: Int64,
                mediaType: String? = nil, size: Int64? = nil) {
        let details = EventDetails(mediaType: mediaType, size: size, clientIP: change.clientIP.isEmpty ? nil : change.clientIP,
                                   copiedFrom: change.copiedFrom)
        self.init(type: type, projectID: nil, repository: repository, digest: digest, tags: tags, operatorName: change.operatorName,
                  occurredAt: time, payload: details.json)
    }

    /// The payload read as artifact-event details (empty when it holds something else).
    public var details: EventDetails {
        (try? JSONDecoder().decode(EventDetails.self, from: Data(payload.utf8))) ?? EventDetails()
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
