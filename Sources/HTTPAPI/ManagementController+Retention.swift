import Hummingbird
import Management
import NIOCore

extension ManagementController {
    /// `/retentions`: tag retention policies, their runs, tasks and task logs.
    func registerRetention(_ api: RouterGroup<BerthRequestContext>) {
        api.get("retentions/metadatas") { request, context in try APIRequest.json(try retention.metadata(context.caller(request))) }
        api.post("retentions") { request, context in
            let body = try await APIRequest.body(request, as: RetentionPolicyRequest.self)
            let id = try await retention.create(body, context.caller(request))
            return APIRequest.created("/api/v2.0/retentions/\(id)")
        }
        api.get("retentions/{id}") { request, context in
            try APIRequest.json(try await retention.get(try context.idParameter("id"), context.caller(request)))
        }
        api.put("retentions/{id}") { request, context in
            let body = try await APIRequest.body(request, as: RetentionPolicyRequest.self)
            try await retention.update(try context.idParameter("id"), body, context.caller(request))
            return APIRequest.ok()
        }
        api.delete("retentions/{id}") { request, context in
            try await retention.delete(try context.idParameter("id"), context.caller(request))
            return APIRequest.ok()
        }
        api.post("retentions/{id}/executions") { request, context in
            let body = try await APIRequest.body(request, as: RetentionRunRequest.self)
            let id = try context.idParameter("id")
            let execution = try await retention.run(id, body, context.caller(request))
            return APIRequest.created("/api/v2.0/retentions/\(id)/executions/\(execution)")
        }
        api.get("retentions/{id}/executions") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await retention.executions(try context.idParameter("id"), offset: query.offset, limit: query.limit,
                                                                      context.caller(request)), request, pageNumber: page, pageSize: size)
        }
        api.patch("retentions/{id}/executions/{execution}") { request, context in
            let body = try await APIRequest.body(request, as: RetentionExecutionAction.self)
            try await retention.stop(try context.idParameter("id"), execution: try context.idParameter("execution"), body, context.caller(request))
            return APIRequest.ok()
        }
        api.get("retentions/{id}/executions/{execution}/tasks") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await retention.tasks(try context.idParameter("id"), execution: try context.idParameter("execution"),
                                                                 offset: query.offset, limit: query.limit, context.caller(request)),
                                       request, pageNumber: page, pageSize: size)
        }
        api.get("retentions/{id}/executions/{execution}/tasks/{task}") { request, context in
            let log = try await retention.log(try context.idParameter("id"), execution: try context.idParameter("execution"),
                                              task: try context.idParameter("task"), context.caller(request))
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: log)))
        }
    }
}
