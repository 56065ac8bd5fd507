import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// A project's configuration tab: whether it is public, its vulnerability-scanning policy (scan on push, SBOMs on push,
/// preventing vulnerable pulls from a severity up, the CVE allowlist) and deleting it once it is empty. Members read
/// it; project admins change it.
extension PortalController {
    @Sendable func projectConfiguration(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await projectConfigurationPage(request, context, visitor, problem: nil)
    }

    @Sendable func updateProjectConfiguration(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let project = Self.parameter(context, "project")
        do {
            if form["section"] == "scanning" {
                let (cves, expiry) = try Self.allowlist(form)
                let metadata = ["auto_scan": form["auto_scan"] == "true" ? "true" : "false",
                                "auto_sbom_generation": form["auto_sbom_generation"] == "true" ? "true" : "false",
                                "prevent_vul": form["prevent_vul"] == "true" ? "true" : "false",
                                "severity": form["severity"] ?? "high",
                                "reuse_sys_cve_allowlist": form["reuse_sys_cve_allowlist"] == "true" ? "true" : "false"]
                try await projects.update(project, isName: true, .scanning(metadata: metadata, allowlistedCVEs: cves, allowlistExpiresAt: expiry),
                                          caller(visitor, request, context))
            } else {
                try await projects.update(project, isName: true, .visibility(isPublic: form["public"] == "true"), caller(visitor, request, context))
            }
            return Self.redirect("/harbor/projects/\(project)/configs?saved=1")
        } catch let error as APIError {
            return try await projectConfigurationPage(request, context, visitor, problem: error.message, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func deleteProject(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        let project = Self.parameter(context, "project")
        do {
            try await projects.delete(project, isName: true, caller(visitor, request, context))
            return Self.redirect("/harbor/projects")
        } catch let error as APIError {
            let problem = error.code == .preconditionFailed ? "The project still holds repositories. Delete them first." : error.message
            return try await projectConfigurationPage(request, context, visitor, problem: problem, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    /// The allowlist fields: CVE ids separated by commas, spaces or lines, and an optional expiry date (`YYYY-MM-DD`,
    /// the end of that day UTC).
    static func allowlist(_ form: FormFields) throws -> ([String], Int64?) {
        let text = form["allowlist"] ?? ""
        guard text.utf8.count <= 200_000 else { throw APIError.badRequest("the allowlist is too long") }
        let cves = text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
        let date = (form["allowlist_expires"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !date.isEmpty else { return (cves, nil) }
        let parser = DateFormatter()
        parser.locale = Locale(identifier: "en_US_POSIX")
        parser.timeZone = TimeZone(identifier: "UTC")
        parser.dateFormat = "yyyy-MM-dd"
        guard date.utf8.count == 10, let day = parser.date(from: date) else { throw APIError.badRequest("the allowlist's expiry must be a date (YYYY-MM-DD)") }
        return (cves, Int64(day.timeIntervalSince1970) + 86_399)
    }

    func projectConfigurationPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, problem: String?,
                                  status: HTTPResponse.Status = .ok) async throws -> Response {
        do {
            let (caller, project, permissions) = try await projectScope(Self.parameter(context, "project"), visitor, request, context)
            let metadata = try await projects.metadata(project.name, isName: true, key: nil, caller)
            let canDelete = permissions.contains(Permission(.project, .delete))
            let deletable = canDelete ? try await projects.deletable(project.name, isName: true, caller) : nil
            let severity = metadata["severity"]?.lowercased() ?? "high"
            let expiry = project.cveAllowlist.expiry.map { seconds -> String in
                let formatter = DateFormatter()
                formatter.locale = Locale(identifier: "en_US_POSIX")
                formatter.timeZone = TimeZone(identifier: "UTC")
                formatter.dateFormat = "yyyy-MM-dd"
                return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            } ?? ""
            let scanning = ScanningSettings(
                autoScan: metadata["auto_scan"] == "true", autoSBOM: metadata["auto_sbom_generation"] == "true",
                preventVulnerable: metadata["prevent_vul"] == "true", reuseSystemAllowlist: metadata["reuse_sys_cve_allowlist"] == "true",
                severities: ["critical", "high", "medium", "low"].map { SeverityChoice(value: $0, label: $0.capitalized, selected: $0 == severity) },
                severityShown: severity.capitalized, allowlist: project.cveAllowlist.cveIDs.joined(separator: "\n"),
                allowlistShown: project.cveAllowlist.cveIDs.joined(separator: ", "), hasAllowlist: !project.cveAllowlist.cveIDs.isEmpty,
                allowlistExpires: expiry)
            let page = ProjectConfigurationPage(
                frame: frame(visitor), project: project.name, access: PortalFormat.access(project.metadata),
                tabs: tabs(project.name, active: "configs", permissions), problem: problem,
                saved: problem == nil && request.uri.queryParameters["saved"] != nil, isPublic: metadata["public"] == "true",
                canUpdate: permissions.contains(Permission(.project, .update)), canDelete: canDelete, deletable: deletable?.deletable ?? false,
                owner: project.ownerName ?? "", created: PortalFormat.shownTime(project.creationTime), scanning: scanning)
            return finish(renderer.page("project-configuration", page, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }
}

/// A project's configuration tab.
struct ProjectConfigurationPage: Sendable {
    let frame: Frame
    let project: String
    let access: String
    let tabs: [ProjectTab]
    let problem: String?
    let saved: Bool
    let isPublic: Bool
    let canUpdate: Bool
    let canDelete: Bool
    let deletable: Bool
    let owner: String
    let created: String
    let scanning: ScanningSettings
}

/// The project's vulnerability-scanning settings as the configuration tab shows them.
struct ScanningSettings: Sendable {
    let autoScan: Bool
    let autoSBOM: Bool
    let preventVulnerable: Bool
    let reuseSystemAllowlist: Bool
    let severities: [SeverityChoice]
    let severityShown: String
    let allowlist: String
    let allowlistShown: String
    let hasAllowlist: Bool
    let allowlistExpires: String
}

/// One choice of the prevent-vulnerable severity.
struct SeverityChoice: Sendable {
    let value: String
    let label: String
    let selected: Bool
}
