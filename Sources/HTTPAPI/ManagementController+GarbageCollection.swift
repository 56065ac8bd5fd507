import Foundation
import HTTPTypes
import Hummingbird
import Management
import NIOCore

extension ManagementController {
    /// Harbor's garbage-collection endpoints: history, one run, its log, stopping it, and the schedule (whose
    /// `Manual` type runs a collection now).
    func registerGarbageCollection(_ api: RouterGroup<BerthRequestContext>) {
        api.get("system/gc") { request, context in
            let (_, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await garbageCollection.history(page: page, pageSize: size, context.caller(request)), request,
                                       pageNumber: page, pageSize: size)
        }
        api.get("system/gc/schedule") { request, context in try APIRequest.json(try await garbageCollection.schedule(context.caller(request))) }
        for (method, creating) in [(HTTPRequest.Method.post, true), (.put, false)] {
            api.on("system/gc/schedule", method: method) { request, context in
                let body = try await APIRequest.body(request, as: GarbageScheduleRequest.self)
                switch try await garbageCollection.setSchedule(body, creating: creating, context.caller(request)) {
                case .started(let id): return APIRequest.created("/api/v2.0/system/gc/\(id)")
                case .scheduled: return creating ? APIRequest.created("/api/v2.0/system/gc/schedule") : APIRequest.ok()
                }
            }
        }
        api.get("system/gc/{id}") { request, context in
            try APIRequest.json(try await garbageCollection.run(try context.idParameter("id"), context.caller(request)))
        }
        api.put("system/gc/{id}") { request, context in
            try await garbageCollection.stop(try context.idParameter("id"), context.caller(request))
            return APIRequest.ok()
        }
        api.get("system/gc/{id}/log") { request, context in
            let log = try await garbageCollection.log(try context.idParameter("id"), context.caller(request))
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody { writer in
                for try await chunk in log { try await writer.write(ByteBuffer(string: chunk)) }
                try await writer.finish(nil)
            })
        }
    }
}
