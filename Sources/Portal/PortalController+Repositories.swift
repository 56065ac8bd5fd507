import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// A project's repositories, one repository's page (description and artifacts) and editing its description.
extension PortalController {
    @Sendable func repositoryList(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        let projectName = Self.parameter(context, "project")
        let filter = request.uri.queryParameters["name"].map(String.init) ?? ""
        let pageNumber = PortalFormat.pageNumber(request)
        do {
            let (caller, project, permissions) = try await projectScope(projectName, visitor, request, context)
            let page = try await repositories.list(project: project.name, query: PortalFormat.query(filter, pageNumber), caller)
            let rows = page.items.map { repository in
                let short = String(repository.name.dropFirst(project.name.count + 1))
                return RepositoryRow(name: repository.name, href: "/harbor/projects/\(project.name)/repositories/\(PortalFormat.pathSegment(short))",
                                     artifacts: repository.artifactCount, pulls: repository.pullCount,
                                     updated: repository.updateTime, updatedShown: PortalFormat.shownTime(repository.updateTime))
            }
            let content = RepositoriesPage(frame: frame(visitor), project: project.name, access: PortalFormat.access(project.metadata),
                                           tabs: tabs(project.name, active: "repositories", permissions), filter: filter,
                                           rows: rows, hasRows: !rows.isEmpty, isFiltered: !filter.isEmpty, registry: registryHost(request),
                                           pager: PortalFormat.pager(request, page: pageNumber, total: page.total, shown: rows.count))
            return finish(renderer.page("repositories", content), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    @Sendable func repositoryPage(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await repositoryPage(request, context, visitor, problem: nil, draft: nil)
    }

    @Sendable func updateDescription(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let projectName = Self.parameter(context, "project"), repository = Self.parameter(context, "repository")
        // Browsers send a textarea's line breaks as CR LF; they are stored as LF.
        let description = (form["description"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        do {
            try await repositories.update(project: projectName, name: repository, RepositoryUpdateRequest(description: description),
                                          caller(visitor, request, context))
            return Self.redirect("/harbor/projects/\(projectName)/repositories/\(PortalFormat.pathSegment(repository))")
        } catch let error as APIError {
            return try await repositoryPage(request, context, visitor, problem: error.message, draft: description,
                                            status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func deleteRepository(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        let projectName = Self.parameter(context, "project"), repository = Self.parameter(context, "repository")
        do {
            try await repositories.delete(project: projectName, name: repository, caller(visitor, request, context))
            return Self.redirect("/harbor/projects/\(projectName)/repositories")
        } catch let error as APIError {
            return try await repositoryPage(request, context, visitor, problem: error.message, draft: nil,
                                            status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    /// The repository page: what its maintainers wrote, how to pull it, and its artifacts (filtered by tag).
    func repositoryPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, problem: String?, draft: String?,
                        status: HTTPResponse.Status = .ok) async throws -> Response {
        let projectName = Self.parameter(context, "project"), name = Self.parameter(context, "repository")
        let tagFilter = request.uri.queryParameters["tag"].map(String.init) ?? ""
        let pageNumber = PortalFormat.pageNumber(request)
        do {
            let caller = caller(visitor, request, context)
            let repository = try await repositories.get(project: projectName, name: name, caller)
            let permissions = try await projects.permissions(in: projectName, caller)
            let filters = tagFilter.isEmpty ? [] : [ListQuery.Filter(key: "tags", match: .fuzzy(String(tagFilter.prefix(128))))]
            let query = ListQuery(filters: filters, offset: (pageNumber - 1) * PortalFormat.pageSize, limit: PortalFormat.pageSize)
            let page = try await repositories.artifacts(project: projectName, repository: name, query: query, withScanOverview: true, caller)
            let base = "/harbor/projects/\(projectName)/repositories/\(PortalFormat.pathSegment(name))"
            let rows = page.items.map { artifact in
                ArtifactRow(href: "\(base)/artifacts-tab/artifacts/\(artifact.digest)", digest: artifact.digest,
                            shortDigest: PortalFormat.shortDigest(artifact.digest), tags: artifact.tags.map(\.name).sorted().joined(separator: ", "),
                            type: artifact.type, size: PortalFormat.shownSize(artifact.size),
                            pushed: artifact.pushTime, pushedShown: PortalFormat.shownTime(artifact.pushTime),
                            pulledShown: PortalFormat.shownTime(artifact.pullTime), scan: ArtifactScanCell(artifact.scanOverview))
            }
            let reference = "\(registryHost(request))/\(repository.name)"
            let content = RepositoryPage(
                frame: frame(visitor), project: projectName, name: repository.name, shortName: name, base: base,
                description: draft ?? repository.description, hasDescription: !repository.description.isEmpty,
                canEdit: permissions.contains(Permission(.repository, .update)), canDelete: permissions.contains(Permission(.repository, .delete)), problem: problem, editing: draft != nil,
                pullCommand: "podman pull \(reference):<tag>", dockerPullCommand: "docker pull \(reference):<tag>", artifactCount: repository.artifactCount, pullCount: repository.pullCount,
                tagFilter: tagFilter, isFiltered: !tagFilter.isEmpty, rows: rows, hasRows: !rows.isEmpty,
                pager: PortalFormat.pager(request, page: pageNumber, total: page.total, shown: rows.count))
            return finish(renderer.page("repository", content, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }
}
