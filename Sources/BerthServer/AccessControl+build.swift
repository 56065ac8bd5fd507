import Auth
import Foundation
import HTTPAPI
import Logging
import Management
import Metadata
import NIOPosix

/// The access-control parts of a server: stores, authenticator, token issuer, policy, audit trail and the `/v2` gate.
struct AccessControl: Sendable {
    let store: SQLAccessStore
    let policy: AccessPolicy
    let hashing: SecretHashing
    let authenticator: Authenticator
    let tokenService: TokenService
    let audit: AuditTrail
    let gate: RegistryGate
    let directory: LDAPDirectory?
    let sessions: SessionTokens
    /// Signs registry tokens (pull-only ones for external scanners too).
    let tokens: RegistryTokens
    /// Seals credentials kept for remote services.
    let sealer: SecretSealer

    /// Builds everything from configuration; creates the first admin user when there is none.
    static func build(configuration: BerthConfiguration, database: any SQLDatabaseProvider, threadPool: NIOThreadPool,
                      logger: Logger) async throws -> AccessControl {
        let store = SQLAccessStore(provider: database)
        let policy = AccessPolicy(projects: store, everyoneMayCreateProjects: configuration.projects.creationRestriction == "everyone")
        let hashing = SecretHashing(threadPool: threadPool, bcryptCost: UInt8(configuration.auth.bcryptCost))
        var throttleSettings = LoginThrottle.Settings()
        throttleSettings.accountThreshold = configuration.auth.lockoutAccountThreshold
        throttleSettings.addressThreshold = configuration.auth.lockoutAddressThreshold
        throttleSettings.lockSeconds = configuration.auth.lockoutSeconds
        throttleSettings.lockAccounts = configuration.auth.lockoutAccounts
        let directory = configuration.ldap.isEnabled
            ? try LDAPDirectory(settings: configuration.ldap, group: MultiThreadedEventLoopGroup.singleton, logger: logger) : nil
        let authenticator = Authenticator(
            users: store, groups: store, robots: store, hashing: hashing,
            throttle: LoginThrottle(store: store, settings: throttleSettings), directory: directory, logger: logger)
        var tokenSettings = RegistryTokens.Settings()
        tokenSettings.issuer = configuration.auth.tokenIssuer
        tokenSettings.service = configuration.auth.tokenService
        tokenSettings.lifetimeSeconds = configuration.auth.tokenExpirationMinutes * 60
        let tokens = try await RegistryTokens.load(settings: tokenSettings, store: store)
        let tokenService = TokenService(tokens: tokens, policy: policy, projects: store, autoCreateProjects: configuration.projects.autoCreateOnPush)
        let audit = AuditTrail(store: store, logger: logger)
        let mode: RegistryGate.Mode = configuration.auth.enabled
            ? .enforced(authenticator: authenticator, tokens: tokens, tokenService: tokenService) : .open
        if !configuration.auth.enabled {
            logger.warning("authentication is disabled: anyone who can reach this server may push, pull and delete")
        }
        let gate = RegistryGate(mode: mode, policy: policy, projects: store, audit: audit, serverURL: ServerURL(externalURL: configuration.http.externalURL, tls: configuration.transportMode != .plain))
        for clash in try await store.fillNameKeys() {
            logger.warning("an existing user name looks like another one; rename or remove one of them", metadata: ["user": "\(clash)"])
        }
        try await createFirstAdmin(configuration: configuration, users: store, hashing: hashing, logger: logger)
        try await RobotService.bindUnboundGrants(in: store)
        try await ensureLibraryOwned(store: store)
        return AccessControl(store: store, policy: policy, hashing: hashing, authenticator: authenticator, tokenService: tokenService,
                             audit: audit, gate: gate, directory: directory, sessions: SessionTokens(store: store), tokens: tokens,
                             sealer: try await SecretSealer.load(store: store))
    }

    /// Makes `admin` the owner and a project administrator of `library`, as Harbor has it, when the project has no
    /// owner yet (a new installation, or one from before this was done). Nothing changes once it has one.
    static func ensureLibraryOwned(store: SQLAccessStore) async throws {
        guard var library = try await store.project(named: "library"), library.ownerID == nil,
              let admin = try await store.user(named: "admin") else { return }
        let now = Clock.nowMilliseconds()
        library.ownerID = admin.id
        library.updatedAt = now
        try await store.updateProject(library)
        do {
            _ = try await store.addMember(MemberRecord(projectID: library.id, entityType: .user, entityID: admin.id, entityName: admin.username,
                                                       role: ProjectRole.projectAdmin.rawValue), now: now)
        } catch is MetadataConflict {
            // Already a member (another instance got here first, or an administrator added them).
        }
    }

    /// Creates the `admin` system administrator on first start, with the configured password or a generated one
    /// that is printed once on standard output. Nothing happens once the user exists.
    static func createFirstAdmin(configuration: BerthConfiguration, users: any UserStore, hashing: SecretHashing, logger: Logger) async throws {
        guard try await users.user(named: "admin") == nil else { return }
        var password = configuration.auth.adminPassword
        let generated = password.isEmpty
        if generated { password = SecretHashing.randomSecret() }
        let now = Clock.nowMilliseconds()
        do {
            _ = try await users.createUser(UserRecord(
                username: "admin", email: nil, realname: "system admin", comment: "created at first start",
                passwordHash: try await hashing.hashPassword(password), source: .local, ldapDN: nil, sysadmin: true,
                createdAt: now, updatedAt: now))
        } catch is MetadataConflict {
            return  // another instance created it
        }
        if generated {
            FileHandle.standardOutput.write(Data("berth: created user admin with generated password \(password) (shown only this once)\n".utf8))
        }
        logger.notice("created the first system administrator", metadata: ["user": "admin", "password": "\(generated ? "generated" : "from configuration")"])
    }
}
