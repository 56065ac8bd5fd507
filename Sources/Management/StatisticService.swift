import Auth
import Metadata

/// `GET /statistics`, as Harbor computes it: public counts for everyone signed in; totals and storage for system
/// administrators; for other users the private projects they belong to and their repositories.
public struct StatisticService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// The counts.
    public struct Statistic: Codable, Sendable {
        var privateProjectCount: Int64
        var privateRepoCount: Int64
        var publicProjectCount: Int64
        var publicRepoCount: Int64
        var totalProjectCount: Int64
        var totalRepoCount: Int64
        var totalStorageConsumption: Int64
    }

    /// The counts the caller may see.
    public func statistic(_ caller: Caller) async throws -> Statistic {
        try env.requireAuthenticated(caller)
        var userID: Int64? = nil, groups: [Int64] = []
        if case .user(let user) = caller.principal { userID = user.id; groups = user.groupIDs }
        let counts = try await env.access.statistics(userID: userID, groupIDs: groups)
        if caller.principal.isSystemAdmin {
            return Statistic(privateProjectCount: counts.totalProjects - counts.publicProjects,
                             privateRepoCount: counts.totalRepositories - counts.publicRepositories, publicProjectCount: counts.publicProjects,
                             publicRepoCount: counts.publicRepositories, totalProjectCount: counts.totalProjects,
                             totalRepoCount: counts.totalRepositories, totalStorageConsumption: counts.storageBytes)
        }
        return Statistic(privateProjectCount: userID == nil ? 0 : counts.memberPrivateProjects,
                         privateRepoCount: userID == nil ? 0 : counts.memberPrivateRepositories, publicProjectCount: counts.publicProjects,
                         publicRepoCount: counts.publicRepositories, totalProjectCount: 0, totalRepoCount: 0, totalStorageConsumption: 0)
    }
}
