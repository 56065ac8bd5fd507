import Auth
import Hummingbird
import Management
import Metadata
import OCI

/// Authentication and authorization for `/v2`: every request passes `admit` before its handler runs.
/// Bearer tokens are checked against their `access` claim; Basic credentials (accepted as Harbor does) against
/// the access policy. Failures become the OCI `UNAUTHORIZED` (with a token challenge) or `DENIED` errors.
public struct RegistryGate: Sendable {
    /// How the gate is set up.
    public enum Mode: Sendable {
        /// No authentication: everything is allowed (`auth.enabled: false`).
        case open
        /// Token and Basic authentication with the access policy.
        case enforced(authenticator: Authenticator, tokens: RegistryTokens, tokenService: TokenService)
    }

    let mode: Mode
    let policy: AccessPolicy
    let projects: any ProjectStore
    let audit: AuditTrail
    /// Externally visible base URL for the token realm; derived from the request's `Host` when empty.
    let serverURL: ServerURL

    /// Creates the gate; refused Basic credentials are recorded in `audit` as failed logins.
    public init(mode: Mode, policy: AccessPolicy, projects: any ProjectStore, audit: AuditTrail, serverURL: ServerURL) {
        self.mode = mode
        self.policy = policy
        self.projects = projects
        self.audit = audit
        self.serverURL = serverURL
    }

    /// Decides whether the request may go on; returns what it may do, or throws `UNAUTHORIZED`/`DENIED`.
    func admit(_ route: V2Route, _ request: Request, _ context: BerthRequestContext) async throws -> RegistryGrant {
        guard case .enforced(let authenticator, let tokens, let tokenService) = mode else {
            return RegistryGrant(resolved: .unrestricted, tokenSubject: nil, tokenAccount: nil, tokenAccess: nil, gate: self)
        }
        let need = Self.requirement(route, request.method)
        let grant: RegistryGrant
        switch Credentials(request) {
        case nil:
            throw unauthorized(request, need, "authentication required")
        case .bearer(let token):
            guard let verified = await tokens.verify(token) else {
                throw unauthorized(request, need, "the bearer token is invalid or has expired", error: "invalid_token")
            }
            // The subject's account is looked up only when a decision needs it (catalog, project creation, denials).
            grant = RegistryGrant(resolved: nil, tokenSubject: verified.subject, tokenAccount: verified.account, tokenAccess: verified.access, gate: self)
        case .basic(let username, let password):
            do {
                let principal = try await authenticator.authenticate(username: username, password: password, address: request.clientAddress(context))
                grant = RegistryGrant(resolved: principal, tokenSubject: nil, tokenAccount: nil, tokenAccess: nil, gate: self)
            } catch let failure as AuthenticationFailure {
                await audit.record(AuditRecord(projectID: nil, operation: "login", resourceType: "user", resource: String(username.prefix(255)),
                                               username: String(username.prefix(255)), clientIP: request.clientAddress(context), success: false,
                                               createdAt: Clock.nowMilliseconds()))
                if case .locked = failure { throw DistributionError(.tooManyRequests, failure.description) }
                if case .directoryUnavailable = failure { throw DistributionError(.unavailable, failure.description) }
                throw unauthorized(request, need, failure.description)
            }
        }
        switch need {
        case .none:
            return grant
        case .catalog:
            if let access = grant.tokenAccess, !access.contains(where: { $0.type == "registry" && $0.name == "catalog" && !$0.actions.isEmpty }) {
                throw unauthorized(request, need, "the token does not grant access to the catalog", error: "insufficient_scope")
            }
            return grant
        case .repository(let name, let action):
            if action == .push {
                try await ensureProject(for: name, grant: grant, autoCreate: tokenService.autoCreateProjects)
            }
            if try await grant.permits(name, action) { return grant }
            let principal = try await grant.principal()
            if grant.tokenAccess != nil, principal.isAuthenticated, try await policyAllows(principal, name, action) {
                throw unauthorized(request, need, "the token does not grant \(action.rawValue) on \(name)", error: "insufficient_scope")
            }
            guard principal.isAuthenticated else {
                throw unauthorized(request, need, "authentication required to \(action.rawValue) \(name)")
            }
            if try await projects.project(named: RepositoryRecord.projectName(of: name.value)) == nil {
                throw DistributionError(.nameUnknown, "project \(RepositoryRecord.projectName(of: name.value)) does not exist")
            }
            throw DistributionError(.denied, "\(principal.name) may not \(action.rawValue) \(name)")
        }
    }

    /// The principal a token was issued to.
    func principal(forAccount account: AccountReference?) async throws -> Principal {
        guard case .enforced(let authenticator, _, _) = mode else { return .unrestricted }
        return try await authenticator.principal(forAccount: account)
    }

    /// Whether the policy (rather than a token) allows `action` on `name`.
    func policyAllows(_ principal: Principal, _ name: RepositoryName, _ action: RegistryAction) async throws -> Bool {
        guard let project = try await projects.project(named: RepositoryRecord.projectName(of: name.value)) else { return false }
        return try await policy.allows(principal, action.permission, in: project)
    }

