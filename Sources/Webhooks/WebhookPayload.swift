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
            return JSONText.object([
                ("specversion", .string("1.0")),
                ("id", .string(event.eventID)),
                ("requestid", .string(RandomUUID.text())),
                ("source", .string("/projects/\(context.projectID)/webhook/policies/\(policyID)")),
                ("type", .string(cloudEventTypes[event.event.type.rawValue] ?? "harbor.\(event.event.type.rawValue.lowercased())")),
                ("datacontenttype", .string("application/json")),
                ("time", .string(iso8601(seconds))),
                ("data", data),
                ("operator", .string(event.event.operatorName)),
            ]).rendered()
        }
        return JSONText.object([
            ("type", .string(event.event.type.rawValue)), ("occur_at", .integer(seconds)), ("operator", .string(event.event.operatorName)),
            ("event_data", data),
        ]).rendered()
    }

    /// `event_data`: the resources (one per tag, or one for the digest) and the repository.
    static func eventData(_ event: NewEvent, _ context: WebhookContext) -> JSONText {
        // A replication's event carries Harbor's `replication` object, made when its task ended.
        if event.type == .replication, let replication = member("replication", of: event.payload) {
            return .object([("replication", .raw(replication))])
        }
        let digest = event.digest ?? ""
        let isQuota = event.type == .quotaExceed || event.type == .quotaWarning
        var resources: [JSONText] = event.tags.map {
            .object([("digest", .string(digest)), ("tag", .string($0)), ("resource_url", .string("\(context.registryHost)/\(event.repository):\($0)"))])
        }
        if isQuota {
            // Harbor's quota events name the blob and say what happened in `custom_attributes.Details`.
            resources = [.object([("digest", .string(digest))])]
        } else if resources.isEmpty {
            var resource: [(String, JSONText)] = [("digest", .string(digest)), ("tag", .string(digest)),
                                                  ("resource_url", .string("\(context.registryHost)/\(event.repository)@\(digest)"))]
            // Scanning events carry the report's summary, as Harbor's do.
            if event.type.rawValue.hasPrefix("SCANNING_"), let overview = scanOverview(event.payload) { resource.append(("scan_overview", .raw(overview))) }
            resources = [.object(resource)]
        }
        let name = event.repository.hasPrefix(context.projectName + "/") ? String(event.repository.dropFirst(context.projectName.count + 1))
            : event.repository
        var repository: [(String, JSONText)] = []
        if let created = context.repositoryCreatedAt { repository.append(("date_created", .integer(created / 1000))) }
        repository += [("name", .string(name)), ("namespace", .string(context.projectName)), ("repo_full_name", .string(event.repository)),
                       ("repo_type", .string(context.projectIsPublic ? "public" : "private"))]
        var data: [(String, JSONText)] = [("resources", .array(resources)), ("repository", .object(repository))]
        if isQuota, let object = try? JSONSerialization.jsonObject(with: Data(event.payload.utf8)) as? [String: Any],
           let details = object["details"] as? String {
            data.append(("custom_attributes", .object([("Details", .string(details))])))
        }
        return .object(data)
    }

    /// The `scan_overview` object of a scanning event's payload, as JSON text.
    static func scanOverview(_ payload: String) -> String? { member("scan_overview", of: payload) }

    /// A member of an event's JSON payload, as JSON text.
    static func member(_ name: String, of payload: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any], let value = object[name],
              let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Slack's incoming-webhook message: Harbor's heading, the event's type, time and operator, and the event data.
    static func slack(_ event: NewEvent, data: JSONText, seconds: Int64) -> String {
        func section(_ text: String) -> JSONText { .object([("type", .string("section")), ("text", .object([("type", .string("mrkdwn")), ("text", .string(text))]))]) }
        let when = "<!date^\(seconds)^{date} at {time}|\(iso8601(seconds))>"
        return JSONText.object([
            ("text", .string("Harbor webhook events: \(event.type.rawValue) \(event.repository) by \(event.operatorName)")),
            ("blocks", .array([
                section("*Harbor webhook events*"),
                section("*event_type:* \(event.type.rawValue)\n*occur_at:* \(when)\n*operator:* \(event.operatorName)\n*event_data:*"),
                section("```\(data.rendered(pretty: true))```"),
            ])),
        ]).rendered()
    }

    /// `2026-12-02T10:00:00Z` (UTC).
    static func iso8601(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
