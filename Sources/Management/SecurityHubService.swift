import APIInput
import Auth
import Foundation
import Metadata
import OCI
import Scanner
import Scanning

/// Harbor's security hub for system administrators: vulnerability counts across every scanned artifact, the most
/// dangerous CVEs and artifacts (`/security/summary`), and every vulnerability of every artifact, filterable
/// (`/security/vul`). Built from the stored reports at each request.
public struct SecurityHubService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    private var store: SQLVulnerabilityStore { get throws { try env.vulnerabilityStore() } }

    /// The summary; with the top five dangerous CVEs and artifacts when asked.
    public func summary(withDangerousCVEs: Bool, withDangerousArtifacts: Bool, _ caller: Caller) async throws -> SecuritySummaryView {
        try env.requireSystem(Permission(.securityHub, .read), caller)
        let store = try store
        let reports = try await store.finishedReports(mimeType: ScanReportTypes.vulnerability)
        var summary = SecuritySummaryView()
        summary.totalArtifact = try await store.imageArtifactCount(imageConfigTypes: Array(ImageIndexService.imageConfigTypes),
                                                                   indexTypes: Array(MediaType.indexTypes))
        summary.scannedCnt = try await store.places(of: reports.map(\.manifestDigest)).count
        var cves: [String: (Finding, Double)] = [:]
        var artifacts: [DangerousArtifactView] = []
        let decoder = JSONDecoder()
        for report in reports {
            guard let counts = try? decoder.decode(ScanSummary.self, from: Data(report.summary.utf8)) else { continue }
            summary.totalVuls += counts.total
            summary.fixableCnt += counts.fixable
            summary.criticalCnt += counts.bySeverity["Critical"] ?? 0
            summary.highCnt += counts.bySeverity["High"] ?? 0
            summary.mediumCnt += counts.bySeverity["Medium"] ?? 0
            summary.lowCnt += counts.bySeverity["Low"] ?? 0
            summary.noneCnt += counts.bySeverity["None"] ?? 0
            summary.unknownCnt += counts.bySeverity["Unknown"] ?? 0
            if withDangerousArtifacts {
                artifacts.append(DangerousArtifactView(projectId: 0, repositoryName: report.repository, digest: report.manifestDigest,
                                                       criticalCnt: counts.bySeverity["Critical"] ?? 0, highCnt: counts.bySeverity["High"] ?? 0,
                                                       mediumCnt: counts.bySeverity["Medium"] ?? 0))
            }
            if withDangerousCVEs, let findings = try? decoder.decode([Finding].self, from: Data(report.report.utf8)) {
                for finding in findings {
                    let id = Self.cveID(finding)
                    let score = finding.cvssVector.flatMap(CVSS3.baseScore) ?? 0
                    if let known = cves[id], (known.0.severity, known.1) >= (finding.severity, score) { continue }
                    cves[id] = (finding, score)
                }
            }
        }
        if withDangerousCVEs {
            summary.dangerousCves = cves.sorted { ($0.value.0.severity, $0.value.1, $1.key) > ($1.value.0.severity, $1.value.1, $0.key) }.prefix(5).map {
                DangerousCVEView(cveId: $0.key, severity: $0.value.0.severity.rawValue, cvssScoreV3: $0.value.1, desc: $0.value.0.summary,
                                 package: $0.value.0.package.name, version: $0.value.0.package.version)
            }
        }
        if withDangerousArtifacts {
            var ranked = Array(artifacts.sorted { ($0.criticalCnt, $0.highCnt, $0.mediumCnt, $1.digest) > ($1.criticalCnt, $1.highCnt, $1.mediumCnt, $0.digest) }.prefix(5))
            for index in ranked.indices {
                ranked[index].projectId = try await env.access.project(named: RepositoryRecord.projectName(of: ranked[index].repositoryName))?.id ?? 0
            }
            summary.dangerousArtifacts = ranked
        }
        return summary
    }

    /// Every vulnerability of every scanned artifact (per repository holding it) that matches `query`
    /// (`cve_id`, `severity`, `package`, `repository_name`, `project_id`, `digest`, `tag`, `status` exact;
    /// `cvss_score_v3` as a range), a page at a time.
    public func vulnerabilities(_ query: ListQuery, withTag: Bool, _ caller: Caller) async throws -> ListPage<VulnerabilityItemView> {
        try env.requireSystem(Permission(.securityHub, .list), caller)
        let known: Set<String> = ["cve_id", "severity", "package", "repository_name", "project_id", "digest", "tag", "status", "cvss_score_v3"]
        for filter in query.filters where !known.contains(filter.key) { throw APIError.badRequest("security/vul cannot filter on \(filter.key.prefix(40))") }
        let items = try await Self.items(env, projectID: nil, withTag: withTag) { item, tags in try Self.matches(item, tags: tags, query.filters) }
        let start = min(items.count, query.offset)
        return ListPage(items: Array(items[start..<min(items.count, start + query.limit)]), total: items.count)
    }

    /// Every vulnerability of every scanned artifact (per repository holding it, in `projectID` when given) that
    /// `keep` accepts (it gets the item and the artifact's tags there).
    static func items(_ env: ManagementEnvironment, projectID: Int64?, withTag: Bool,
                      keep: (VulnerabilityItemView, [String]) throws -> Bool) async throws -> [VulnerabilityItemView] {
        let store = try env.vulnerabilityStore()
        let reports = try await store.finishedReports(mimeType: ScanReportTypes.vulnerability)
        let places = Dictionary(grouping: try await store.places(of: reports.map(\.manifestDigest)), by: \.digest)
        var projectIDs: [String: Int64] = [:]
        var items: [VulnerabilityItemView] = []
        let decoder = JSONDecoder()
        for report in reports {
            guard let findings = try? decoder.decode([Finding].self, from: Data(report.report.utf8)) else { continue }
            for place in places[report.manifestDigest] ?? [] {
                let projectName = RepositoryRecord.projectName(of: place.repository)
                if projectIDs[projectName] == nil { projectIDs[projectName] = try await env.access.project(named: projectName)?.id ?? 0 }
                if let projectID, projectIDs[projectName] != projectID { continue }
                for finding in findings {
                    let item = VulnerabilityItemView(projectId: projectIDs[projectName] ?? 0, repositoryName: place.repository, digest: place.digest,
                                                     tags: withTag ? place.tags : nil, cveId: Self.cveID(finding), severity: finding.severity.rawValue,
                                                     status: finding.fixedVersion == nil ? "" : "fixed",
                                                     cvssV3Score: finding.cvssVector.flatMap(CVSS3.baseScore), package: finding.package.name,
                                                     version: finding.package.version, fixedVersion: finding.fixedVersion ?? "", desc: finding.summary,
                                                     links: finding.links)
                    if try keep(item, place.tags) { items.append(item) }
                }
            }
        }
        return items
    }

    static func cveID(_ finding: Finding) -> String { finding.aliases.first { $0.hasPrefix("CVE-") } ?? finding.advisoryID }

    static func matches(_ item: VulnerabilityItemView, tags: [String], _ filters: [ListQuery.Filter]) throws -> Bool {
        for filter in filters {
            let values: [String]
            switch filter.key {
            case "cve_id": values = [item.cveId]
            case "severity": values = [item.severity]
            case "package": values = [item.package]
            case "repository_name": values = [item.repositoryName]
            case "project_id": values = [String(item.projectId)]
            case "digest": values = [item.digest]
            case "tag": values = tags
            case "status": values = [item.status]
            case "cvss_score_v3":
                guard case .range(let low, let high) = filter.match else { throw APIError.badRequest("cvss_score_v3 takes a range, cvss_score_v3=[min~max]") }
                guard let score = item.cvssV3Score else { return false }
                if let low, let bound = Double(low), score < bound { return false }
                if let high, let bound = Double(high), score > bound { return false }
                continue
            default: return false
            }
            switch filter.match {
            case .exact(let value): if !values.contains(value) { return false }
            case .fuzzy(let value): if !values.contains(where: { $0.lowercased().contains(value.lowercased()) }) { return false }
            case .anyOf(let options): if !values.contains(where: options.contains) { return false }
            case .range: throw APIError.badRequest("\(filter.key) does not take a range")
            }
        }
        return true
    }
}

