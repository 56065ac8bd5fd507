import Foundation
import Metadata

/// What a notification says about the event's project and repository besides the event itself.
public struct WebhookContext: Sendable, Equatable {
    /// The project's id (CloudEvents' `source`).
    public var projectID: Int64
    /// The project's name (the repository's namespace).
    public var projectName: String
    /// Whether the project is public (`repo_type`).
    public var projectIsPublic: Bool
    /// When the repository was created, ms since 1970 (nil once it is gone).
    public var repositoryCreatedAt: Int64?
    /// The registry's host (and port) as clients pull from it, for `resource_url`.
    public var registryHost: String

    /// Creates a context.
    public init(projectID: Int64, projectName: String, projectIsPublic: Bool, repositoryCreatedAt: Int64?, registryHost: String) {
        self.projectID = projectID
        self.projectName = projectName
        self.projectIsPublic = projectIsPublic
        self.repositoryCreatedAt = repositoryCreatedAt
        self.registryHost = registryHost
    }
}

/// The request bodies of notifications, in Harbor's formats: `Default` and `CloudEvents` for http targets, Slack's
/// message blocks for slack targets.
public enum WebhookPayload {
    /// The payload formats an http target may choose.
    public static let formats = ["Default", "CloudEvents"]
    /// The target types.
    public static let targetTypes = ["http", "slack"]

    /// CloudEvents' `type` for each of Harbor's event types.
    static let cloudEventTypes: [String: String] = [
        "PUSH_ARTIFACT": "harbor.artifact.pushed", "PULL_ARTIFACT": "harbor.artifact.pulled", "DELETE_ARTIFACT": "harbor.artifact.deleted",
        "SCANNING_COMPLETED": "harbor.scan.completed", "SCANNING_STOPPED": "harbor.scan.stopped", "SCANNING_FAILED": "harbor.scan.failed",
        "QUOTA_EXCEED": "harbor.quota.exceeded", "QUOTA_WARNING": "harbor.quota.warned",
        "REPLICATION": "harbor.replication.status.changed", "TAG_RETENTION": "harbor.tag_retention.finished",
    ]

    /// The `Content-Type` of the bodies sent to `target`.
    public static func contentType(for target: WebhookTarget) -> String {
        target.type == "http" && target.payloadFormat == "CloudEvents" ? "application/cloudevents+json" : "application/json"
    }

    /// The body sent to `target` for `event` under policy `policyID`.
    public static func render(_ event: DomainEvent, policyID: Int64, target: WebhookTarget, context: WebhookContext) -> String {
        let data = eventData(event.event, context)
        let seconds = event.event.occurredAt / 1000
        if target.type == "slack" {
            return slack(event.event, data: data, seconds: seconds)
        }
        if target.payloadFormat == "CloudEvents" {
            let object: [String: Any] = [
                "specversion": "1.0",
                "id": event.eventID,
                "requestid": UUID().uuidString.lowercased(),
                "source": "/projects/\(context.projectID)/webhook/policies/\(policyID)",
                "type": cloudEventTypes[event.event.type.rawValue] ?? "harbor.\(event.event.type.rawValue.lowercased())",
                "datacontenttype": "application/json",
                "time": iso8601(seconds),
                "data": data,
                "operator": event.event.operatorName,
            ]
            return json(object)
        }
        let object: [String: Any] = [
            "type": event.event.type.rawValue, "occur_at": seconds, "operator": event.event.operatorName, "event_data": data,
        ]
        return json(object)
    }

    /// `event_data`: the resources (one per tag, or one for the digest) and the repository.
    static func eventData(_ event: NewEvent, _ context: WebhookContext) -> [String: Any] {
        let digest = event.digest ?? ""
        let withDigest = "\(context.registryHost)/\(event.repository)@\(digest)"
        var resources: [[String: Any]] = event.tags.map {
            ["digest": digest, "tag": $0, "resource_url": "\(context.registryHost)/\(event.repository):\($0)"]
        }
        if resources.isEmpty { resources = [["digest": digest, "tag": digest, "resource_url": withDigest]] }
        let name = event.repository.hasPrefix(context.projectName + "/") ? String(event.repository.dropFirst(context.projectName.count + 1))
            : event.repository
        var repository: [String: Any] = [
            "name": name, "namespace": context.projectName, "repo_full_name": event.repository,
            "repo_type": context.projectIsPublic ? "public" : "private",
        ]
        if let created = context.repositoryCreatedAt { repository["date_created"] = created / 1000 }
        return ["resources": resources, "repository": repository]
    }

    /// Slack's incoming-webhook message: Harbor's heading, the event's type, time and operator, and the event data.
    static func slack(_ event: NewEvent, data: [String: Any], seconds: Int64) -> String {
        func section(_ text: String) -> [String: Any] { ["type": "section", "text": ["type": "mrkdwn", "text": text]] }
        let when = "<!date^\(seconds)^{date} at {time}|\(iso8601(seconds))>"
        let object: [String: Any] = [
            "text": "Harbor webhook events: \(event.type.rawValue) \(event.repository) by \(event.operatorName)",
            "blocks": [
                section("*Harbor webhook events*"),
                section("*event_type:* \(event.type.rawValue)\n*occur_at:* \(when)\n*operator:* \(event.operatorName)\n*event_data:*"),
                section("```\(json(data, pretty: true))```"),
            ],
        ]
        return json(object)
    }

    static func iso8601(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    static func json(_ object: Any, pretty: Bool = false) -> String {
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { options.insert(.prettyPrinted) }
        return (try? JSONSerialization.data(withJSONObject: object, options: options)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
