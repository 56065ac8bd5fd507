import Foundation
import Hummingbird
import Management

extension ManagementController {
    func registerLDAP(_ api: RouterGroup<BerthRequestContext>) {
        api.post("ldap/ping") { request, context in
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 16)
            let overrides = buffer.readableBytes == 0 ? nil : try APIRequest.decoder.decode(LDAPService.Settings.self, from: Data(buffer: buffer))
            return try APIRequest.json(try await ldap.ping(overrides, context.caller(request)))
        }
        api.get("ldap/users/search") { request, context in
            try APIRequest.json(try await ldap.searchUsers(request.query("username") ?? "", context.caller(request)))
        }
        api.get("ldap/groups/search") { request, context in
            try APIRequest.json(try await ldap.searchGroups(name: request.query("groupname") ?? "", dn: request.query("groupdn") ?? "", context.caller(request)))
        }
        api.post("ldap/users/import") { request, context in
            struct ImportRequest: Decodable { var ldapUidList: [String]? }
            struct Failure: Encodable { var uid: String; var error: String }
            let body = try await APIRequest.body(request, as: ImportRequest.self)
            let failed = try await ldap.importUsers(body.ldapUidList ?? [], context.caller(request))
            return failed.isEmpty ? APIRequest.ok() : try APIRequest.json(failed.map { Failure(uid: $0.uid, error: $0.error) }, status: .notFound)
        }
    }
}
