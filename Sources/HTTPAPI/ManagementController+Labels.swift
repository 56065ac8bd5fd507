import Hummingbird
import Management

extension ManagementController {
    /// `/labels` and the labels of artifacts.
    func registerLabels(_ api: RouterGroup<BerthRequestContext>) {
        api.get("labels") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            let projectID: Int64?
            if let text = request.query("project_id"), !text.isEmpty {
                guard let id = Int64(text) else { throw APIError.badRequest("project_id must be an integer") }
                projectID = id
            } else {
                projectID = nil
            }
            return try APIRequest.page(try await labels.list(scope: request.query("scope"), projectID: projectID, name: request.query("name"),
                                                             query: query, context.caller(request)), request, pageNumber: page, pageSize: size)
        }
        api.post("labels") { request, context in
            let body = try await APIRequest.body(request, as: LabelRequest.self)
            let id = try await labels.create(body, context.caller(request))
            return APIRequest.created("/api/v2.0/labels/\(id)")
        }
        api.get("labels/{id}") { request, context in
            try APIRequest.json(try await labels.get(try context.idParameter("id"), context.caller(request)))
        }
        api.put("labels/{id}") { request, context in
            let body = try await APIRequest.body(request, as: LabelRequest.self)
            try await labels.update(try context.idParameter("id"), body, context.caller(request))
            return APIRequest.ok()
        }
        api.delete("labels/{id}") { request, context in
            try await labels.delete(try context.idParameter("id"), context.caller(request))
            return APIRequest.ok()
        }
    }
}
