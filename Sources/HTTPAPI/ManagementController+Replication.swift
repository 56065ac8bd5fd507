import Foundation
import HTTPTypes
import Hummingbird
import Management
import NIOCore

extension ManagementController {
    /// Harbor's replication endpoints: policies, executions, their tasks and task logs.
    func registerReplication(_ api: RouterGroup<BerthRequestContext>) {
        api.get("replication/policies") { request, context in
            let (_, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await replication.policies(name: request.query("name"), page: page, pageSize: size, context.caller(request)),
                                       request, pageNumber: page, pageSize: size)
        }
        api.post("replication/policies") { request, context in
            let id = try await replication.create(try await APIRequest.body(request, as: ReplicationPolicyRequest.self), context.caller(request))
            return APIRequest.created("/api/v2.0/replication/policies/\(id)")
        }
        api.get("replication/policies/{id}") { request, context in
            try APIRequest.json(try await replication.policy(try context.idParameter("id"), context.caller(request)))
        }
        api.put("replication/policies/{id}") { request, context in
            try await replication.update(try context.idParameter("id"), try await APIRequest.body(request, as: ReplicationPolicyRequest.self),
                                         context.caller(request))
            return APIRequest.ok()
        }
        api.delete("replication/policies/{id}") { request, context in
            try await replication.delete(try context.idParameter("id"), context.caller(request))
            return APIRequest.ok()
        }
        api.get("replication/executions") { request, context in
            let (_, page, size) = try APIRequest.listQuery(request)
            let policyID = try request.query("policy_id").map { text -> Int64 in
                guard let id = Int64(text), id > 0 else { throw APIError.badRequest("policy_id must be a positive integer") }
                return id
            }
            let found = try await replication.executions(policyID: policyID, status: request.query("status"), trigger: request.query("trigger"),
                                                         page: page, pageSize: size, context.caller(request))
            return try APIRequest.page(found, request, pageNumber: page, pageSize: size)
        }
        api.post("replication/executions") { request, context in
            let id = try await replication.start(try await APIRequest.body(request, as: StartReplicationRequest.self), context.caller(request))
            return APIRequest.created("/api/v2.0/replication/executions/\(id)")
        }
        api.get("replication/executions/{id}") { request, context in
            try APIRequest.json(try await replication.execution(try context.idParameter("id"), context.caller(request)))
        }
        api.put("replication/executions/{id}") { request, context in
            try await replication.stop(try context.idParameter("id"), context.caller(request))
            return APIRequest.ok()
        }
        api.get("replication/executions/{id}/tasks") { request, context in
            let (_, page, size) = try APIRequest.listQuery(request)
            let found = try await replication.tasks(executionID: try context.idParameter("id"), status: request.query("status"),
                                                    resourceType: request.query("resource_type"), page: page, pageSize: size, context.caller(request))
            return try APIRequest.page(found, request, pageNumber: page, pageSize: size)
        }
        api.get("replication/executions/{id}/tasks/{task_id}/log") { request, context in
            let log = try await replication.log(executionID: try context.idParameter("id"), taskID: try context.idParameter("task_id"),
                                                context.caller(request))
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: log)))
        }
    }
}
