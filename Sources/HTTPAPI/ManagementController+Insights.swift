import Foundation
import Hummingbird
import Management

extension ManagementController {
    func registerInsights(_ api: RouterGroup<BerthRequestContext>) {
        api.get("search") { request, context in
            guard let text = request.query("q") else { throw APIError.badRequest("q is required") }
            return try APIRequest.json(try await search.search(text, context.caller(request)))
        }
        api.get("statistics") { request, context in try APIRequest.json(try await statistics.statistic(context.caller(request))) }
        api.get("permissions") { request, context in try APIRequest.json(try await permissionCatalog.catalog(context.caller(request))) }
        api.get("icons/{digest}") { request, context in try APIRequest.json(try system.icon(try context.pathParameter("digest"))) }
    }
}
