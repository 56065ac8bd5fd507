import Foundation
import Hummingbird
import Management

extension ManagementController {
    func registerJobs(_ api: RouterGroup<BerthRequestContext>) {
        guard let jobs else { return }
        api.get("jobservice/queues") { request, context in try APIRequest.json(try await jobs.queues(context.caller(request))) }
        api.get("schedules") { request, context in try APIRequest.json(try await jobs.schedules(context.caller(request))) }
        api.get("jobservice/jobs") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request, direct: ["kind": "kind", "status": "status"])
            return try APIRequest.page(try await jobs.list(query: query, context.caller(request)), request, pageNumber: page, pageSize: size)
        }
        api.get("jobservice/jobs/{jid}/log") { request, context in
            let text = try await jobs.log(id: try context.idParameter("jid"), context.caller(request))
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: .init(string: text)))
        }
        api.put("jobservice/jobs/{jid}") { request, context in
            struct ActionRequest: Decodable { var action: String? }
            let body = try await APIRequest.body(request, as: ActionRequest.self)
            try await jobs.stop(id: try context.idParameter("jid"), action: body.action ?? "", context.caller(request))
            return APIRequest.ok()
        }
    }
}
