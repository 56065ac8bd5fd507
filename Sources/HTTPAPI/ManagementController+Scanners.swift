import Foundation
import HTTPTypes
import Hummingbird
import Management
import NIOCore

extension ManagementController {
    /// Harbor's interrogation services: `/scanners` and a project's `/scanner`.
    func registerScanners(_ api: RouterGroup<BerthRequestContext>) {
        api.get("scanners") { request, context in
            let list = try await scanners.list(context.caller(request))
            return try APIRequest.json(list, headers: [HTTPField.Name("X-Total-Count")!: String(list.count)])
        }
        api.post("scanners") { request, context in
            let id = try await scanners.create(try await APIRequest.body(request, as: ScannerRegistrationRequest.self), context.caller(request))
            return APIRequest.created("/api/v2.0/scanners/\(id)")
        }
        api.post("scanners/ping") { request, context in
            try await scanners.ping(try await APIRequest.body(request, as: ScannerRegistrationRequest.self), context.caller(request))
            return APIRequest.ok()
        }
        api.get("scanners/{id}") { request, context in
            try APIRequest.json(try await scanners.get(try context.pathParameter("id"), context.caller(request)))
        }
        api.put("scanners/{id}") { request, context in
            try await scanners.update(try context.pathParameter("id"), try await APIRequest.body(request, as: ScannerRegistrationRequest.self),
                                      context.caller(request))
            return APIRequest.ok()
        }
        api.patch("scanners/{id}") { request, context in
            struct IsDefault: Decodable { let isDefault: Bool? }
            let body = try await APIRequest.body(request, as: IsDefault.self)
            try await scanners.setDefault(try context.pathParameter("id"), isDefault: body.isDefault ?? false, context.caller(request))
            return APIRequest.ok()
        }
        api.delete("scanners/{id}") { request, context in
            try APIRequest.json(try await scanners.delete(try context.pathParameter("id"), context.caller(request)))
        }
        api.get("scanners/{id}/metadata") { request, context in
            let body = try await scanners.metadata(try context.pathParameter("id"), context.caller(request))
            return Response(status: .ok, headers: [.contentType: "application/json", .contentLength: String(body.count)],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        api.get("projects/{project}/scanner") { request, context in
            try APIRequest.json(try await scanners.projectScanner(try context.pathParameter("project"), isName: request.isResourceName, context.caller(request)))
        }
        api.put("projects/{project}/scanner") { request, context in
            struct ProjectScanner: Decodable { let uuid: String }
            let body = try await APIRequest.body(request, as: ProjectScanner.self)
            try await scanners.setProjectScanner(try context.pathParameter("project"), isName: request.isResourceName, uuid: body.uuid, context.caller(request))
            return APIRequest.ok()
        }
        api.get("projects/{project}/scanner/candidates") { request, context in
            let list = try await scanners.candidates(try context.pathParameter("project"), isName: request.isResourceName, context.caller(request))
            return try APIRequest.json(list, headers: [HTTPField.Name("X-Total-Count")!: String(list.count)])
        }
    }
}
