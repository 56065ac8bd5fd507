import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// Administration → Interrogation Services (scanners, advisory data, scan all) and the security hub (vulnerabilities
/// across every scanned image, with a chart by severity). System administrators only, as in Harbor.
extension PortalController {
    @Sendable func interrogationServices(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await interrogationPage(request, context, visitor, problem: nil)
    }

    @Sendable func registerScanner(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await interrogationChange(request, context) { form, caller in
            _ = try await scanners.create(ScannerRegistrationRequest(name: form["name"] ?? "", url: form["url"] ?? "", auth: form["auth"] ?? "",
                                                                     accessCredential: form["access_credential"] ?? "",
                                                                     description: form["description"] ?? ""), caller)
        }
    }

    @Sendable func setDefaultScanner(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await interrogationChange(request, context) { _, caller in
            try await scanners.setDefault(Self.parameter(context, "scanner"), isDefault: true, caller)
        }
    }

    @Sendable func deleteScanner(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await interrogationChange(request, context) { _, caller in
            _ = try await scanners.delete(Self.parameter(context, "scanner"), caller)
        }
    }

    @Sendable func deleteAdvisorySource(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await interrogationChange(request, context) { _, caller in
            try await advisories.delete(named: Self.parameter(context, "source"), caller)
        }
    }

    @Sendable func runScanAll(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await interrogationChange(request, context) { _, caller in
            try await scanAll.setSchedule(ScanAllScheduleRequest(type: "Manual", cron: nil), caller)
        }
    }

    @Sendable func setScanAllSchedule(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await interrogationChange(request, context) { form, caller in
            try await scanAll.setSchedule(ScanAllScheduleRequest(type: form["type"] ?? "", cron: form["cron"]), caller)
        }
    }

