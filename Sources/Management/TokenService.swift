import Auth
import Metadata
import OCI

/// The Docker token service: decides which of the requested scopes a principal gets and signs the token.
public struct TokenService: Sendable {
    let tokens: RegistryTokens
    let policy: AccessPolicy
    let projects: any ProjectStore
    /// Whether pushing into a missing project creates it (for principals allowed to create projects).
    public let autoCreateProjects: Bool

    /// Creates the service.
    public init(tokens: RegistryTokens, policy: AccessPolicy, projects: any ProjectStore, autoCreateProjects: Bool) {
        self.tokens = tokens
        self.policy = policy
        self.projects = projects
        self.autoCreateProjects = autoCreateProjects
    }

    /// The service name clients must ask for.
    public var serviceName: String { tokens.settings.service }

    /// The part of `requested` that `principal` may have: the intersection of what was asked and what is allowed.
    public func grant(_ requested: [RegistryScope], to principal: Principal) async throws -> [RegistryScope] {
        var granted: [RegistryScope] = []
        for scope in requested {
            let actions: [String]
            switch scope.type {
            case "repository":
                actions = try await repositoryActions(scope, principal: principal)
            case "registry" where scope.name == "catalog":
                actions = scope.actions.contains("*") ? ["*"] : []
            default:
                actions = []
            }
            if let index = granted.firstIndex(where: { $0.type == scope.type && $0.name == scope.name }) {
                granted[index].actions = Array(Set(granted[index].actions + actions)).sorted()
            } else {
                granted.append(RegistryScope(type: scope.type, name: scope.name, actions: actions))
            }
        }
        return granted
    }

    /// Signs a token for `principal` with `access`.
    public func issue(to principal: Principal, access: [RegistryScope]) async throws -> RegistryTokens.Issued {
        let subject: String
        switch principal {
        case .anonymous, .unrestricted: subject = ""
        default: subject = principal.name
        }
        return try await tokens.issue(subject: subject, account: principal.account, access: access)
    }

    private func repositoryActions(_ scope: RegistryScope, principal: Principal) async throws -> [String] {
        guard (try? RepositoryName(scope.name)) != nil else { return [] }
        let wanted = Set(scope.actions.contains("*") ? ["pull", "push", "delete"] : scope.actions)
        guard let project = try await projects.project(named: RepositoryRecord.projectName(of: scope.name)) else {
            // A push into a missing project is granted when the push would create it.
            guard autoCreateProjects, policy.allowsSystem(principal, Permission(.project, .create)),
                  !RepositoryRecord.projectName(of: scope.name).isEmpty else { return [] }
            return wanted.intersection(["pull", "push"]).sorted()
        }
        let held = try await policy.permissions(of: principal, in: project)
        return wanted.filter { action in
            guard let permission = RegistryAction(rawValue: action)?.permission else { return false }
            return held.contains(permission)
        }.sorted()
    }
}

/// The actions of `/v2` and the permissions they need.
public enum RegistryAction: String, Sendable, CaseIterable {
    /// Read manifests, blobs, tags and referrers.
    case pull
    /// Upload blobs, put manifests.
    case push
    /// Delete manifests, tags and blobs.
    case delete

    /// The permission the action needs.
    public var permission: Permission {
        switch self {
        case .pull: return Permission(.repository, .pull)
        case .push: return Permission(.repository, .push)
        case .delete: return Permission(.artifact, .delete)
        }
    }
}
