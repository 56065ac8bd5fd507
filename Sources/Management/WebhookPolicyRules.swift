import Foundation
import Metadata

/// What makes a webhook policy valid: a name, known event types, and at least one target of a known type with an
/// http(s) URL, a payload format its type supports, and an auth header that is one header value (no line breaks).
enum WebhookPolicyRules {
    static let targetTypes = ["http", "slack"]
    static let httpFormats = ["Default", "CloudEvents"]

    /// A request's settings, checked and completed from `existing` (on update) or defaults (on create).
    struct Valid {
        var name: String
        var description: String
        var enabled: Bool
        var eventTypes: [String]
        var targets: [WebhookTarget]
    }

    static func validate(_ request: WebhookPolicyRequest, existing: WebhookPolicyRecord?) throws -> Valid {
        let name = (request.name ?? existing?.name ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw APIError.badRequest("name is required") }
        guard name.count <= 256, !name.contains(where: { $0.isNewline }) else { throw APIError.badRequest("name must be one line of at most 256 characters") }
        let description = request.description ?? existing?.description ?? ""
        guard description.count <= 1024 else { throw APIError.badRequest("description is longer than 1024 characters") }

        let known = Set(EventType.webhookTypes.map(\.rawValue))
        var eventTypes: [String] = []
        if let requested = request.eventTypes {
            for type in requested {
                guard known.contains(type) else {
                    throw APIError.badRequest("event type \(type.prefix(64)) is not supported; supported: \(EventType.webhookTypes.map(\.rawValue).joined(separator: ", "))")
                }
                if !eventTypes.contains(type) { eventTypes.append(type) }
            }
        } else {
            eventTypes = existing?.eventTypes ?? []
        }
        guard !eventTypes.isEmpty else { throw APIError.badRequest("event_types needs at least one event type") }

        let targets: [WebhookTarget]
        if let requested = request.targets {
            guard requested.count <= 20 else { throw APIError.badRequest("a policy has at most 20 targets") }
            targets = try requested.map(target)
        } else {
            targets = existing?.targets ?? []
        }
        guard !targets.isEmpty else { throw APIError.badRequest("targets needs at least one target") }
        return Valid(name: name, description: description, enabled: request.enabled ?? existing?.enabled ?? true, eventTypes: eventTypes,
                     targets: targets)
    }

    static func target(_ request: WebhookPolicyRequest.Target) throws -> WebhookTarget {
        let type = (request.type ?? "http").lowercased()
        guard targetTypes.contains(type) else { throw APIError.badRequest("target type \(type.prefix(32)) is not supported; use http or slack") }
        let address = (request.address ?? "").trimmingCharacters(in: .whitespaces)
        guard address.count <= 2048, let url = URL(string: address), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            throw APIError.badRequest("target address must be an http or https URL")
        }
        let authHeader = request.authHeader ?? ""
        guard authHeader.count <= 4096, !authHeader.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw APIError.badRequest("auth_header must be a single header value without control characters")
        }
        var format = request.payloadFormat ?? ""
        if format.isEmpty { format = "Default" }
        if type == "http" {
            guard httpFormats.contains(format) else { throw APIError.badRequest("payload format \(format.prefix(32)) is not supported; use Default or CloudEvents") }
        } else {
            guard format == "Default" else { throw APIError.badRequest("slack targets send Slack messages; payload_format must be empty or Default") }
        }
        return WebhookTarget(type: type, address: address, authHeader: authHeader, skipCertVerify: request.skipCertVerify ?? false, payloadFormat: format)
    }
}
