import APIInput
import Auth
import Foundation
import Logging
import Metadata
import Registry

/// Who is calling the management API, and from where.
public struct Caller: Sendable {
    /// The authenticated principal (or anonymous).
    public let principal: Principal
    /// The client's address.
    public let clientIP: String

    /// Creates a caller.
    public init(principal: Principal, clientIP: String) {
        self.principal = principal
        self.clientIP = clientIP
    }
}

extension Caller {
    /// The caller as the maker of a registry change (the operator and address its events record).
    var change: ChangeContext { ChangeContext(operatorName: principal.name, clientIP: clientIP) }
}

/// Everything the management services work with: stores, policy, hashing, the audit trail and the registry services.
public struct ManagementEnvironment: Sendable {
    /// Users, groups, projects, robots, audit log.
    public let access: SQLAccessStore
    /// Repositories and artifacts.
    public let artifacts: any ArtifactStore
    /// The registry's metadata store (repository lookups).
    public let registry: any RegistryStore
    /// Manifest operations (artifact deletion goes through the same path as `/v2`).
    public let manifests: ManifestService
    /// Blob reads (image configs for artifact details).
    public let blobs: BlobService
    /// Copies artifacts between repositories.
    public let copier: ArtifactCopier
    /// The permission decisions.
    public let policy: AccessPolicy
    /// Password and secret hashing.
    public let hashing: SecretHashing
    /// Where changes are recorded.
    public let audit: AuditTrail
    /// Webhook policies and deliveries.
    public let webhooks: SQLWebhookStore
    /// Facts for `/systeminfo`.
    public let system: SystemFacts
    /// The LDAP directory, when LDAP authentication is configured (groups can only come from there).
    public let directory: LDAPDirectory?
    /// Where the services log.
    public let logger: Logger
    /// Scan reports, inventories and advisories.
    public let vulnerabilities: SQLVulnerabilityStore?
    /// The job queue's store (scans are jobs).
    public let jobs: (any JobStore)?
    /// Seals credentials Berth keeps for remote services (external scanners, remote registries).
    public let sealer: SecretSealer?
    /// Remote registries (replication endpoints).
    public let remoteRegistries: SQLRemoteRegistryStore?
    /// Replication policies, executions and tasks.
    public let replication: SQLReplicationStore?
    /// Project quotas.
    public let quotas: SQLQuotaStore?
    /// Garbage-collection runs.
    public let garbageRuns: SQLGarbageRunStore?
    /// Projects' tag immutability rules.
    public let immutableRules: SQLImmutableRuleStore?
    /// Tag retention policies and their runs.
    public let retention: SQLRetentionStore?
    /// Labels and the artifacts that carry them.
    public let labels: SQLLabelStore?

    /// Bundles the pieces.
    public init(access: SQLAccessStore, artifacts: any ArtifactStore, registry: any RegistryStore, manifests: ManifestService, blobs: BlobService,
                copier: ArtifactCopier, policy: AccessPolicy, hashing: SecretHashing, audit: AuditTrail, webhooks: SQLWebhookStore, system: SystemFacts,
                directory: LDAPDirectory?, logger: Logger, vulnerabilities: SQLVulnerabilityStore? = nil, jobs: (any JobStore)? = nil,
                sealer: SecretSealer? = nil, remoteRegistries: SQLRemoteRegistryStore? = nil, replication: SQLReplicationStore? = nil,
                quotas: SQLQuotaStore? = nil, garbageRuns: SQLGarbageRunStore? = nil, immutableRules: SQLImmutableRuleStore? = nil,
                retention: SQLRetentionStore? = nil, labels: SQLLabelStore? = nil) {
        self.retention = retention
        self.labels = labels
        self.immutableRules = immutableRules
        self.garbageRuns = garbageRuns
        self.replication = replication
        self.quotas = quotas
        self.sealer = sealer
        self.remoteRegistries = remoteRegistries
        self.vulnerabilities = vulnerabilities
        self.jobs = jobs
        self.webhooks = webhooks
        self.copier = copier
        self.directory = directory
        self.blobs = blobs
        self.logger = logger
        self.access = access
        self.artifacts = artifacts
        self.registry = registry
        self.manifests = manifests
        self.policy = policy
        self.hashing = hashing
        self.audit = audit
        self.system = system
    }

    /// Throws 401 for anonymous callers and 403 for others unless the caller holds `permission` in `project`.
    func require(_ permission: Permission, in project: ProjectRecord, _ caller: Caller) async throws {
        guard try await policy.allows(caller.principal, permission, in: project) else { throw denial(caller) }
    }

    /// Throws unless the caller holds the system-level `permission`.
    func requireSystem(_ permission: Permission, _ caller: Caller) throws {
        guard policy.allowsSystem(caller.principal, permission) else { throw denial(caller) }
    }

