import APIInput
import Auth
import Foundation
import Metadata

/// User accounts: created and listed by system administrators; each user reads and edits their own profile and password.
public struct UserService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// All users (system administrators).
    public func list(query: ListQuery, _ caller: Caller) async throws -> ListPage<UserView> {
        try env.requireSystem(Permission(.user, .list), caller)
        let page = try await env.access.users(query)
        return ListPage(items: page.items.map { Self.view($0, adminInAuth: false) }, total: page.total)
    }

    /// Users whose name contains `username` (any signed-in user, to add members).
    public func search(username: String, query: ListQuery, _ caller: Caller) async throws -> ListPage<UserSearchView> {
        try env.requireAuthenticated(caller)
        var query = query
        query.filters = [ListQuery.Filter(key: "username", match: .fuzzy(username))]
        let page = try await env.access.users(query)
        return ListPage(items: page.items.map { UserSearchView(userId: $0.id, username: $0.username) }, total: page.total)
    }

    /// One user: any user for administrators, yourself otherwise.
    public func get(id: Int64, _ caller: Caller) async throws -> UserView {
        let user = try await readable(id, caller)
        return Self.view(user, adminInAuth: false)
    }

    /// The calling user.
    public func current(_ caller: Caller) async throws -> UserView {
        guard case .user(let identity) = caller.principal else {
            // Harbor answers 412 for callers that are not users (robots).
            throw caller.principal.isAuthenticated ? APIError(.preconditionFailed, "robot accounts have no user profile")
                : APIError(.unauthorized, "authentication required")
        }
        guard let user = try await env.access.user(id: identity.id) else { throw APIError.notFound("user") }
        return Self.view(user, adminInAuth: identity.sysadmin && !user.sysadmin)
    }

    /// The caller's permissions: system-level, or in the project given as `/project/<id or name>`.
    public func currentPermissions(scope: String?, _ caller: Caller) async throws -> [PermissionView] {
        try env.requireAuthenticated(caller)
        guard let scope, scope.hasPrefix("/project/") else {
            return PermissionTable.systemPermissions.filter { env.policy.allowsSystem(caller.principal, $0) }
                .map { PermissionView(resource: $0.resource.harborName, action: $0.action.rawValue) }
                .sorted { ($0.resource, $0.action) < ($1.resource, $1.action) }
        }
        let project = try await env.readableProject(String(scope.dropFirst("/project/".count)), isName: false, caller)
        return try await env.policy.permissions(of: caller.principal, in: project)
            .map { PermissionView(resource: $0.resource.harborName, action: $0.action.rawValue) }
            .sorted { ($0.resource, $0.action) < ($1.resource, $1.action) }
    }

    /// Creates a local user (system administrators).
    public func create(_ request: UserCreationRequest, _ caller: Caller) async throws -> UserRecord {
        try env.requireSystem(Permission(.user, .create), caller)
        guard let username = request.username, Self.isValidUsername(username) else {
            throw APIError.badRequest("username must be 1–255 characters without spaces, control or invisible characters or any of , \" ~ # % $ and must not start with robot$")
        }
        guard let password = request.password else { throw APIError.badRequest("password is required") }
        if let problem = PasswordPolicy.problem(with: password) { throw APIError.badRequest(problem) }
        if let email = request.email, !email.isEmpty, !Self.isValidEmail(email) { throw APIError.badRequest("email is not a valid address") }
        try Self.checkProfileText(realname: request.realname, comment: request.comment)
        let now = Clock.nowMilliseconds()
        do {
            let user = try await env.access.createUser(UserRecord(
                username: username, email: (request.email?.isEmpty ?? true) ? nil : request.email, realname: request.realname ?? "",
                comment: request.comment ?? "", passwordHash: try await env.hashing.hashPassword(password), source: .local, ldapDN: nil,
                sysadmin: false, createdAt: now, updatedAt: now))
            await env.recordChange(caller, "create", "user", username)
            return user
        } catch let conflict as MetadataConflict {
            throw APIError(.conflict, conflict.description)
        }
    }

    /// Changes a profile (e-mail, real name, comment): your own, or anyone's for administrators.
    public func updateProfile(id: Int64, _ request: UserProfileRequest, _ caller: Caller) async throws {
        var user = try await readable(id, caller)
        if let email = request.email {
            guard email.isEmpty || Self.isValidEmail(email) else { throw APIError.badRequest("email is not a valid address") }
            user.email = email.isEmpty ? nil : email
        }
        try Self.checkProfileText(realname: request.realname, comment: request.comment)
        if let realname = request.realname { user.realname = realname }
        if let comment = request.comment { user.comment = comment }
        user.updatedAt = Clock.nowMilliseconds()
        do { try await env.access.updateUser(user) } catch let conflict as MetadataConflict { throw APIError(.conflict, conflict.description) }
        await env.recordChange(caller, "update", "user", user.username)
    }

    /// Changes a password. Users give their old password; administrators may reset other users' passwords.
    public func changePassword(id: Int64, _ request: PasswordRequest, _ caller: Caller) async throws {
        // Harbor's API declares no 404 for a password change: an unknown user is a bad request.
        var user: UserRecord
        do { user = try await readable(id, caller) } catch let error as APIError where error.code == .notFound {
            throw APIError.badRequest("there is no user \(id)")
        }
        guard user.source == .local else { throw APIError.badRequest("the password of an LDAP user is changed in the directory") }
        guard let newPassword = request.newPassword else { throw APIError.badRequest("new_password is required") }
        if let problem = PasswordPolicy.problem(with: newPassword) { throw APIError.badRequest(problem) }
        let isSelf: Bool
        if case .user(let identity) = caller.principal { isSelf = identity.id == id } else { isSelf = false }
        if isSelf || !caller.principal.isSystemAdmin {
            guard let old = request.oldPassword, try await env.hashing.verifyPassword(old, hash: user.passwordHash) else {
                throw APIError.forbidden("the old password is wrong")
            }
        }
        user.passwordHash = try await env.hashing.hashPassword(newPassword)
        user.updatedAt = Clock.nowMilliseconds()
        try await env.access.updateUser(user)
        // Whoever held the old password may hold a session or refresh token; none survive the change.
        try await env.access.deleteSessions(userID: user.id)
        await env.recordChange(caller, "update", "user", "\(user.username) password")
    }

    /// Grants or removes system administrator rights (administrators; not on yourself).
    public func setSysadmin(id: Int64, _ request: SysadminRequest, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.user, .update), caller)
        guard let flag = request.sysadminFlag else { throw APIError.badRequest("sysadmin_flag is required") }
        if case .user(let identity) = caller.principal, identity.id == id { throw APIError.forbidden("you cannot change your own administrator flag") }
        guard var user = try await env.access.user(id: id) else { throw APIError.notFound("user \(id)") }
        user.sysadmin = flag
        user.updatedAt = Clock.nowMilliseconds()
        try await env.access.updateUser(user)
        await env.recordChange(caller, "update", "user", "\(user.username) sysadmin=\(flag)")
    }

    /// Deletes a user (administrators; not yourself).
    public func delete(id: Int64, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.user, .delete), caller)
        if case .user(let identity) = caller.principal, identity.id == id { throw APIError.forbidden("you cannot delete yourself") }
        guard let user = try await env.access.user(id: id) else { throw APIError.notFound("user \(id)") }
        try await env.access.deleteSessions(userID: id)
        guard try await env.access.deleteUser(id: id) else { throw APIError.notFound("user \(id)") }
        await env.recordChange(caller, "delete", "user", user.username)
    }

    private func readable(_ id: Int64, _ caller: Caller) async throws -> UserRecord {
        try env.requireAuthenticated(caller)
        let isSelf: Bool
        if case .user(let identity) = caller.principal { isSelf = identity.id == id } else { isSelf = false }
        guard isSelf || env.policy.allowsSystem(caller.principal, Permission(.user, .read)) else { throw APIError.forbidden() }
        guard let user = try await env.access.user(id: id) else { throw APIError.notFound("user \(id)") }
        return user
    }

    /// Harbor's username rule (1–255 characters, no spaces or `,"~#%$`, not `robot$…`) plus Berth's: no control
    /// or invisible characters (`AccountName.problem`). Look-alikes of existing names are refused by the store.
    static func isValidUsername(_ name: String) -> Bool {
        guard (1 ... 255).contains(name.count), !name.hasPrefix(Authenticator.robotPrefix), AccountName.problem(with: name) == nil else { return false }
        return !name.contains { $0.isWhitespace || ",\"~#%$".contains($0) || $0.isNewline }
    }

    /// Refuses (400) a full name over 255 characters or with line breaks or control characters, and a comment over
    /// 1024 characters or with control characters other than line breaks.
    static func checkProfileText(realname: String?, comment: String?) throws {
        if let realname, realname.count > 255 || realname.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw APIError.badRequest("realname must be one line of at most 255 characters")
        }
        if let comment, comment.count > 1024 || comment.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\r" }) {
            throw APIError.badRequest("comment must be at most 1024 characters without control characters")
        }
    }

    static func isValidEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@")
        return email.count <= 255 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !email.contains(where: \.isWhitespace)
    }

    static func view(_ user: UserRecord, adminInAuth: Bool) -> UserView {
        UserView(userId: user.id, username: user.username, email: user.email, realname: user.realname, comment: user.comment,
                 sysadminFlag: user.sysadmin, adminRoleInAuth: adminInAuth, creationTime: APITime.string(user.createdAt),
                 updateTime: APITime.string(user.updatedAt))
    }
}
