import Hummingbird
import Management
import Metadata

extension ManagementController {
    /// `/projects/{project}/webhook/…`: policies, supported events, last triggers, executions, tasks and task logs.
    func registerWebhooks(_ api: RouterGroup<BerthRequestContext>) {
        let base = "projects/{project}/webhook"
        api.get("\(base)/events") { request, context in
            try APIRequest.json(try await webhooks.supported(try context.pathParameter("project"), isName: request.isResourceName, context.caller(request)))
        }
        api.get("\(base)/lasttrigger") { request, context in
            try APIRequest.json(try await webhooks.lastTriggers(try context.pathParameter("project"), isName: request.isResourceName, context.caller(request)))
        }
        api.get("\(base)/jobs") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            guard let policyID = request.query("policy_id").flatMap({ Int64($0) }) else { throw APIError.badRequest("policy_id is required") }
            // Only statuses that exist, each once: the list becomes SQL bind parameters.
            let statuses = Set(request.uri.queryParameters.getAll("status").flatMap { $0.split(separator: ",") }
                .compactMap { WebhookStatus(rawValue: String($0))?.rawValue }).sorted()
            return try APIRequest.page(try await webhooks.jobs(try context.pathParameter("project"), isName: request.isResourceName, policyID: policyID,
                                                               statuses: statuses, query: query, context.caller(request)),
                                       request, pageNumber: page, pageSize: size)
        }
        api.get("\(base)/policies") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await webhooks.list(try context.pathParameter("project"), isName: request.isResourceName, query: query,
                                                               context.caller(request)), request, pageNumber: page, pageSize: size)
        }
        api.post("\(base)/policies") { request, context in
            let body = try await APIRequest.body(request, as: WebhookPolicyRequest.self)
            let project = try context.pathParameter("project")
            let id = try await webhooks.create(project, isName: request.isResourceName, body, context.caller(request))
            return APIRequest.created("/api/v2.0/projects/\(project)/webhook/policies/\(id)")
        }
        api.get("\(base)/policies/{policy}") { request, context in
            try APIRequest.json(try await webhooks.get(try context.pathParameter("project"), isName: request.isResourceName,
                                                       id: try context.idParameter("policy"), context.caller(request)))
        }
        api.put("\(base)/policies/{policy}") { request, context in
            let body = try await APIRequest.body(request, as: WebhookPolicyRequest.self)
            try await webhooks.update(try context.pathParameter("project"), isName: request.isResourceName, id: try context.idParameter("policy"),
                                      body, context.caller(request))
            return APIRequest.ok()
        }
        api.delete("\(base)/policies/{policy}") { request, context in
            try await webhooks.delete(try context.pathParameter("project"), isName: request.isResourceName, id: try context.idParameter("policy"),
                                      context.caller(request))
            return APIRequest.ok()
        }
        api.get("\(base)/policies/{policy}/executions") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await webhooks.executions(try context.pathParameter("project"), isName: request.isResourceName,
                                                                     policyID: try context.idParameter("policy"), query: query, context.caller(request)),
                                       request, pageNumber: page, pageSize: size)
        }
        api.get("\(base)/policies/{policy}/executions/{execution}/tasks") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await webhooks.tasks(try context.pathParameter("project"), isName: request.isResourceName,
                                                                policyID: try context.idParameter("policy"), executionID: try context.idParameter("execution"),
                                                                query: query, context.caller(request)),
                                       request, pageNumber: page, pageSize: size)
        }
        api.get("\(base)/policies/{policy}/executions/{execution}/tasks/{task}/log") { request, context in
            let log = try await webhooks.log(try context.pathParameter("project"), isName: request.isResourceName, policyID: try context.idParameter("policy"),
                                             executionID: try context.idParameter("execution"), taskID: try context.idParameter("task"),
                                             context.caller(request))
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: .init(string: log)))
        }
    }
}
