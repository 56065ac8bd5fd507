import APIInput
import Auth
import Foundation
import Hummingbird

/// How the portal shows values and builds list queries: times, sizes, digests, roles, pages.
enum PortalFormat {
    /// Rows per list page.
    static let pageSize = 15

    /// The `page` query parameter, 1 when missing or not a positive number (and never beyond a million).
    static func pageNumber(_ request: Request) -> Int {
        guard let text = request.uri.queryParameters["page"], text.count <= 7, let number = Int(text), number >= 1 else { return 1 }
        return min(number, 1_000_000)
    }

    /// A list query for one page, filtered by a fuzzy name match when `filter` is not empty, sorted by name.
    static func query(_ filter: String, _ page: Int) -> ListQuery {
        let filters = filter.isEmpty ? [] : [ListQuery.Filter(key: "name", match: .fuzzy(String(filter.prefix(255))))]
        return ListQuery(filters: filters, sort: [ListQuery.Sort(key: "name", descending: false)], offset: (page - 1) * pageSize, limit: pageSize)
    }

    /// `text` percent-encoded for a query string (everything but letters and digits).
    static func queryValue<Text: StringProtocol>(_ text: Text) -> String {
        String(text).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    /// Links to the neighbouring pages (nil when everything fits on one).
    static func pager(_ request: Request, page: Int, total: Int, shown: Int) -> Pager? {
        guard total > pageSize || page > 1 else { return nil }
        func link(_ number: Int) -> String {
            var parameters = request.uri.queryParameters.filter { $0.key != "page" }.map { "\(queryValue($0.key))=\(queryValue($0.value))" }
            parameters.append("page=\(number)")
            return request.uri.path + "?" + parameters.joined(separator: "&")
        }
        let first = (page - 1) * pageSize
        return Pager(previous: page > 1 ? link(page - 1) : nil, next: first + shown < total ? link(page + 1) : nil,
                     shown: shown == 0 ? "none of \(total)" : "\(first + 1)–\(first + shown) of \(total)")
    }

    /// `Public` or `Private` from a project's metadata.
    static func access(_ metadata: [String: String]) -> String { metadata["public"] == "true" ? "Public" : "Private" }

    /// A role as Harbor's portal names it.
    static func roleName(_ id: Int) -> String {
        guard let role = ProjectRole(rawValue: id) else { return "—" }
        return roleName(role)
    }

    /// A role as Harbor's portal names it.
    static func roleName(_ role: ProjectRole) -> String {
        switch role {
        case .projectAdmin: return "Project Admin"
        case .maintainer: return "Maintainer"
        case .developer: return "Developer"
        case .guest: return "Guest"
        case .limitedGuest: return "Limited Guest"
        }
    }

    /// `2026-12-02T13:10:42.123Z` as `2026-12-02 13:10`; the zero time Harbor sends for "never" as `—`.
    static func shownTime(_ rfc3339: String) -> String {
        if rfc3339.isEmpty || rfc3339.hasPrefix("0001-01-01") { return "—" }
        return String(rfc3339.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    /// A number of seconds as people read it: `42 s`, `5 min`, `3 h 20 min`, `2 d 4 h`.
    static func shownDuration(_ seconds: Int) -> String {
        let seconds = max(0, seconds)
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3600 { return "\(seconds / 60) min" }
        if seconds < 86400 { return "\(seconds / 3600) h \(seconds % 3600 / 60) min" }
        return "\(seconds / 86400) d \(seconds % 86400 / 3600) h"
    }

    /// What a referrer is, from its artifact type: the signature, SBOM and attestation formats people meet, or "Artifact".
    static func referrerKind(_ artifactType: String) -> String {
        let known: [(prefix: String, kind: String)] = [
            ("application/vnd.dev.cosign.artifact.sig", "Signature (cosign)"), ("application/vnd.cncf.notary.signature", "Signature (Notation)"),
            ("application/vnd.dev.sigstore.bundle", "Signature (Sigstore bundle)"),
            ("application/vnd.cyclonedx", "SBOM (CycloneDX)"), ("application/spdx", "SBOM (SPDX)"), ("text/spdx", "SBOM (SPDX)"),
            ("application/vnd.syft", "SBOM (Syft)"), ("application/vnd.in-toto", "Attestation (in-toto)"),
            ("application/vnd.dev.cosign.artifact.sbom", "SBOM (cosign)"), ("application/vnd.oci.image.manifest", "Image"),
        ]
        return known.first { artifactType.hasPrefix($0.prefix) }?.kind ?? "Artifact"
    }

    /// A webhook event type as Harbor's portal names it (`PUSH_ARTIFACT` is "Artifact pushed"); unknown types as sent.
    static func eventLabel(_ type: String) -> String {
        let labels = [
            "PUSH_ARTIFACT": "Artifact pushed", "PULL_ARTIFACT": "Artifact pulled", "DELETE_ARTIFACT": "Artifact deleted",
            "SCANNING_COMPLETED": "Scanning finished", "SCANNING_FAILED": "Scanning failed", "SCANNING_STOPPED": "Scanning stopped",
            "QUOTA_EXCEED": "Quota exceeded", "QUOTA_WARNING": "Quota near threshold", "REPLICATION": "Replication finished",
            "TAG_RETENTION": "Tag retention finished",
        ]
        return labels[type] ?? type
    }

    /// A size in bytes as people read it (binary units, as Harbor shows them).
    static func shownSize(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(max(bytes, 0))
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: value < 10 ? "%.2f" : "%.1f", value) + " " + units[unit]
    }

    /// `sha256:0123456789ab…` shortened to the algorithm and twelve hex digits, as the portal lists digests.
    static func shortDigest(_ digest: String) -> String {
        guard let colon = digest.firstIndex(of: ":") else { return String(digest.prefix(19)) }
        return String(digest[...colon]) + String(digest[digest.index(after: colon)...].prefix(12))
    }

    /// A repository name (without its project) as one path segment: slashes percent-encoded.
    static func pathSegment(_ repository: String) -> String {
        repository.replacingOccurrences(of: "/", with: "%2F")
    }
}
