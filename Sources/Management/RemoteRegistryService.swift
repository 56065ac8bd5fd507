import Auth
import Foundation
import Synchronization
import Metadata
import RegistryClient

/// Harbor's `Registry` request (create and update; `RegistryPing` has the same fields flattened, read here too).
public struct RemoteRegistryRequest: Decodable, Sendable {
    struct Credential: Decodable, Sendable {
        var type: String?
        var accessKey: String?
        var accessSecret: String?
    }
    var id: Int64?
    var name: String?
    var url: String?
    var type: String?
    var credential: Credential?
    var credentialType: String?
    var accessKey: String?
    var accessSecret: String?
    var insecure: Bool?
    var caCertificate: String?
    var description: String?
}

/// Harbor's `Registry` (the secret is never returned; Harbor shows `*****`).
public struct RemoteRegistryView: Encodable, Sendable {
    /// Its nested shape, as Harbor sends it.
    public struct Credential: Encodable, Sendable {
        /// A field of the nested shape.
        public var type: String
        /// A field of the nested shape.
        public var accessKey: String
        /// A field of the nested shape.
        public var accessSecret: String
        enum CodingKeys: String, CodingKey { case type, accessKey = "access_key", accessSecret = "access_secret" }
    }
    /// Its id.
    public let id: Int64
    /// Its name.
    public let name: String
    /// Harbor's `url`.
    public let url: String
    /// Harbor's `type`.
    public let type: String
    /// Harbor's `credential`.
    public let credential: Credential
    /// Harbor's `insecure`.
    public let insecure: Bool
    /// Harbor's `ca_certificate`.
    public let caCertificate: String
    /// Harbor's `description`.
    public let description: String
    /// Harbor's `status`.
    public let status: String
    /// Harbor's `creation_time`.
    public let creationTime: String
    /// Harbor's `update_time`.
    public let updateTime: String

    enum CodingKeys: String, CodingKey {
        case id, name, url, type, credential, insecure, caCertificate = "ca_certificate", description, status, creationTime = "creation_time",
             updateTime = "update_time"
    }
}

/// Harbor's `RegistryInfo`: what a kind of registry supports as a replication endpoint.
public struct RemoteRegistryInfoView: Encodable, Sendable {
    struct Filter: Encodable, Sendable {
        var type: String
        var style: String
        var values: [String]?
    }
    let type: String
    let description: String
    let supportedResourceFilters: [Filter]
    let supportedTriggers: [String]
    let supportedCopyByChunk: Bool

    enum CodingKeys: String, CodingKey {
        case type, description, supportedResourceFilters = "supported_resource_filters", supportedTriggers = "supported_triggers",
             supportedCopyByChunk = "supported_copy_by_chunk"
    }
}

/// Harbor's registry endpoints (`/api/v2.0/registries`): remote registries Berth replicates to and from — any Harbor
/// (and Berth, which answers Harbor's API) or any OCI registry such as CNCF distribution. System administrators
/// manage them; the secret is sealed and never returned; ping and the health shown in listings go through the
/// registry client (the token flow with the stored credential).
public struct RemoteRegistryService: Sendable {
    let env: ManagementEnvironment

    /// The provider types Berth speaks.
    public static let adapters = ["docker-registry", "harbor"]

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    private func parts() throws -> (SQLRemoteRegistryStore, SecretSealer) {
        guard let store = env.remoteRegistries, let sealer = env.sealer else { throw APIError(.unavailable, "remote registries are not available on this server") }
        return (store, sealer)
    }

    /// Every registry (optionally those whose name contains `name`), with its health (an empty status when
    /// `withHealth` is false: a form's choices need no ping).
    public func list(name: String?, withHealth: Bool = true, _ caller: Caller) async throws -> [RemoteRegistryView] {
        try env.requireSystem(Permission(.registry, .list), caller)
        let (store, sealer) = try parts()
        var records = try await store.registries()
        if let name, !name.isEmpty { records = records.filter { $0.name.localizedCaseInsensitiveContains(name) } }
        if !withHealth { return records.map { Self.view($0, status: "") } }
        return await withTaskGroup(of: (Int, RemoteRegistryView).self) { group in
            for (index, record) in records.enumerated() {
                group.addTask { (index, Self.view(record, status: await Self.health(record, sealer))) }
            }
            var views: [(Int, RemoteRegistryView)] = []
            for await view in group { views.append(view) }
            return views.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// One registry, with its health.
    public func get(_ id: Int64, _ caller: Caller) async throws -> RemoteRegistryView {
        try env.requireSystem(Permission(.registry, .read), caller)
        let (store, sealer) = try parts()
        let record = try await record(id, store)
        return Self.view(record, status: await Self.health(record, sealer))
    }

    /// Adds a registry; returns its id. 409 when the name is taken.
    public func create(_ request: RemoteRegistryRequest, _ caller: Caller) async throws -> Int64 {
        try env.requireSystem(Permission(.registry, .create), caller)
        let (store, sealer) = try parts()
        let now = Clock.nowMilliseconds()
        var record = try Self.checked(request, previous: nil, sealer: sealer, now: now)
        record.createdAt = now
        guard let created = try await store.create(record) else { throw APIError(.conflict, "a registry named \(record.name) already exists") }
        await env.recordChange(caller, "create", "registry", created.name)
        return created.id
    }

    /// Changes a registry (an empty secret keeps the stored one). 409 when the new name is another's.
    public func update(_ id: Int64, _ request: RemoteRegistryRequest, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.registry, .update), caller)
        let (store, sealer) = try parts()
        let previous = try await record(id, store)
        var record = try Self.checked(request, previous: previous, sealer: sealer, now: Clock.nowMilliseconds())
        record.id = previous.id
        record.createdAt = previous.createdAt
        guard try await store.update(record) else { throw APIError(.conflict, "a registry named \(record.name) already exists") }
        await env.recordChange(caller, "update", "registry", record.name)
    }

