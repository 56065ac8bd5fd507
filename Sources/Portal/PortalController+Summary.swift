import Foundation
import HTTPAPI
import Hummingbird
import Management

/// A project's summary tab: counts, stored bytes, members per role, and artifacts pushed per day as an SVG chart.
extension PortalController {
    /// Days the push chart covers.
    static let summaryDays = 30

    @Sendable func projectSummary(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        do {
            let (caller, project, permissions) = try await projectScope(Self.parameter(context, "project"), visitor, request, context)
            let overview = try await projects.overview(project.name, days: Self.summaryDays, caller)
            var facts = [
                SettingRow(name: "Access", value: PortalFormat.access(project.metadata)),
                SettingRow(name: "Repositories", value: String(overview.repositoryCount)),
                SettingRow(name: "Artifacts", value: String(overview.artifactCount)),
                SettingRow(name: "Storage used", value: PortalFormat.shownSize(overview.storedBytes)),
            ]
            if let registryID = project.registryId {
                // Only administrators may read a registry's settings; others learn that it is a cache.
                let remote = (try? await registries.list(name: nil, withHealth: false, caller))?.first { $0.id == registryID }
                facts.insert(SettingRow(name: "Proxy cache of", value: remote.map { "\($0.name) (\($0.url))" } ?? "a remote registry"), at: 1)
            }
            // Harbor's order: project admin, maintainer, developer, guest, limited guest.
            let members = [1, 4, 2, 3, 5].map { role in SettingRow(name: PortalFormat.roleName(role), value: String(overview.membersByRole[role] ?? 0)) }
            let values = overview.pushesPerDay.map { (label: Self.dayLabel($0.day), value: $0.count) }
            let pushed = values.reduce(0) { $0 + $1.value }
            let chart = BarChart(values, title: { day, count in "\(day): \(count) artifact\(count == 1 ? "" : "s") pushed" },
                                 description: "Artifacts pushed into \(project.name) per day over the last \(Self.summaryDays) days (UTC): \(pushed) in all, "
                                     + "at most \(values.map(\.value).max() ?? 0) on one day.")
            let quota = try await quotas.ofProject(project.name, isName: true, caller).map { QuotaBar(used: $0.used.storage, limit: $0.hard.storage) }
            let page = SummaryPage(frame: frame(visitor), project: project.name, access: PortalFormat.access(project.metadata),
                                   tabs: tabs(project.name, active: "summary", permissions), facts: facts, quota: quota, members: members, chart: chart,
                                   days: Self.summaryDays, pushedInPeriod: pushed)
            return finish(renderer.page("summary", page), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    /// A UTC day number (days since 1970) as `2026-12-02`.
    static func dayLabel(_ day: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(day) * 86_400).formatted(.iso8601.year().month().day())
    }
}
