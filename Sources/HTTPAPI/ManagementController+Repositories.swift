import Hummingbird
import Management

extension ManagementController {
    func registerRepositories(_ api: RouterGroup<BerthRequestContext>) {
        let repository = "projects/{project}/repositories/{repository}"
        api.get("projects/{project}/repositories") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await repositories.list(project: try context.pathParameter("project"), query: query, context.caller(request)),
                                       request, pageNumber: page, pageSize: size)
        }
        api.get(RouterPath(repository)) { request, context in
            try APIRequest.json(try await repositories.get(project: try context.pathParameter("project"), name: try context.pathParameter("repository"),
                                                           context.caller(request)))
        }
        api.put(RouterPath(repository)) { request, context in
            let body = try await APIRequest.body(request, as: RepositoryUpdateRequest.self)
            try await repositories.update(project: try context.pathParameter("project"), name: try context.pathParameter("repository"), body,
                                          context.caller(request))
            return APIRequest.ok()
        }
        api.delete(RouterPath(repository)) { request, context in
            try await repositories.delete(project: try context.pathParameter("project"), name: try context.pathParameter("repository"), context.caller(request))
            return APIRequest.ok()
        }
        api.get(RouterPath(repository + "/artifacts")) { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await repositories.artifacts(project: try context.pathParameter("project"),
                                                                        repository: try context.pathParameter("repository"), query: query,
                                                                        context.caller(request)), request, pageNumber: page, pageSize: size)
        }
        api.get(RouterPath(repository + "/artifacts/{reference}")) { request, context in
            try APIRequest.json(try await repositories.artifact(project: try context.pathParameter("project"), repository: try context.pathParameter("repository"),
                                                                reference: try context.pathParameter("reference"), context.caller(request)))
        }
        api.delete(RouterPath(repository + "/artifacts/{reference}")) { request, context in
            try await repositories.deleteArtifact(project: try context.pathParameter("project"), repository: try context.pathParameter("repository"),
                                                  reference: try context.pathParameter("reference"), context.caller(request))
            return APIRequest.ok()
        }
        api.get(RouterPath(repository + "/artifacts/{reference}/tags")) { request, context in
            let tags = try await repositories.tags(project: try context.pathParameter("project"), repository: try context.pathParameter("repository"),
                                                   reference: try context.pathParameter("reference"), context.caller(request))
            return try APIRequest.json(tags, headers: [HeaderNames.totalCount: String(tags.count)])
        }
        api.post(RouterPath(repository + "/artifacts/{reference}/tags")) { request, context in
            let body = try await APIRequest.body(request, as: TagRequest.self)
            try await repositories.addTag(project: try context.pathParameter("project"), repository: try context.pathParameter("repository"),
                                          reference: try context.pathParameter("reference"), body, context.caller(request))
            return Response(status: .created, headers: [.contentLength: "0"])
        }
        api.delete(RouterPath(repository + "/artifacts/{reference}/tags/{tag}")) { request, context in
            try await repositories.deleteTag(project: try context.pathParameter("project"), repository: try context.pathParameter("repository"),
                                             reference: try context.pathParameter("reference"), tag: try context.pathParameter("tag"), context.caller(request))
            return APIRequest.ok()
        }
    }
}
