import Auth
import Foundation
import Jobs
import Logging
import Metadata

/// Harbor's CVE export (`/export/cve`): a project's vulnerabilities as CSV for audits, made by a job. Project
/// developers, maintainers and admins may export their project; each user sees and downloads their own exports.
public struct CVEExportService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    private var store: SQLVulnerabilityStore { get throws { try env.vulnerabilityStore() } }

    /// The filters of an export (Harbor's `ScanDataExportRequest`): comma-separated repository names or patterns
    /// (`*` matches any run of characters), tags and CVE ids.
    struct Criteria: Codable, Sendable {
        var repositories: String?
        var tags: String?
        var cveIds: String?
    }

    /// Starts an export of the one project `request` names; returns its id.
    public func start(_ request: CVEExportRequest, _ caller: Caller) async throws -> Int64 {
        try env.requireAuthenticated(caller)
        guard let projects = request.projects, projects.count == 1, let projectID = projects.first else {
            throw APIError.badRequest("projects must name exactly one project id")
        }
        let project = try await env.readableProject(String(projectID), isName: false, caller, requiring: Permission(.exportCVE, .create))
        for (field, value) in [("repositories", request.repositories), ("tags", request.tags), ("cveIds", request.cveIds)] {
            guard (value ?? "").count <= 4096, !(value ?? "").contains(where: \.isNewline) else { throw APIError.badRequest("\(field) must be one line of at most 4096 characters") }
        }
        let name = (request.jobName ?? "").isEmpty ? "cve-export-\(project.name)" : String(request.jobName!.prefix(128))
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw APIError.badRequest("job_name takes letters, digits, '-', '_' and '.'")
        }
        let criteria = String(decoding: try JSONEncoder().encode(Criteria(repositories: request.repositories, tags: request.tags, cveIds: request.cveIds)),
                              as: UTF8.self)
        let record = CVEExportRecord(jobName: name, userName: caller.principal.name, projectID: project.id, criteria: criteria, status: "Running",
                                     createdAt: Clock.nowMilliseconds())
        let created = try await store.createExport(record, jobKind: CVEExportJob.kind, payload: { "{\"export\":\($0)}" })
        await env.recordChange(caller, "create", "cve_export", name, projectID: project.id)
        return created.id
    }

    /// One of the caller's exports.
    public func execution(id: Int64, _ caller: Caller) async throws -> CVEExportExecutionView {
        CVEExportExecutionView(try await own(id, caller))
    }

    /// The caller's exports, newest first.
    public func executions(_ caller: Caller) async throws -> [CVEExportExecutionView] {
        try env.requireAuthenticated(caller)
        return try await store.exports(userName: caller.principal.name).map(CVEExportExecutionView.init)
    }

    /// The CSV of one of the caller's finished exports, with its file name.
    public func download(id: Int64, _ caller: Caller) async throws -> (name: String, csv: String) {
        let record = try await own(id, caller)
        guard record.status == "Success", let csv = record.csv else { throw APIError.notFound("a finished export \(id)") }
        return (record.jobName + ".csv", csv)
    }

    private func own(_ id: Int64, _ caller: Caller) async throws -> CVEExportRecord {
        try env.requireAuthenticated(caller)
        // Another user's export answers as a missing one.
        guard let record = try await store.export(id: id), record.userName == caller.principal.name else { throw APIError.notFound("export \(id)") }
        return record
    }
}

/// `cve-export`: builds an export's CSV from the stored reports of its project.
public struct CVEExportJob: JobHandler {
    /// The job kind.
    public static let kind = "cve-export"
    public var kind: String { Self.kind }

    let env: ManagementEnvironment

    /// A handler over the management environment.
    public init(_ env: ManagementEnvironment) { self.env = env }

    public func run(_ job: JobRecord) async throws {
        guard let store = env.vulnerabilities,
              let id = (try? JSONDecoder().decode([String: Int64].self, from: Data(job.payload.utf8)))?["export"],
              let record = try await store.export(id: id), record.status == "Running" else { return }
        let criteria = (try? JSONDecoder().decode(CVEExportService.Criteria.self, from: Data(record.criteria.utf8))) ?? .init()
        func list(_ text: String?) -> [String] { (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        let repositories = list(criteria.repositories), tags = list(criteria.tags), cves = Set(list(criteria.cveIds))
        let project = try await env.access.project(id: record.projectID)
        let items = try await SecurityHubService.items(env, projectID: record.projectID, withTag: true) { item, itemTags in
            let shortName = String(item.repositoryName.dropFirst((project?.name.count ?? 0) + 1))
            if !repositories.isEmpty && !repositories.contains(where: { Glob.matches($0, item.repositoryName) || Glob.matches($0, shortName) }) { return false }
            if !tags.isEmpty && !itemTags.contains(where: { tag in tags.contains { Glob.matches($0, tag) } }) { return false }
            if !cves.isEmpty && !cves.contains(item.cveId) { return false }
            return true
        }
        var csv = "Project,Repository,Digest,Tags,CVE,Package,Version,Fix Version,Severity,CVSS3 Score,Description\r\n"
        for item in items {
            let fields = [project?.name ?? "", item.repositoryName, item.digest, (item.tags ?? []).joined(separator: " "), item.cveId, item.package, item.version,
                          item.fixedVersion, item.severity, item.cvssV3Score.map { String($0) } ?? "", item.desc]
            csv += fields.map(Self.field).joined(separator: ",") + "\r\n"
        }
        try await store.finishExport(id: id, status: "Success", statusText: "\(items.count) vulnerabilities", csv: csv, now: Clock.nowMilliseconds())
        env.logger.info("CVE export made", metadata: ["export": "\(id)", "rows": "\(items.count)"])
    }

    /// A CSV field (RFC 4180), with a leading `=`, `+`, `-` or `@` defused so spreadsheets do not run it as a formula.
    static func field(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// `*` patterns (any run of characters), as export filters take them.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return pattern == text }
        guard text.hasPrefix(parts[0]) else { return false }
        var rest = Substring(text.dropFirst(parts[0].count))
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.hasSuffix(parts.last!)
    }
}

/// `POST /export/cve` body (Harbor's `ScanDataExportRequest`).
public struct CVEExportRequest: Decodable, Sendable {
    var jobName: String?
    var projects: [Int64]?
    var repositories: String?
    var tags: String?
    var cveIds: String?
}

/// Harbor's `ScanDataExportExecution`.
public struct CVEExportExecutionView: Codable, Sendable {
    var id: Int64
    /// `Running`, `Success` or `Error`.
    public var status: String
    var trigger: String
    var startTime: String
    var endTime: String
    var statusText: String
    var userName: String
    var filePresent: Bool
    var jobName: String

    init(_ record: CVEExportRecord) {
        id = record.id
        status = record.status
        trigger = "MANUAL"
        startTime = APITime.string(record.createdAt)
        endTime = APITime.optional(record.endedAt)
        statusText = record.statusText
        userName = record.userName
        filePresent = record.status == "Success"
        jobName = record.jobName
    }
}
