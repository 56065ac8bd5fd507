import Hummingbird
import Management

extension ManagementController {
    func registerProjects(_ api: RouterGroup<BerthRequestContext>) {
        api.get("projects") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request, direct: ["name": "name", "public": "public", "owner": "owner_name"])
            return try APIRequest.page(try await projects.list(context.caller(request), query: query), request, pageNumber: page, pageSize: size)
        }
        api.head("projects") { request, context in
            guard let name = request.query("project_name") else { throw APIError.badRequest("project_name is required") }
            return try await projects.exists(named: name, context.caller(request)) ? APIRequest.ok() : Response(status: .notFound)
        }
        api.post("projects") { request, context in
            let body = try await APIRequest.body(request, as: ProjectRequest.self)
            let project = try await projects.create(body, context.caller(request))
            return APIRequest.created("/api/v2.0/projects/\(project.id)")
        }
        api.get("projects/{project}") { request, context in
            try APIRequest.json(try await projects.get(try context.pathParameter("project"), isName: request.isResourceName, context.caller(request)))
        }
        api.put("projects/{project}") { request, context in
            let body = try await APIRequest.body(request, as: ProjectRequest.self)
            try await projects.update(try context.pathParameter("project"), isName: request.isResourceName, body, context.caller(request))
            return APIRequest.ok()
        }
        api.delete("projects/{project}") { request, context in
            try await projects.delete(try context.pathParameter("project"), isName: request.isResourceName, context.caller(request))
            return APIRequest.ok()
        }
        api.get("projects/{project}/_deletable") { request, context in
            try APIRequest.json(try await projects.deletable(try context.pathParameter("project"), isName: request.isResourceName, context.caller(request)))
        }
        api.get("projects/{project}/summary") { request, context in
            try APIRequest.json(try await projects.summary(try context.pathParameter("project"), isName: request.isResourceName, context.caller(request)))
        }
        api.get("projects/{project}/metadatas") { request, context in
            try APIRequest.json(try await projects.metadata(try context.pathParameter("project"), isName: request.isResourceName, key: nil, context.caller(request)))
        }
        api.get("projects/{project}/metadatas/{key}") { request, context in
            try APIRequest.json(try await projects.metadata(try context.pathParameter("project"), isName: request.isResourceName,
                                                             key: try context.pathParameter("key"), context.caller(request)))
        }
        for method in [HTTPRequest.Method.post, .put] {
            api.on("projects/{project}/metadatas", method: method) { request, context in
                let body = try await APIRequest.body(request, as: [String: String].self)
                try await projects.setMetadata(try context.pathParameter("project"), isName: request.isResourceName, body, context.caller(request))
                return APIRequest.ok()
            }
            api.on("projects/{project}/metadatas/{key}", method: method) { request, context in
                let body = try await APIRequest.body(request, as: [String: String].self)
                try await projects.setMetadata(try context.pathParameter("project"), isName: request.isResourceName, body, context.caller(request))
                return APIRequest.ok()
            }
        }
        api.delete("projects/{project}/metadatas/{key}") { request, context in
            try await projects.deleteMetadata(try context.pathParameter("project"), isName: request.isResourceName,
                                              key: try context.pathParameter("key"), context.caller(request))
            return APIRequest.ok()
        }
    }

    func registerMembers(_ api: RouterGroup<BerthRequestContext>) {
        api.get("projects/{project}/members") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request, direct: ["entityname": "entityname"])
            return try APIRequest.page(try await members.list(try context.pathParameter("project"), isName: request.isResourceName, query: query,
                                                              context.caller(request)), request, pageNumber: page, pageSize: size)
        }
        api.post("projects/{project}/members") { request, context in
            let body = try await APIRequest.body(request, as: MemberRequest.self)
            let project = try context.pathParameter("project")
            let member = try await members.add(project, isName: request.isResourceName, body, context.caller(request))
            return APIRequest.created("/api/v2.0/projects/\(project)/members/\(member.id)")
        }
        api.get("projects/{project}/members/{mid}") { request, context in
            try APIRequest.json(try await members.get(try context.pathParameter("project"), isName: request.isResourceName,
                                                      id: try context.idParameter("mid"), context.caller(request)))
        }
        api.put("projects/{project}/members/{mid}") { request, context in
            let body = try await APIRequest.body(request, as: RoleRequest.self)
            try await members.update(try context.pathParameter("project"), isName: request.isResourceName, id: try context.idParameter("mid"),
                                     body, context.caller(request))
            return APIRequest.ok()
        }
        api.delete("projects/{project}/members/{mid}") { request, context in
            try await members.delete(try context.pathParameter("project"), isName: request.isResourceName, id: try context.idParameter("mid"),
                                     context.caller(request))
            return APIRequest.ok()
        }
    }
}
