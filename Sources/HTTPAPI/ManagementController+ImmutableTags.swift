import Hummingbird
import Management

extension ManagementController {
    /// `/projects/{project}/immutabletagrules`: a project's tag immutability rules.
    func registerImmutableTags(_ api: RouterGroup<BerthRequestContext>) {
        let base = "projects/{project}/immutabletagrules"
        api.get("\(base)") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await immutableTags.list(try context.pathParameter("project"), isName: request.isResourceName, query: query,
                                                                    context.caller(request)), request, pageNumber: page, pageSize: size)
        }
        api.post("\(base)") { request, context in
            let body = try await APIRequest.body(request, as: ImmutableRuleRequest.self)
            let project = try context.pathParameter("project")
            let id = try await immutableTags.create(project, isName: request.isResourceName, body, context.caller(request))
            return APIRequest.created("/api/v2.0/projects/\(project)/immutabletagrules/\(id)")
        }
        api.put("\(base)/{rule}") { request, context in
            let body = try await APIRequest.body(request, as: ImmutableRuleRequest.self)
            try await immutableTags.update(try context.pathParameter("project"), isName: request.isResourceName, id: try context.idParameter("rule"),
                                           body, context.caller(request))
            return APIRequest.ok()
        }
        api.delete("\(base)/{rule}") { request, context in
            try await immutableTags.delete(try context.pathParameter("project"), isName: request.isResourceName, id: try context.idParameter("rule"),
                                           context.caller(request))
            return APIRequest.ok()
        }
    }
}