    /// The vulnerability store, or 503 when this server was built without one.
    func vulnerabilityStore() throws -> SQLVulnerabilityStore {
        guard let vulnerabilities else { throw APIError(.unavailable, "vulnerability scanning is not available on this server") }
        return vulnerabilities
    }

    /// The vulnerability store and the job queue's store, or 503 when this server was built without them.
    func scanningStores() throws -> (SQLVulnerabilityStore, any JobStore) {
        guard let jobs else { throw APIError(.unavailable, "vulnerability scanning is not available on this server") }
        return (try vulnerabilityStore(), jobs)
    }

    /// Throws 401 for anonymous callers.
    func requireAuthenticated(_ caller: Caller) throws {
        guard caller.principal.isAuthenticated else { throw APIError(.unauthorized, "authentication required") }
    }

    /// 401 for anonymous callers, 403 for others.
    func denial(_ caller: Caller) -> APIError {
        caller.principal.isAuthenticated ? APIError.forbidden() : APIError(.unauthorized, "authentication required")
    }

    /// The project named `nameOrID` (a number is an id unless `isName`); 404 when missing, and 401/403 when the
    /// caller holds no permission in it at all, or not `permission` (the caller's permissions are computed once).
    func readableProject(_ nameOrID: String, isName: Bool, _ caller: Caller, requiring permission: Permission? = nil) async throws -> ProjectRecord {
        let project: ProjectRecord?
        if !isName, let id = Int64(nameOrID) { project = try await access.project(id: id) } else { project = try await access.project(named: nameOrID) }
        // Anonymous callers get the same 401 for a private project and a missing one, so they cannot tell them apart.
        guard let project else { throw caller.principal.isAuthenticated ? APIError.notFound("project \(nameOrID.prefix(255))") : denial(caller) }
        let held = try await policy.permissions(of: caller.principal, in: project)
        guard !held.isEmpty, permission.map(held.contains) ?? true else { throw denial(caller) }
        return project
    }

    /// The directory's group with this DN. User groups are LDAP groups, so without LDAP (or for a DN the directory does
    /// not have) there is nothing that could back one: 400. 503 when the directory cannot be asked.
    func directoryGroup(dn: String) async throws -> LDAPGroupInfo {
        guard let directory else {
            throw APIError.badRequest("user groups are LDAP groups; configure LDAP authentication (ldap.url) to use them")
        }
        let found: [LDAPGroupInfo]
        do { found = try await directory.searchGroups(name: "", dn: dn) } catch {
            throw APIError(.unavailable, "the LDAP directory cannot be searched right now")
        }
        guard let group = found.first(where: { $0.dn.lowercased() == dn.lowercased() }) ?? found.first else {
            throw APIError.badRequest("LDAP group \(dn.prefix(255)) is not in the directory")
        }
        return group
    }

    /// Records a change in the audit log now.
    func recordChange(_ caller: Caller, _ operation: String, _ resourceType: String, _ resource: String, projectID: Int64? = nil) async {
        await audit.record(AuditRecord(projectID: projectID, operation: operation, resourceType: resourceType, resource: resource,
                                       username: caller.principal.name, clientIP: caller.clientIP, success: true, createdAt: Clock.nowMilliseconds()))
    }
}

/// Facts about the deployment that `/systeminfo` reports.
public struct SystemFacts: Sendable {
    /// `db_auth` or `ldap_auth`.
    public var authMode: String
    /// `everyone` or `adminonly`.
    public var projectCreationRestriction: String
    /// Berth's version.
    public var version: String
    /// Whether pushes into missing projects create them.
    public var autoCreateProjects: Bool
    /// The storage driver's name (`filesystem`, `s3`).
    public var storageProvider: String
    /// The configured URL clients reach the server at (empty: as each request reached it).
    public var externalURL: String

    /// Creates the facts.
    public init(authMode: String, projectCreationRestriction: String, version: String, autoCreateProjects: Bool, storageProvider: String,
                externalURL: String) {
        self.externalURL = externalURL
        self.storageProvider = storageProvider
        self.authMode = authMode
        self.projectCreationRestriction = projectCreationRestriction
        self.version = version
        self.autoCreateProjects = autoCreateProjects
    }
}

/// Timestamps as Harbor shows them (RFC 3339 with milliseconds, UTC).
enum APITime {
    /// A time that may not have happened yet, as Harbor shows it then: the zero time.
    static func optional(_ milliseconds: Int64?) -> String {
        milliseconds.map(string) ?? "0001-01-01T00:00:00.000Z"
    }

    static func string(_ milliseconds: Int64) -> String { HarborTime.string(milliseconds: milliseconds) }
}
