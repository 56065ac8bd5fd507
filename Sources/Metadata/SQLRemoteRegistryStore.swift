import SQLKit

/// A remote registry Berth replicates to or from (Harbor's registry endpoint).
public struct RemoteRegistryRecord: Sendable, Equatable {
    /// Its id.
    public var id: Int64
    /// Its unique name.
    public var name: String
    /// Its base URL.
    public var url: String
    /// The provider type (`harbor`, `docker-registry`).
    public var type: String
    /// `basic` (a user name or robot and its secret) or empty for anonymous access.
    public var credentialType: String
    /// The user name (kept in clear, as Harbor shows it).
    public var accessKey: String
    /// The password or secret, sealed (never stored or returned in clear).
    public var accessSecret: String
    /// Whether TLS verification is off.
    public var insecure: Bool
    /// A CA certificate (PEM) to trust for it, if any.
    public var caCertificate: String
    /// What it is, for people.
    public var description: String
    /// When it was created, ms since 1970.
    public var createdAt: Int64
    /// When it was last changed.
    public var updatedAt: Int64

    /// A record.
    public init(id: Int64 = 0, name: String, url: String, type: String, credentialType: String, accessKey: String, accessSecret: String,
                insecure: Bool, caCertificate: String, description: String, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.name = name
        self.url = url
        self.type = type
        self.credentialType = credentialType
        self.accessKey = accessKey
        self.accessSecret = accessSecret
        self.insecure = insecure
        self.caCertificate = caCertificate
        self.description = description
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Remote registries in SQL.
public struct SQLRemoteRegistryStore: Sendable {
    let provider: any SQLDatabaseProvider

    /// Uses the given (migrated) database.
    public init(provider: any SQLDatabaseProvider) { self.provider = provider }

    static let columns = "id, name, url, type, credential_type, access_key, access_secret, insecure, ca_certificate, description, created_at, updated_at"

    /// Every registry, by name.
    public func registries() async throws -> [RemoteRegistryRecord] {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM remote_registries ORDER BY name").all().map(Self.record)
        }
    }

    /// A registry by id.
    public func registry(id: Int64) async throws -> RemoteRegistryRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM remote_registries WHERE id = \(bind: id)").first().map(Self.record)
        }
    }

    /// Adds a registry; nil when its name is taken.
    public func create(_ record: RemoteRegistryRecord) async throws -> RemoteRegistryRecord? {
        try await provider.transaction { db in
            if try await db.raw("SELECT id FROM remote_registries WHERE name = \(bind: record.name)").first() != nil { return nil }
            guard let row = try await db.raw("""
                INSERT INTO remote_registries (name, url, type, credential_type, access_key, access_secret, insecure, ca_certificate, description,
                                               created_at, updated_at)
                VALUES (\(bind: record.name), \(bind: record.url), \(bind: record.type), \(bind: record.credentialType), \(bind: record.accessKey),
                        \(bind: record.accessSecret), \(bind: record.insecure ? 1 : 0), \(bind: record.caCertificate), \(bind: record.description),
                        \(bind: record.createdAt), \(bind: record.updatedAt))
                RETURNING id
                """).first() else { throw MetadataError.inconsistent("registry insert returned no id") }
            var created = record
            created.id = try row.decode(column: "id", as: Int64.self)
            return created
        }
    }

    /// Replaces a registry's settings; false when the new name is another's.
    public func update(_ record: RemoteRegistryRecord) async throws -> Bool {
        try await provider.transaction { db in
            if try await db.raw("SELECT id FROM remote_registries WHERE name = \(bind: record.name) AND id <> \(bind: record.id)").first() != nil {
                return false
            }
            try await db.raw("""
                UPDATE remote_registries SET name = \(bind: record.name), url = \(bind: record.url), credential_type = \(bind: record.credentialType),
                access_key = \(bind: record.accessKey), access_secret = \(bind: record.accessSecret), insecure = \(bind: record.insecure ? 1 : 0),
                ca_certificate = \(bind: record.caCertificate), description = \(bind: record.description), updated_at = \(bind: record.updatedAt)
                WHERE id = \(bind: record.id)
                """).run()
            return true
        }
    }

    /// Removes a registry.
    public func delete(id: Int64) async throws {
        try await provider.write { db in try await db.raw("DELETE FROM remote_registries WHERE id = \(bind: id)").run() }
    }

    static func record(_ row: any SQLRow) throws -> RemoteRegistryRecord {
        RemoteRegistryRecord(
            id: try row.decode(column: "id", as: Int64.self), name: try row.decode(column: "name", as: String.self),
            url: try row.decode(column: "url", as: String.self), type: try row.decode(column: "type", as: String.self),
            credentialType: try row.decode(column: "credential_type", as: String.self), accessKey: try row.decode(column: "access_key", as: String.self),
            accessSecret: try row.decode(column: "access_secret", as: String.self), insecure: try row.decode(column: "insecure", as: Int.self) != 0,
            caCertificate: try row.decode(column: "ca_certificate", as: String.self), description: try row.decode(column: "description", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self), updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }
}
