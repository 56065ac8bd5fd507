import Auth
import Foundation
import Metadata
import Scanning

/// Harbor's scanner registration in a request (`ScannerRegistrationReq`, and `ScannerRegistrationSettings` for ping).
public struct ScannerRegistrationRequest: Codable, Sendable {
    /// The registration's name.
    public var name: String?
    /// What it is.
    public var description: String?
    /// The adapter's base URL.
    public var url: String?
    /// `""`/`None`, `Basic`, `Bearer` or `X-ScannerAdapter-API-Key`.
    public var auth: String?
    /// The credential for `auth`.
    public var accessCredential: String?
    /// Whether TLS verification of the adapter is off.
    public var skipCertVerify: Bool?
    /// Whether the adapter pulls through the registry's internal address.
    public var useInternalAddr: Bool?
    /// Whether it is switched off.
    public var disabled: Bool?

    /// A registration as the portal's form makes it.
    public init(name: String, url: String, auth: String, accessCredential: String, description: String = "") {
        self.name = name
        self.url = url
        self.auth = auth
        self.accessCredential = accessCredential
        self.description = description
    }
    // Decoded with the management API's snake-case conversion (`access_credential`, `skip_certVerify`, `use_internal_addr`).
}

/// Harbor's `ScannerRegistration` (the credential is never returned).
public struct ScannerRegistrationView: Codable, Sendable {
    /// Its id.
    public internal(set) var uuid: String
    /// Its name.
    public internal(set) var name: String
    /// What it is.
    public internal(set) var description: String
    /// The adapter's URL (empty for the built-in scanner).
    public internal(set) var url: String
    /// Whether it is switched off.
    public internal(set) var disabled: Bool
    /// Whether it is the default.
    public internal(set) var isDefault: Bool
    /// The authentication type.
    public internal(set) var auth: String
    var accessCredential: String
    var skipCertVerify: Bool
    var useInternalAddr: Bool
    var createTime: String
    var updateTime: String
    var adapter: String
    var vendor: String
    var version: String
    var health: String
    var capabilities: [String: Bool]

    enum CodingKeys: String, CodingKey {
        case uuid, name, description, url, disabled, isDefault = "is_default", auth, accessCredential = "access_credential",
             skipCertVerify = "skip_certVerify", useInternalAddr = "use_internal_addr", createTime = "create_time", updateTime = "update_time",
             adapter, vendor, version, health, capabilities
    }
}

/// Harbor's interrogation services: external scanners registered by their scanner-adapter URL (create, list, update,
/// delete, ping, metadata, the system default) and the scanner each project uses. The built-in scanner is listed as
/// the registration `berth-builtin`, which cannot be changed or removed and is the default unless another is.
public struct ScannerService: Sendable {
    let env: ManagementEnvironment

    /// The built-in scanner's registration id.
    public static let builtInID = "berth-builtin"
    /// The built-in scanner's URL as registrations show it (it runs inside the server; Harbor's clients want a URL).
    public static let builtInURL = "berth://builtin"
    /// The authentication types Harbor offers.
    static let authTypes: Set<String> = ["", "Basic", "Bearer", "X-ScannerAdapter-API-Key"]

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    private func parts() throws -> (SQLVulnerabilityStore, SecretSealer) {
        guard let sealer = env.sealer else { throw APIError(.unavailable, "external scanners are not available on this server") }
        return (try env.vulnerabilityStore(), sealer)
    }

    /// Every registration, the built-in scanner first.
    public func list(_ caller: Caller) async throws -> [ScannerRegistrationView] {
        try env.requireSystem(Permission(.scanner, .list), caller)
        let (store, _) = try parts()
        let records = try await store.scanners()
        return [Self.builtInView(isDefault: !records.contains { $0.isDefault })] + records.map { Self.view($0) }
    }

    /// One registration.
    public func get(_ uuid: String, _ caller: Caller) async throws -> ScannerRegistrationView {
        try env.requireSystem(Permission(.scanner, .read), caller)
        let (store, _) = try parts()
        if uuid == Self.builtInID { return Self.builtInView(isDefault: try await !store.scanners().contains { $0.isDefault }) }
        return Self.view(try await record(uuid, store))
    }

    /// Registers a scanner; returns its id.
    public func create(_ request: ScannerRegistrationRequest, _ caller: Caller) async throws -> String {
        try env.requireSystem(Permission(.scanner, .create), caller)
        let (store, sealer) = try parts()
        let settings = try Self.checked(request, previousCredential: nil, sealer: sealer)
        let now = Clock.nowMilliseconds()
        let uuid = RandomUUID.make().uuidString.lowercased()
        let record = ScannerRegistrationRecord(uuid: uuid, name: settings.name, description: settings.description, url: settings.url,
                                               auth: settings.auth, accessCredential: settings.credential, skipCertVerify: settings.skipCertVerify,
                                               useInternalAddress: settings.useInternalAddress, disabled: settings.disabled, isDefault: false,
                                               createdAt: now, updatedAt: now)
        guard try await store.createScanner(record) else { throw APIError(.conflict, "a scanner named \(settings.name) is already registered") }
        await env.recordChange(caller, "create", "scanner", settings.name)
        return uuid
    }