    /// Removes a registry.
    public func delete(_ id: Int64, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.registry, .delete), caller)
        let (store, _) = try parts()
        let record = try await record(id, store)
        let caches = try await env.access.proxyProjects(ofRegistry: id)
        if !caches.isEmpty {
            throw APIError(.preconditionFailed, "the registry \(record.name) is cached by the proxy-cache projects \(caches.joined(separator: ", ")); delete them first")
        }
        if let replication = env.replication, try await replication.policies(usingRegistry: id) > 0 {
            throw APIError(.preconditionFailed, "the registry \(record.name) is used by replication policies; change or delete them first")
        }
        try await store.delete(id: id)
        await env.recordChange(caller, "delete", "registry", record.name)
    }

    /// Checks that a registry answers and accepts the credentials: the stored one (`id`), changed by what the request
    /// gives, or settings not stored yet. 400 with the reason when it does not.
    public func ping(_ request: RemoteRegistryRequest, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.registry, .create), caller)
        let (store, sealer) = try parts()
        let previous = try await request.id.asyncMap { try await record($0, store) }
        var settings = request
        if let previous, settings.url == nil { settings.url = previous.url }
        if let previous, settings.name == nil { settings.name = previous.name }
        if settings.name == nil { settings.name = "ping" }
        let checked = try Self.checked(settings, previous: previous, sealer: sealer, now: 0)
        do {
            try await Self.ping(checked, sealer)
        } catch let error as RegistryClientError {
            throw APIError.badRequest("the registry did not answer as expected: \(error)")
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.badRequest("the registry cannot be reached: \(Self.reason(error))")
        }
    }

    /// What each provider type supports.
    public func info(_ id: Int64, _ caller: Caller) async throws -> RemoteRegistryInfoView {
        try env.requireSystem(Permission(.registry, .read), caller)
        let (store, _) = try parts()
        return Self.info(type: try await record(id, store).type)
    }

    /// The provider types (`/replication/adapters`).
    public func adapters(_ caller: Caller) throws -> [String] {
        try env.requireSystem(Permission(.registry, .list), caller)
        return Self.adapters
    }

    /// The provider types with their endpoint and credential patterns (`/replication/adapterinfos`).
    public func adapterInfos(_ caller: Caller) throws -> [String: [String: [String: String]]] {
        try env.requireSystem(Permission(.registry, .list), caller)
        let free = ["endpoint_pattern": ["endpoint_type": "EndpointPatternTypeFree"],
                    "credential_pattern": ["access_key_type": "AccessKeyTypeStandard", "access_secret_type": "AccessSecretTypeStandard"]]
        return Dictionary(uniqueKeysWithValues: Self.adapters.map { ($0, free) })
    }

    // MARK: - Helpers

    private func record(_ id: Int64, _ store: SQLRemoteRegistryStore) async throws -> RemoteRegistryRecord {
        guard let record = try await store.registry(id: id) else { throw APIError.notFound("registry \(id)") }
        return record
    }

    /// The request checked and made into a record (secret sealed; the previous secret kept when none is given).
    static func checked(_ request: RemoteRegistryRequest, previous: RemoteRegistryRecord?, sealer: SecretSealer, now: Int64) throws -> RemoteRegistryRecord {
        let name = (request.name ?? previous?.name ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.utf8.count <= 255 else { throw APIError.badRequest("name is required (at most 255 characters)") }
        var url = (request.url ?? previous?.url ?? "").trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              components.host?.isEmpty == false, components.query == nil, components.user == nil, url.utf8.count <= 2048 else {
            throw APIError.badRequest("url must be the registry's http or https address, such as https://registry.example.com")
        }
        let type = request.type ?? previous?.type ?? ""
        guard adapters.contains(type) else { throw APIError.badRequest("type must be one of \(adapters.joined(separator: ", "))") }
        let credentialType = (request.credential?.type ?? request.credentialType ?? previous?.credentialType ?? "basic").lowercased()
        guard ["basic", ""].contains(credentialType) else { throw APIError.badRequest("credential.type must be basic") }
        let key = request.credential?.accessKey ?? request.accessKey ?? previous?.accessKey ?? ""
        let givenSecret = request.credential?.accessSecret ?? request.accessSecret ?? ""
        guard key.utf8.count <= 255, givenSecret.utf8.count <= 4096 else { throw APIError.badRequest("the credential is too long") }
        let secret: String
        if givenSecret.isEmpty || givenSecret == "*****" {
            secret = key.isEmpty ? "" : previous?.accessSecret ?? ""
        } else {
            secret = try sealer.seal(givenSecret)
        }
        let ca = request.caCertificate ?? previous?.caCertificate ?? ""
        guard ca.utf8.count <= 65_536 else { throw APIError.badRequest("ca_certificate is too long") }
        if !ca.isEmpty, (try? RegistryTrust.certificateAuthorities(ca).check()) == nil {
            throw APIError.badRequest("ca_certificate is not a PEM certificate")
        }
        return RemoteRegistryRecord(name: name, url: url, type: type, credentialType: key.isEmpty ? "" : credentialType, accessKey: key,
                                    accessSecret: secret, insecure: request.insecure ?? previous?.insecure ?? false, caCertificate: ca,
                                    description: String((request.description ?? previous?.description ?? "").prefix(1024)), createdAt: now, updatedAt: now)
    }

    /// A registry client for `record` (the caller shuts it down).
    public static func client(_ record: RemoteRegistryRecord, _ sealer: SecretSealer, retries: Int = 0, bytesPerSecond: Int64? = nil) throws -> RegistryClient {
        let credentials: RegistryCredentials = record.accessKey.isEmpty ? .anonymous
            : .basic(username: record.accessKey, password: try sealer.open(record.accessSecret))
        let trust: RegistryTrust = record.insecure ? .insecure : record.caCertificate.isEmpty ? .system : .certificateAuthorities(record.caCertificate)
        return try RegistryClient(url: record.url, credentials: credentials, trust: trust, retries: retries, bytesPerSecond: bytesPerSecond)
    }

    /// `GET /v2/` with the credentials (the token flow when the registry asks for it).
    static func ping(_ record: RemoteRegistryRecord, _ sealer: SecretSealer) async throws {
        let client = try client(record, sealer)
        defer { Task { await client.shutdown() } }
        try await client.ping()
    }

    /// `healthy` or `unhealthy`, asked within five seconds.
    /// A registry's health: a ping answered within five seconds. Remembered for half a minute per registry (and per
    /// change of its settings), so that listing many registries does not ping each on every request.
    static func health(_ record: RemoteRegistryRecord, _ sealer: SecretSealer) async -> String {
        let key = "\(record.id)/\(record.updatedAt)"
        let now = ContinuousClock.now
        if let known = healthMemo.withLock({ $0[key] }), known.until > now { return known.status }
        let status = await checkHealth(record, sealer)
        healthMemo.withLock { memo in
            if memo.count > 1000 { memo.removeAll() }
            memo[key] = (status, now + .seconds(30))
        }
        return status
    }

    private static let healthMemo = Mutex<[String: (status: String, until: ContinuousClock.Instant)]>([:])

    static func checkHealth(_ record: RemoteRegistryRecord, _ sealer: SecretSealer) async -> String {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await ping(record, sealer)) != nil }
            group.addTask {
                try? await Task.sleep(for: .seconds(5))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first ? "healthy" : "unhealthy"
        }
    }

    static func reason(_ error: any Error) -> String {
        String(describing: error).prefix(300).description
    }

    static func view(_ record: RemoteRegistryRecord, status: String) -> RemoteRegistryView {
        RemoteRegistryView(id: record.id, name: record.name, url: record.url, type: record.type,
                           credential: .init(type: record.credentialType.isEmpty ? "basic" : record.credentialType, accessKey: record.accessKey,
                                             accessSecret: record.accessSecret.isEmpty ? "" : "*****"),
                           insecure: record.insecure, caCertificate: record.caCertificate, description: record.description, status: status,
                           creationTime: APITime.string(record.createdAt), updateTime: APITime.string(record.updatedAt))
    }

    /// This registry as a side of a replication policy (Harbor shows it as the registry with id 0, "Local").
    static let localView = RemoteRegistryView(id: 0, name: "Local", url: "", type: "harbor", credential: .init(type: "", accessKey: "", accessSecret: ""),
                                              insecure: false, caCertificate: "", description: "this registry", status: "healthy",
                                              creationTime: "0001-01-01T00:00:00.000Z", updateTime: "0001-01-01T00:00:00.000Z")

    static func info(type: String) -> RemoteRegistryInfoView {
        RemoteRegistryInfoView(
            type: type, description: type == "harbor" ? "Harbor (or Berth)" : "A registry speaking the OCI distribution API",
            supportedResourceFilters: [.init(type: "name", style: "input", values: nil), .init(type: "tag", style: "input", values: nil),
                                       .init(type: "label", style: "input", values: nil),
                                       .init(type: "resource", style: "radio", values: ["image", "artifact"])],
            supportedTriggers: ["manual", "scheduled", "event_based"], supportedCopyByChunk: true)
    }
}
