import Foundation
import HTTPTypes
import Hummingbird
import Management

extension ManagementController {
    /// Harbor's registry endpoints: `/registries` and the replication adapters.
    func registerRemoteRegistries(_ api: RouterGroup<BerthRequestContext>) {
        api.get("registries") { request, context in
            let list = try await remoteRegistries.list(name: request.query("name"), context.caller(request))
            return try APIRequest.json(list, headers: [HTTPField.Name("X-Total-Count")!: String(list.count)])
        }
        api.post("registries") { request, context in
            let id = try await remoteRegistries.create(try await APIRequest.body(request, as: RemoteRegistryRequest.self), context.caller(request))
            return APIRequest.created("/api/v2.0/registries/\(id)")
        }
        api.post("registries/ping") { request, context in
            try await remoteRegistries.ping(try await APIRequest.body(request, as: RemoteRegistryRequest.self), context.caller(request))
            return APIRequest.ok()
        }
        api.get("registries/{id}") { request, context in
            try APIRequest.json(try await remoteRegistries.get(try context.idParameter("id"), context.caller(request)))
        }
        api.put("registries/{id}") { request, context in
            try await remoteRegistries.update(try context.idParameter("id"), try await APIRequest.body(request, as: RemoteRegistryRequest.self),
                                              context.caller(request))
            return APIRequest.ok()
        }
        api.delete("registries/{id}") { request, context in
            try await remoteRegistries.delete(try context.idParameter("id"), context.caller(request))
            return APIRequest.ok()
        }
        api.get("registries/{id}/info") { request, context in
            try APIRequest.json(try await remoteRegistries.info(try context.idParameter("id"), context.caller(request)))
        }
        api.get("replication/adapters") { request, context in try APIRequest.json(try remoteRegistries.adapters(context.caller(request))) }
        api.get("replication/adapterinfos") { request, context in try APIRequest.json(try remoteRegistries.adapterInfos(context.caller(request))) }
    }
}