    /// Runs a change from a form on the page, then shows the page again (with the problem, if any).
    func interrogationChange(_ request: Request, _ context: BerthRequestContext,
                             _ change: (FormFields, Caller) async throws -> Void) async throws -> Response {
        try await formChange(request, context) { form, caller in
            try await change(form, caller)
            return "/harbor/interrogation-services?saved=1"
        } refused: { visitor, _, error in
            try await interrogationPage(request, context, visitor, problem: error.message, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    func interrogationPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, problem: String?,
                           status: HTTPResponse.Status = .ok) async throws -> Response {
        do {
            let caller = caller(visitor, request, context)
            let scannerRows = try await scanners.list(caller).map { scanner in
                ScannerRow(id: scanner.uuid, name: scanner.name, url: scanner.uuid == ScannerService.builtInID ? "built in" : scanner.url,
                           auth: scanner.auth.isEmpty ? "none" : scanner.auth, isDefault: scanner.isDefault, state: scanner.disabled ? "Disabled" : "Enabled",
                           canChange: scanner.uuid != ScannerService.builtInID,
                           defaultAction: "/harbor/interrogation-services/scanners/\(scanner.uuid)/default",
                           deleteAction: "/harbor/interrogation-services/scanners/\(scanner.uuid)/delete")
            }
            let now = Date()
            let sources = try await advisories.sources(caller).map { source in
                AdvisorySourceRow(name: source.name, format: source.format, advisories: source.advisories,
                                  imported: PortalFormat.shownTime(source.importTime), age: Self.age(source.importTime, now: now),
                                  newest: PortalFormat.shownTime(source.newestModified),
                                  deleteAction: "/harbor/interrogation-services/sources/\(PortalFormat.pathSegment(source.name))/delete")
            }
            let schedule = try await scanAll.schedule(caller).schedule
            let metrics = try await scanAll.metrics(scheduled: false, caller)
            let types = ["None", "Hourly", "Daily", "Weekly", "Custom"].map { SelectOption(value: $0, label: $0, selected: $0 == schedule.type) }
            let progress = metrics.total == 0 ? "No scan-all run yet."
                : "\(metrics.completed) of \(metrics.total) scans ended" + (metrics.ongoing ? " (running)" : "")
                    + (metrics.metrics.isEmpty ? "" : ": " + metrics.metrics.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
            let page = InterrogationPage(
                frame: frame(visitor), tabs: adminTabs(active: "interrogation"), problem: problem,
                saved: problem == nil && request.uri.queryParameters["saved"] != nil,
                scanners: scannerRows, sources: sources, hasSources: !sources.isEmpty, scheduleTypes: types,
                cron: schedule.type == "Custom" ? schedule.cron : "", nextRun: schedule.type == "None" ? "" : PortalFormat.shownTime(schedule.nextScheduledTime ?? ""),
                progress: progress, ongoing: metrics.ongoing)
            return finish(renderer.page("interrogation-services", page, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    /// How long ago an RFC 3339 time was, in words (`3 days ago`).
    static func age(_ rfc3339: String, now: Date) -> String {
        // Berth writes these times in UTC with milliseconds, which the query-date parser does not take: whole seconds suffice.
        guard let milliseconds = HarborTime.milliseconds(String(rfc3339.prefix(19))) else { return "" }
        let seconds = max(0, Int(now.timeIntervalSince1970) - Int(milliseconds / 1000))
        switch seconds {
        case ..<120: return "just now"
        case ..<7200: return "\(seconds / 60) minutes ago"
        case ..<172_800: return "\(seconds / 3600) hours ago"
        default: return "\(seconds / 86_400) days ago"
        }
    }

    @Sendable func securityHub(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        do {
            let caller = caller(visitor, request, context)
            let summary = try await securityHub.summary(withDangerousCVEs: true, withDangerousArtifacts: true, caller)
            let counts = summary.countsBySeverity
            let order = ["Critical", "High", "Medium", "Low", "Unknown", "None"]
            let chart = RankChart(order.map { (name: $0, value: Int64(counts[$0] ?? 0)) }, shown: { String($0) },
                                  description: "Vulnerabilities by severity: " + order.map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", "))
            let cveFilter = String((request.uri.queryParameters["cve"] ?? "").prefix(64))
            let packageFilter = String((request.uri.queryParameters["package"] ?? "").prefix(128))
            var filters: [ListQuery.Filter] = []
            if !cveFilter.isEmpty { filters.append(ListQuery.Filter(key: "cve_id", match: .fuzzy(cveFilter))) }
            if !packageFilter.isEmpty { filters.append(ListQuery.Filter(key: "package", match: .fuzzy(packageFilter))) }
            let pageNumber = PortalFormat.pageNumber(request)
            let list = try await securityHub.vulnerabilities(ListQuery(filters: filters, offset: (pageNumber - 1) * PortalFormat.pageSize,
                                                                       limit: PortalFormat.pageSize), withTag: false, caller)
            let rows = list.items.map { item in
                HubRow(cve: item.cveId, severity: item.severity, severityClass: item.severity.lowercased(), package: item.package,
                       version: item.versions.installed, fixed: item.versions.fixed.isEmpty ? "—" : item.versions.fixed,
                       repository: item.artifact.repository, digest: PortalFormat.shortDigest(item.artifact.digest),
                       score: item.score.map { String(format: "%.1f", $0) } ?? "—")
            }
            let page = SecurityHubPage(
                frame: frame(visitor), tabs: adminTabs(active: "security"), total: summary.totalVuls, fixable: summary.fixable,
                scanned: summary.scannedCnt, artifacts: summary.totalArtifact, chart: chart,
                dangerousCVEs: summary.mostDangerousCVEs.map { HubRow(cve: $0.id, severity: $0.severity, severityClass: $0.severity.lowercased(), package: $0.package,
                                                                      version: $0.version, fixed: "", repository: "", digest: "", score: String(format: "%.1f", $0.score)) },
                dangerousArtifacts: summary.mostDangerousArtifacts.map { DangerousArtifactRow(repository: $0.repository, digest: PortalFormat.shortDigest($0.digest),
                                                                                             critical: $0.critical, high: $0.high, medium: $0.medium) },
                cveFilter: cveFilter, packageFilter: packageFilter, rows: rows, hasRows: !rows.isEmpty,
                pager: PortalFormat.pager(request, page: pageNumber, total: list.total, shown: rows.count))
            return finish(renderer.page("security-hub", page), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }
}

/// Administration → Interrogation Services.
struct InterrogationPage: Sendable {
    let frame: Frame
    let tabs: [ProjectTab]
    let problem: String?
    let saved: Bool
    let scanners: [ScannerRow]
    let sources: [AdvisorySourceRow]
    let hasSources: Bool
    let scheduleTypes: [SelectOption]
    let cron: String
    let nextRun: String
    let progress: String
    let ongoing: Bool
}

/// A scanner registration.
struct ScannerRow: Sendable {
    let id: String
    let name: String
    let url: String
    let auth: String
    let isDefault: Bool
    let state: String
    let canChange: Bool
    let defaultAction: String
    let deleteAction: String
}

/// An advisory source with the age of its data.
struct AdvisorySourceRow: Sendable {
    let name: String
    let format: String
    let advisories: Int64
    let imported: String
    let age: String
    let newest: String
    let deleteAction: String
}

/// Administration → Security hub.
struct SecurityHubPage: Sendable {
    let frame: Frame
    let tabs: [ProjectTab]
    let total: Int
    let fixable: Int
    let scanned: Int
    let artifacts: Int
    let chart: RankChart
    let dangerousCVEs: [HubRow]
    let dangerousArtifacts: [DangerousArtifactRow]
    let cveFilter: String
    let packageFilter: String
    let rows: [HubRow]
    let hasRows: Bool
    let pager: Pager?
}

/// A vulnerability of the security hub.
struct HubRow: Sendable {
    let cve: String
    let severity: String
    let severityClass: String
    let package: String
    let version: String
    let fixed: String
    let repository: String
    let digest: String
    let score: String
}

/// One of the most dangerous artifacts.
struct DangerousArtifactRow: Sendable {
    let repository: String
    let digest: String
    let critical: Int
    let high: Int
    let medium: Int
}
