import Foundation
import HTTPAPI
import Hummingbird
import Management

/// Administration: storage across projects, as a ranking of the projects storing the most, drawn on the server.
extension PortalController {
    /// Projects the storage chart ranks.
    static let storageChartProjects = 20

    @Sendable func storagePage(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        do {
            let overview = try await statistics.storageByProject(limit: Self.storageChartProjects, caller(visitor, request, context))
            let chart = RankChart(overview.projects.map { (name: $0.name, value: $0.bytes) }, shown: PortalFormat.shownSize,
                                  description: "Storage used by the \(overview.projects.count) projects storing the most, largest first: "
                                      + overview.projects.map { "\($0.name) \(PortalFormat.shownSize($0.bytes))" }.joined(separator: ", ") + ".")
            let page = StoragePage(frame: frame(visitor), tabs: adminTabs(active: "storage"), total: PortalFormat.shownSize(overview.totalBytes),
                                   storingProjects: overview.storingProjects, shownProjects: overview.projects.count, chart: chart,
                                   hasProjects: !overview.projects.isEmpty,
                                   rows: overview.projects.map { SettingRow(name: $0.name, value: PortalFormat.shownSize($0.bytes)) })
            return finish(renderer.page("storage", page), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }
}

/// Administration: storage across projects.
struct StoragePage: Sendable {
    let frame: Frame
    let tabs: [ProjectTab]
    let total: String
    let storingProjects: Int
    let shownProjects: Int
    let chart: RankChart
    let hasProjects: Bool
    let rows: [SettingRow]
}
