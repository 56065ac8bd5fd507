import Foundation
import Hummingbird
import Management

extension ManagementController {
    func registerUsers(_ api: RouterGroup<BerthRequestContext>) {
        api.get("users") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await users.list(query: query, context.caller(request)), request, pageNumber: page, pageSize: size)
        }
        api.post("users") { request, context in
            let body = try await APIRequest.body(request, as: UserCreationRequest.self)
            let user = try await users.create(body, context.caller(request))
            return APIRequest.created("/api/v2.0/users/\(user.id)")
        }
        api.get("users/current") { request, context in try APIRequest.json(try await users.current(context.caller(request))) }
        api.get("users/current/permissions") { request, context in
            try APIRequest.json(try await users.currentPermissions(scope: request.query("scope"), context.caller(request)))
        }
        api.get("users/search") { request, context in
            guard let name = request.query("username"), !name.isEmpty else { throw APIError.badRequest("username is required") }
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await users.search(username: name, query: query, context.caller(request)), request, pageNumber: page, pageSize: size)
        }
        api.get("users/{uid}") { request, context in try APIRequest.json(try await users.get(id: try context.idParameter("uid"), context.caller(request))) }
        api.put("users/{uid}") { request, context in
            let body = try await APIRequest.body(request, as: UserProfileRequest.self)
            try await users.updateProfile(id: try context.idParameter("uid"), body, context.caller(request))
            return APIRequest.ok()
        }
        api.delete("users/{uid}") { request, context in
            try await users.delete(id: try context.idParameter("uid"), context.caller(request))
            return APIRequest.ok()
        }
        api.put("users/{uid}/password") { request, context in
            let body = try await APIRequest.body(request, as: PasswordRequest.self)
            try await users.changePassword(id: try context.idParameter("uid"), body, context.caller(request))
            return APIRequest.ok()
        }
        api.put("users/{uid}/sysadmin") { request, context in
            let body = try await APIRequest.body(request, as: SysadminRequest.self)
            try await users.setSysadmin(id: try context.idParameter("uid"), body, context.caller(request))
            return APIRequest.ok()
        }
    }

    func registerUserGroups(_ api: RouterGroup<BerthRequestContext>) {
        api.get("usergroups") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request, direct: ["group_name": "group_name", "ldap_group_dn": "ldap_group_dn"])
            return try APIRequest.page(try await groups.list(query: query, context.caller(request)), request, pageNumber: page, pageSize: size)
        }
        api.get("usergroups/search") { request, context in
            guard let name = request.query("groupname"), !name.isEmpty else { throw APIError.badRequest("groupname is required") }
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await groups.search(name: name, query: query, context.caller(request)), request, pageNumber: page, pageSize: size)
        }
        api.post("usergroups") { request, context in
            let body = try await APIRequest.body(request, as: UserGroupRequest.self)
            let group = try await groups.create(body, context.caller(request))
            return APIRequest.created("/api/v2.0/usergroups/\(group.id)")
        }
        api.get("usergroups/{gid}") { request, context in try APIRequest.json(try await groups.get(id: try context.idParameter("gid"), context.caller(request))) }
        api.put("usergroups/{gid}") { request, context in
            let body = try await APIRequest.body(request, as: UserGroupRequest.self)
            try await groups.update(id: try context.idParameter("gid"), body, context.caller(request))
            return APIRequest.ok()
        }
        api.delete("usergroups/{gid}") { request, context in
            try await groups.delete(id: try context.idParameter("gid"), context.caller(request))
            return APIRequest.ok()
        }
    }

    func registerRobots(_ api: RouterGroup<BerthRequestContext>) {
        api.get("robots") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await robots.list(query: query, context.caller(request)), request, pageNumber: page, pageSize: size)
        }
        api.post("robots") { request, context in
            let body = try await APIRequest.body(request, as: RobotRequest.self)
            let created = try await robots.create(body, context.caller(request))
            return try APIRequest.json(created, status: .created, headers: [.location: "/api/v2.0/robots/\(created.id)"])
        }
        api.get("robots/{rid}") { request, context in try APIRequest.json(try await robots.get(id: try context.idParameter("rid"), context.caller(request))) }
        api.put("robots/{rid}") { request, context in
            let body = try await APIRequest.body(request, as: RobotRequest.self)
            try await robots.update(id: try context.idParameter("rid"), body, context.caller(request))
            return APIRequest.ok()
        }
        api.patch("robots/{rid}") { request, context in
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 16)
            let body = buffer.readableBytes == 0 ? RobotSecretRequest() : try APIRequest.decoder.decode(RobotSecretRequest.self, from: Data(buffer: buffer))
            return try APIRequest.json(try await robots.refreshSecret(id: try context.idParameter("rid"), body, context.caller(request)))
        }
        api.delete("robots/{rid}") { request, context in
            try await robots.delete(id: try context.idParameter("rid"), context.caller(request))
            return APIRequest.ok()
        }
    }

    func registerAuditLogs(_ api: RouterGroup<BerthRequestContext>) {
        api.get("audit-logs") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await auditLogs.list(query: query, context.caller(request)), request, pageNumber: page, pageSize: size)
        }
        api.get("projects/{project}/logs") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await auditLogs.list(project: try context.pathParameter("project"), query: query, context.caller(request)),
                                       request, pageNumber: page, pageSize: size)
        }
    }
}