    /// Creates the project of a push target when it is missing and the principal may create it; otherwise a missing
    /// project is reported clearly.
    private func ensureProject(for name: RepositoryName, grant: RegistryGrant, autoCreate: Bool) async throws {
        let projectName = RepositoryRecord.projectName(of: name.value)
        guard try await projects.project(named: projectName) == nil else { return }
        let principal = try await grant.principal()
        guard !projectName.isEmpty else {
            throw DistributionError(.nameInvalid, "repository names must start with a project: <project>/\(name)")
        }
        guard autoCreate, policy.allowsSystem(principal, Permission(.project, .create)) else {
            guard principal.isAuthenticated else { return }
            throw DistributionError(.nameUnknown, "project \(projectName) does not exist; create it first")
        }
        let now = Clock.nowMilliseconds()
        var owner: Int64? = nil
        if case .user(let user) = principal { owner = user.id }
        do {
            _ = try await projects.createProject(
                ProjectRecord(name: projectName, ownerID: owner, metadata: ["public": "false"], createdAt: now, updatedAt: now),
                ownerRole: owner == nil ? nil : ProjectRole.projectAdmin.rawValue)
        } catch is MetadataConflict {
            // Another push created it first.
        }
    }

    /// What a route needs.
    enum Requirement: Equatable {
        case none
        case catalog
        case repository(RepositoryName, RegistryAction)
    }

    static func requirement(_ route: V2Route, _ method: HTTPRequest.Method) -> Requirement {
        switch route {
        case .base: return .none
        case .catalog: return .catalog
        case .tags(let name), .referrers(let name, _): return .repository(name, .pull)
        case .manifest(let name, _), .blob(let name, _), .invalidManifestReference(let name, _):
            switch method {
            case .delete: return .repository(name, .delete)
            case .put: return .repository(name, .push)
            default: return .repository(name, .pull)
            }
        case .uploads(let name), .upload(let name, _): return .repository(name, .push)
        }
    }

    private func unauthorized(_ request: Request, _ need: Requirement, _ message: String, error: String? = nil) -> DistributionError {
        guard case .enforced(_, let tokens, _) = mode else { return DistributionError(.unauthorized, message) }
        var challenge = "Bearer realm=\"\(realm(request))\",service=\"\(tokens.settings.service)\""
        switch need {
        case .none: break
        case .catalog: challenge += ",scope=\"registry:catalog:*\""
        case .repository(let name, let action):
            let actions = action == .push ? "pull,push" : action.rawValue
            challenge += ",scope=\"repository:\(name):\(actions)\""
        }
        if let error { challenge += ",error=\"\(error)\"" }
        return DistributionError(.unauthorized, message, challenge: challenge)
    }

    /// The token endpoint's URL as clients must call it.
    func realm(_ request: Request) -> String {
        serverURL.base(request) + "/service/token"
    }
}

/// What an admitted `/v2` request may do.
struct RegistryGrant: Sendable {
    /// The principal, when credentials named it directly (Basic) or authentication is off.
    let resolved: Principal?
    /// The subject of the bearer token, when one was used (empty for anonymous tokens); for audit entries only.
    let tokenSubject: String?
    /// The account the bearer token was issued to (nil for anonymous tokens).
    let tokenAccount: AccountReference?
    /// The token's grants, when a bearer token was used.
    let tokenAccess: [RegistryScope]?
    let gate: RegistryGate

    /// The name recorded in the audit log.
    var name: String {
        if let resolved { return resolved.name }
        return tokenSubject.map { $0.isEmpty ? "anonymous" : $0 } ?? "anonymous"
    }

    /// Whom an upload session is counted against: the account, or the client's address when there is none (an open
    /// registry without authentication).
    func uploadOwner(clientAddress: String) -> String {
        if let account = resolved?.account ?? tokenAccount { return account.description }
        return "ip:" + clientAddress
    }

    /// Who is asking (looked up from the token's subject when needed).
    func principal() async throws -> Principal {
        if let resolved { return resolved }
        return try await gate.principal(forAccount: tokenAccount)
    }

    /// Whether `action` on `name` is allowed (a cross-repository mount asks this for its source).
    func permits(_ name: RepositoryName, _ action: RegistryAction) async throws -> Bool {
        if case .unrestricted = resolved { return true }
        if let tokenAccess {
            return tokenAccess.contains { $0.type == "repository" && $0.name == name.value && ($0.actions.contains(action.rawValue) || $0.actions.contains("*")) }
        }
        return try await gate.policyAllows(try await principal(), name, action)
    }

    /// The projects whose repositories the catalog may show; nil for all.
    func catalogProjects() async throws -> [String]? {
        switch gate.policy.visibility(of: try await principal()) {
        case .all: return nil
        case let visibility: return try await gate.projects.projectNames(visibility: visibility)
        }
    }
}
