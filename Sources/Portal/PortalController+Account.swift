import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// The signed-in user's own page: who they are, changing their password, and the registry's CA certificate for the
/// machines that pull from it.
extension PortalController {
    @Sendable func accountPage(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await accountPage(request, context, visitor, problem: nil)
    }

    @Sendable func changePassword(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let caller = caller(visitor, request, context)
        do {
            let user = try await users.current(caller)
            guard form["new_password"] == form["confirm_password"] else { throw APIError.badRequest("The new passwords do not match.") }
            try await users.changePassword(id: user.userId, PasswordRequest(oldPassword: form["old_password"], newPassword: form["new_password"]), caller)
            // The change ended every session of the user, this one included.
            var response = finish(renderer.page("password-changed", PasswordChangedPage(frame: frame(PortalVisitor.signedOut(visitor)))), visitor, request)
            SessionController.clearSessionCookies(on: &response)
            return response
        } catch let error as APIError {
            let problem = error.code == .forbidden ? "The current password is wrong." : error.message
            return try await accountPage(request, context, visitor, problem: problem, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func updateProfile(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let draft = (email: (form["email"] ?? "").trimmingCharacters(in: .whitespaces), realname: form["realname"] ?? "")
        let caller = caller(visitor, request, context)
        do {
            let user = try await users.current(caller)
            try await users.updateProfile(id: user.userId, UserProfileRequest(email: draft.email, realname: draft.realname), caller)
            return Self.redirect("/harbor/account?saved=profile")
        } catch let error as APIError {
            let problem = error.code == .conflict ? "Another user has that e-mail address." : error.message.prefix(1).uppercased() + error.message.dropFirst()
            return try await accountPage(request, context, visitor, problem: nil, profileProblem: problem, draft: draft,
                                         status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    func accountPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, problem: String?, profileProblem: String? = nil,
                     draft: (email: String, realname: String)? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        do {
            let user = try await users.current(caller(visitor, request, context))
            let host = registryHost(request)
            let fingerprint = caFingerprint()
            let page = AccountPage(frame: frame(visitor), username: user.username, email: user.email ?? "", realname: user.realname,
                                   isAdmin: user.sysadminFlag, problem: problem, profileProblem: profileProblem,
                                   profileSaved: profileProblem == nil && request.uri.queryParameters["saved"] == "profile",
                                   draftEmail: draft?.email ?? user.email ?? "", draftRealname: draft?.realname ?? user.realname, hasCA: fingerprint != nil, registry: host,
                                   trustCommand: fingerprint.map { "berth trust \(serverURL.base(request)) --fingerprint \($0)" } ?? "")
            return finish(renderer.page("account", page, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }
}