    /// Replaces a registration's settings (an empty credential keeps the stored one while `auth` needs one).
    public func update(_ uuid: String, _ request: ScannerRegistrationRequest, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.scanner, .create), caller)
        let (store, sealer) = try parts()
        guard uuid != Self.builtInID else { throw APIError.badRequest("the built-in scanner cannot be changed") }
        var record = try await record(uuid, store)
        let settings = try Self.checked(request, previousCredential: record.accessCredential, sealer: sealer)
        record.name = settings.name
        record.description = settings.description
        record.url = settings.url
        record.auth = settings.auth
        record.accessCredential = settings.credential
        record.skipCertVerify = settings.skipCertVerify
        record.useInternalAddress = settings.useInternalAddress
        record.disabled = settings.disabled
        record.updatedAt = Clock.nowMilliseconds()
        guard try await store.updateScanner(record) else { throw APIError(.conflict, "a scanner named \(settings.name) is already registered") }
        await env.recordChange(caller, "update", "scanner", settings.name)
    }

    /// Removes a registration; returns it as it was. The default cannot be removed (make another the default first).
    public func delete(_ uuid: String, _ caller: Caller) async throws -> ScannerRegistrationView {
        try env.requireSystem(Permission(.scanner, .delete), caller)
        let (store, _) = try parts()
        guard uuid != Self.builtInID else { throw APIError(.forbidden, "the built-in scanner cannot be removed") }
        let record = try await record(uuid, store)
        guard !record.isDefault else { throw APIError(.forbidden, "the default scanner cannot be removed; make another scanner the default first") }
        try await store.deleteScanner(uuid: uuid)
        await env.recordChange(caller, "delete", "scanner", record.name)
        return Self.view(record)
    }

    /// Makes a registration the system default (or, with `isDefault` false on the default, the built-in scanner again).
    public func setDefault(_ uuid: String, isDefault: Bool, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.scanner, .create), caller)
        let (store, _) = try parts()
        if uuid == Self.builtInID {
            if isDefault { try await store.setDefaultScanner(uuid: nil, now: Clock.nowMilliseconds()) }
        } else {
            let record = try await record(uuid, store)
            if isDefault {
                guard !record.disabled else { throw APIError.badRequest("a disabled scanner cannot be the default") }
                try await store.setDefaultScanner(uuid: uuid, now: Clock.nowMilliseconds())
            } else if record.isDefault {
                try await store.setDefaultScanner(uuid: nil, now: Clock.nowMilliseconds())
            }
        }
        await env.recordChange(caller, "update", "scanner", "default \(uuid.prefix(64)) \(isDefault)")
    }

    /// Checks that the settings reach a scanner adapter (its metadata answers); 400 with the reason when not.
    public func ping(_ request: ScannerRegistrationRequest, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.scanner, .create), caller)
        let (_, sealer) = try parts()
        let settings = try Self.checked(request, previousCredential: nil, sealer: sealer)
        _ = try await Self.metadata(ScannerAdapterEndpoint(url: settings.url, auth: settings.auth, credential: settings.clearCredential,
                                                           skipCertVerify: settings.skipCertVerify))
    }

    /// A registration's adapter metadata as the adapter sends it.
    public func metadata(_ uuid: String, _ caller: Caller) async throws -> Data {
        try env.requireSystem(Permission(.scanner, .read), caller)
        let (store, sealer) = try parts()
        guard uuid != Self.builtInID else { return try await ScannerAdapterService(env).metadataBody() }
        let record = try await record(uuid, store)
        return try await Self.metadata(try Self.endpoint(record, sealer)).raw
    }

    /// The scanner a project uses (its own choice, else the default).
    public func projectScanner(_ nameOrID: String, isName: Bool, _ caller: Caller) async throws -> ScannerRegistrationView {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.project, .read))
        let (store, _) = try parts()
        if let chosen = try await store.projectScanner(projectID: project.id), let record = try await store.scanner(uuid: chosen) {
            return Self.view(record)
        }
        let records = try await store.scanners()
        if let fallback = records.first(where: \.isDefault) { return Self.view(fallback) }
        return Self.builtInView(isDefault: true)
    }

    /// Sets the scanner a project uses (project admins).
    public func setProjectScanner(_ nameOrID: String, isName: Bool, uuid: String, _ caller: Caller) async throws {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.project, .update))
        let (store, _) = try parts()
        if uuid == Self.builtInID {
            try await store.setProjectScanner(projectID: project.id, uuid: nil)
        } else {
            guard let record = try await store.scanner(uuid: String(uuid.prefix(64))) else { throw APIError.badRequest("no scanner registration \(uuid.prefix(64))") }
            guard !record.disabled else { throw APIError.badRequest("the scanner \(record.name) is disabled") }
            try await store.setProjectScanner(projectID: project.id, uuid: record.uuid)
        }
        await env.recordChange(caller, "update", "project_scanner", uuid.prefix(64).description, projectID: project.id)
    }

    /// The registrations a project admin may choose from (the enabled ones, the built-in scanner first).
    public func candidates(_ nameOrID: String, isName: Bool, _ caller: Caller) async throws -> [ScannerRegistrationView] {
        _ = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.project, .update))
        let (store, _) = try parts()
        let records = try await store.scanners()
        return [Self.builtInView(isDefault: !records.contains { $0.isDefault })] + records.filter { !$0.disabled }.map { Self.view($0) }
    }

    // MARK: - Helpers

    private func record(_ uuid: String, _ store: SQLVulnerabilityStore) async throws -> ScannerRegistrationRecord {
        guard uuid.utf8.count <= 64, let record = try await store.scanner(uuid: uuid) else { throw APIError.notFound("scanner registration \(uuid.prefix(64))") }
        return record
    }

    struct Settings {
        var name, description, url, auth, credential, clearCredential: String
        var skipCertVerify, useInternalAddress, disabled: Bool
    }

    /// The request's settings, checked, with the credential sealed (the previous one kept when none is given).
    static func checked(_ request: ScannerRegistrationRequest, previousCredential: String?, sealer: SecretSealer) throws -> Settings {
        let name = (request.name ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.utf8.count <= 100 else { throw APIError.badRequest("name is required (at most 100 characters)") }
        let url = (request.url ?? "").trimmingCharacters(in: .whitespaces)
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              components.host?.isEmpty == false, url.utf8.count <= 2048 else {
            throw APIError.badRequest("url must be the scanner adapter's http or https base URL")
        }
        var auth = request.auth ?? ""
        if auth == "None" { auth = "" }
        guard authTypes.contains(auth) else { throw APIError.badRequest("auth must be empty, Basic, Bearer or X-ScannerAdapter-API-Key") }
        let given = request.accessCredential ?? ""
        guard given.utf8.count <= 4096 else { throw APIError.badRequest("access_credential is too long") }
        if auth == "Basic", !given.isEmpty, !given.contains(":") { throw APIError.badRequest("a Basic access_credential is user:password") }
        let credential: String
        let clear: String
        if auth.isEmpty {
            credential = ""
            clear = ""
        } else if given.isEmpty, let previousCredential, !previousCredential.isEmpty {
            credential = previousCredential
            clear = (try? sealer.open(previousCredential)) ?? ""
        } else {
            guard !given.isEmpty else { throw APIError.badRequest("access_credential is required for \(auth) authentication") }
            credential = try sealer.seal(given)
            clear = given
        }
        let description = String((request.description ?? "").prefix(1024))
        return Settings(name: name, description: description, url: url, auth: auth, credential: credential, clearCredential: clear,
                        skipCertVerify: request.skipCertVerify ?? false, useInternalAddress: request.useInternalAddr ?? false, disabled: request.disabled ?? false)
    }

    static func endpoint(_ record: ScannerRegistrationRecord, _ sealer: SecretSealer) throws -> ScannerAdapterEndpoint {
        ScannerAdapterEndpoint(url: record.url, auth: record.auth, credential: try sealer.open(record.accessCredential), skipCertVerify: record.skipCertVerify)
    }

    static func metadata(_ endpoint: ScannerAdapterEndpoint) async throws -> ScannerAdapterMetadata {
        let client: ScannerAdapterClient
        do { client = try ScannerAdapterClient(endpoint: endpoint) } catch let error as ScannerAdapterClientError { throw APIError.badRequest(error.description) }
        defer { Task { await client.shutdown() } }
        do {
            return try await client.metadata()
        } catch let error as ScannerAdapterClientError {
            throw APIError.badRequest(error.description)
        }
    }

    static func view(_ record: ScannerRegistrationRecord) -> ScannerRegistrationView {
        ScannerRegistrationView(uuid: record.uuid, name: record.name, description: record.description, url: record.url, disabled: record.disabled,
                                isDefault: record.isDefault, auth: record.auth, accessCredential: "", skipCertVerify: record.skipCertVerify,
                                useInternalAddr: record.useInternalAddress, createTime: APITime.string(record.createdAt),
                                updateTime: APITime.string(record.updatedAt), adapter: "", vendor: "", version: "", health: "",
                                capabilities: ["support_vulnerability": true, "support_sbom": false])
    }

    static func builtInView(isDefault: Bool) -> ScannerRegistrationView {
        let scanner = ScannerView.builtIn
        return ScannerRegistrationView(uuid: builtInID, name: scanner.name, description: "The scanner built into Berth (advisory data imported offline)",
                                       url: Self.builtInURL, disabled: false, isDefault: isDefault, auth: "", accessCredential: "", skipCertVerify: false,
                                       useInternalAddr: false, createTime: APITime.string(0), updateTime: APITime.string(0), adapter: scanner.name,
                                       vendor: scanner.vendor, version: scanner.version, health: "healthy",
                                       capabilities: ["support_vulnerability": true, "support_sbom": true])
    }
}
