import Foundation
import HTTPTypes
import Hummingbird
import Management
import NIOCore

extension ManagementController {
    /// Harbor's quota endpoints: list (optionally of one project), read, change the storage limit.
    func registerQuotas(_ api: RouterGroup<BerthRequestContext>) {
        api.get("quotas") { request, context in
            let (_, page, size) = try APIRequest.listQuery(request)
            let found = try await quotas.list(reference: request.query("reference"), referenceID: request.query("reference_id"), page: page,
                                              pageSize: size, context.caller(request))
            return try APIRequest.page(found, request, pageNumber: page, pageSize: size)
        }
        api.get("quotas/{id}") { request, context in
            try APIRequest.json(try await quotas.get(try context.idParameter("id"), context.caller(request)))
        }
        api.put("quotas/{id}") { request, context in
            try await quotas.update(try context.idParameter("id"), try await APIRequest.body(request, as: QuotaUpdateRequest.self), context.caller(request))
            return APIRequest.ok()
        }
    }
}
