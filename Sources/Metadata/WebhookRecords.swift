/// Where a webhook policy sends its notifications (Harbor's `WebhookTargetObject`).
public struct WebhookTarget: Codable, Sendable, Equatable {
    /// `http` or `slack`.
    public var type: String
    /// The receiver's URL.
    public var address: String
    /// Sent as the `Authorization` header when not empty.
    public var authHeader: String
    /// Whether an HTTPS receiver's certificate is accepted unverified.
    public var skipCertVerify: Bool
    /// `Default` or `CloudEvents` (http targets; slack targets use Slack's message format).
    public var payloadFormat: String

    /// Creates a target.
    public init(type: String, address: String, authHeader: String, skipCertVerify: Bool, payloadFormat: String) {
        self.type = type
        self.address = address
        self.authHeader = authHeader
        self.skipCertVerify = skipCertVerify
        self.payloadFormat = payloadFormat
    }
}

/// A project's webhook policy.
public struct WebhookPolicyRecord: Sendable, Equatable {
    /// Database id.
    public var id: Int64
    /// The project it belongs to.
    public var projectID: Int64
    /// Unique within the project.
    public var name: String
    /// Free text.
    public var description: String
    /// Disabled policies get no events.
    public var enabled: Bool
    /// The event types it is notified of (`PUSH_ARTIFACT`, …).
    public var eventTypes: [String]
    /// Where notifications go (at least one).
    public var targets: [WebhookTarget]
    /// Who created it.
    public var creator: String
    /// Creation time, ms since 1970.
    public var createdAt: Int64
    /// Last change, ms since 1970.
    public var updatedAt: Int64

    /// Creates a record.
    public init(id: Int64 = 0, projectID: Int64, name: String, description: String, enabled: Bool, eventTypes: [String], targets: [WebhookTarget],
                creator: String, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.projectID = projectID
        self.name = name
        self.description = description
        self.enabled = enabled
        self.eventTypes = eventTypes
        self.targets = targets
        self.creator = creator
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The state of a webhook execution or task, in Harbor's words.
public enum WebhookStatus: String, Sendable, CaseIterable {
    /// Waiting for its first attempt.
    case pending = "Pending"
    /// Being delivered, or waiting to be retried.
    case running = "Running"
    /// Delivered (the receiver answered 2xx).
    case success = "Success"
    /// Every attempt failed.
    case error = "Error"
    /// Stopped before it finished.
    case stopped = "Stopped"

    /// Whether nothing more will happen to it.
    public var isFinal: Bool { self == .success || self == .error || self == .stopped }
}

/// One event's delivery under one policy.
public struct WebhookExecutionRecord: Sendable, Equatable {
    /// Database id.
    public var id: Int64
    /// The policy.
    public var policyID: Int64
    /// The event's UUID (the same in every delivery of the event).
    public var eventID: String
    /// The event's type.
    public var eventType: String
    /// Overall state: running while a task is, else error if one failed, else success.
    public var status: WebhookStatus
    /// Tasks per state.
    public var taskCounts: [WebhookStatus: Int]
    /// When the event was handed over, ms since 1970.
    public var startedAt: Int64
    /// When the last task ended, ms since 1970.
    public var endedAt: Int64?

    /// Creates a record.
    public init(id: Int64, policyID: Int64, eventID: String, eventType: String, status: WebhookStatus, taskCounts: [WebhookStatus: Int],
                startedAt: Int64, endedAt: Int64?) {
        self.id = id
        self.policyID = policyID
        self.eventID = eventID
        self.eventType = eventType
        self.status = status
        self.taskCounts = taskCounts
        self.startedAt = startedAt
        self.endedAt = endedAt
    }
}

/// One notification to one target: the request it sends and what became of it.
public struct WebhookTaskRecord: Sendable, Equatable {
    /// Database id.
    public var id: Int64
    /// The execution it belongs to.
    public var executionID: Int64
    /// The target it goes to (as the policy said when the event was handed over).
    public var target: WebhookTarget
    /// The JSON body it sends.
    public var body: String
    /// State.
    public var status: WebhookStatus
    /// The receiver's last HTTP status, if it answered.
    public var statusCode: Int?
    /// Attempts so far.
    public var runCount: Int
    /// One line per attempt (never the auth header).
    public var log: String
    /// Creation time, ms since 1970.
    public var createdAt: Int64
    /// Last change, ms since 1970.
    public var updatedAt: Int64
    /// First attempt, ms since 1970.
    public var startedAt: Int64?
    /// When it ended, ms since 1970.
    public var endedAt: Int64?

    /// Creates a record.
    public init(id: Int64, executionID: Int64, target: WebhookTarget, body: String, status: WebhookStatus, statusCode: Int?, runCount: Int, log: String,
                createdAt: Int64, updatedAt: Int64, startedAt: Int64?, endedAt: Int64?) {
        self.id = id
        self.executionID = executionID
        self.target = target
        self.body = body
        self.status = status
        self.statusCode = statusCode
        self.runCount = runCount
        self.log = log
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.startedAt = startedAt
        self.endedAt = endedAt
    }
}

/// A policy's most recent delivery per event type (Harbor's `lasttrigger`).
public struct WebhookLastTrigger: Sendable, Equatable {
    /// The policy's name.
    public var policyName: String
    /// The event type.
    public var eventType: String
    /// Whether the policy is enabled.
    public var enabled: Bool
    /// The policy's creation time, ms since 1970.
    public var createdAt: Int64
    /// The last execution for this type, ms since 1970.
    public var lastTriggeredAt: Int64?

    /// Creates an entry.
    public init(policyName: String, eventType: String, enabled: Bool, createdAt: Int64, lastTriggeredAt: Int64?) {
        self.policyName = policyName
        self.eventType = eventType
        self.enabled = enabled
        self.createdAt = createdAt
        self.lastTriggeredAt = lastTriggeredAt
    }
}
