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

    /// Storage across projects (system administrators).
    public struct StorageOverview: Sendable {
        /// The projects storing the most, largest first, with their bytes (each blob and manifest once per project).
        public let projects: [(name: String, bytes: Int64)]
        /// How many projects store anything.
        public let storingProjects: Int
        /// The bytes stored in all (each blob once, however many projects hold it).
        public let totalBytes: Int64
    }

    /// Storage per project for system administrators: the `limit` projects storing the most (1–100).
    public func storageByProject(limit: Int, _ caller: Caller) async throws -> StorageOverview {
        try env.requireAuthenticated(caller)
        guard caller.principal.isSystemAdmin else { throw env.denial(caller) }
        let (projects, count) = try await env.artifacts.storageByProject(limit: min(max(limit, 1), 100))
        let counts = try await env.access.statistics(userID: nil, groupIDs: [])
        return StorageOverview(projects: projects.map { ($0.project, $0.bytes) }, storingProjects: count, totalBytes: counts.storageBytes)
    }
}