/// Harbor's `SecuritySummary`.
public struct SecuritySummaryView: Codable, Sendable {
    var criticalCnt = 0, highCnt = 0, mediumCnt = 0, lowCnt = 0, noneCnt = 0, unknownCnt = 0
    /// Vulnerabilities in all.
    public var totalVuls = 0
    /// Artifacts with a finished scan.
    public var scannedCnt = 0
    /// Image artifacts in all.
    public var totalArtifact = 0
    var fixableCnt = 0
    var dangerousCves: [DangerousCVEView]?
    var dangerousArtifacts: [DangerousArtifactView]?
}

/// Harbor's `DangerousCVE`.
struct DangerousCVEView: Codable, Sendable {
    var cveId: String
    var severity: String
    var cvssScoreV3: Double
    var desc: String
    var package: String
    var version: String
}

/// Harbor's `DangerousArtifact`.
struct DangerousArtifactView: Codable, Sendable {
    var projectId: Int64
    var repositoryName: String
    var digest: String
    var criticalCnt: Int
    var highCnt: Int
    var mediumCnt: Int
}

/// Harbor's `VulnerabilityItem`.
public struct VulnerabilityItemView: Codable, Sendable {
    var projectId: Int64
    var repositoryName: String
    var digest: String
    var tags: [String]?
    /// The CVE (or advisory) id.
    public var cveId: String
    /// Its severity.
    public var severity: String
    var status: String
    var cvssV3Score: Double?
    /// The affected package.
    public var package: String
    var version: String
    var fixedVersion: String
    var desc: String
    var links: [String]
}

extension SecuritySummaryView {
    /// Vulnerabilities by severity (`Critical` … `Unknown`, and `None`).
    public var countsBySeverity: [String: Int] {
        ["Critical": criticalCnt, "High": highCnt, "Medium": mediumCnt, "Low": lowCnt, "Unknown": unknownCnt, "None": noneCnt]
    }
    /// Vulnerabilities with a fix.
    public var fixable: Int { fixableCnt }
    /// The most dangerous CVEs (when asked for): id, severity, CVSS v3 score, package and version.
    public var mostDangerousCVEs: [(id: String, severity: String, score: Double, package: String, version: String)] {
        (dangerousCves ?? []).map { ($0.cveId, $0.severity, $0.cvssScoreV3, $0.package, $0.version) }
    }
    /// The most dangerous artifacts (when asked for): repository, digest, and their critical, high and medium counts.
    public var mostDangerousArtifacts: [(repository: String, digest: String, critical: Int, high: Int, medium: Int)] {
        (dangerousArtifacts ?? []).map { ($0.repositoryName, $0.digest, $0.criticalCnt, $0.highCnt, $0.mediumCnt) }
    }
}

extension VulnerabilityItemView {
    /// Where it was found: repository and digest.
    public var artifact: (repository: String, digest: String) { (repositoryName, digest) }
    /// The installed version and the fixed one (empty when none is known).
    public var versions: (installed: String, fixed: String) { (version, fixedVersion) }
    /// The CVSS v3 score, when known.
    public var score: Double? { cvssV3Score }
}
