import Auth
import Metadata

/// `GET /search?q=`: projects and repositories whose names contain `q`, among those the caller may see (public
/// ones for anonymous callers), at most 100 of each.
public struct SearchService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// What `/search` answers.
    public struct Result: Codable, Sendable {
        var project: [ProjectView]
        var repository: [SearchRepositoryView]
    }

    /// Projects and repositories matching `text`.
    public func search(_ text: String, _ caller: Caller) async throws -> Result {
        guard text.utf8.count <= 255 else { throw APIError.badRequest("q is longer than 255 characters") }
        let visibility = env.policy.visibility(of: caller.principal)
        let filter = [ListQuery.Filter(key: "name", match: .fuzzy(text))]
        let projects = try await env.access.projects(ListQuery(filters: filter, sort: [ListQuery.Sort(key: "name", descending: false)], limit: 100),
                                                     visibility: visibility)
        var projectViews: [ProjectView] = []
        for project in projects.items { projectViews.append(try await ProjectService(env).view(project, caller)) }
        let visibleProjects: [String]? = visibility == .all ? nil : try await env.access.projectNames(visibility: visibility)
        let repositories = try await env.artifacts.repositories(inProjects: visibleProjects, ListQuery(filters: filter, limit: 100))
        var publicByName: [String: Bool] = [:]
        var repositoryViews: [SearchRepositoryView] = []
        for repository in repositories.items {
            if publicByName[repository.projectName] == nil {
                publicByName[repository.projectName] = try await env.access.project(named: repository.projectName)?.isPublic ?? false
            }
            repositoryViews.append(SearchRepositoryView(
                artifactCount: repository.artifactCount, projectId: repository.projectID, projectName: repository.projectName,
                projectPublic: publicByName[repository.projectName] ?? false, pullCount: repository.pullCount, repositoryName: repository.name))
        }
        return Result(project: projectViews, repository: repositoryViews)
    }
}

/// A repository in search results.
public struct SearchRepositoryView: Codable, Sendable {
    var artifactCount: Int64
    var projectId: Int64
    var projectName: String
    var projectPublic: Bool
    var pullCount: Int64
    var repositoryName: String
}
