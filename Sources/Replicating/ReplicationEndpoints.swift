import Foundation
import RegistryClient

/// How replication reaches the registries at either end; the server supplies these (its own address with a
/// short-lived token for itself, a remote registry's stored settings and sealed credential for the others).
public struct ReplicationEndpoints: Sendable {
    /// A client for this registry allowed to pull, push and delete in `repositories`, downloads limited to
    /// `bytesPerSecond` when given.
    public let local: @Sendable (_ repositories: [String], _ bytesPerSecond: Int64?) async throws -> RegistryClient
    /// A client for remote registry `id` with its stored credential, downloads limited to `bytesPerSecond` when given.
    public let remote: @Sendable (_ id: Int64, _ bytesPerSecond: Int64?) async throws -> RegistryClient
    /// Makes sure the local project of `repository` exists (pull-based replication creates missing ones, private).
    public let prepareLocal: @Sendable (_ repository: String) async throws -> Void
    /// The name, provider type and URL of a side (this registry when nil), for the `REPLICATION` event.
    public let describe: @Sendable (_ id: Int64?) async -> ReplicationSideFacts

    /// The endpoints.
    public init(local: @escaping @Sendable ([String], Int64?) async throws -> RegistryClient,
                remote: @escaping @Sendable (Int64, Int64?) async throws -> RegistryClient,
                prepareLocal: @escaping @Sendable (String) async throws -> Void,
                describe: @escaping @Sendable (Int64?) async -> ReplicationSideFacts) {
        self.describe = describe
        self.local = local
        self.remote = remote
        self.prepareLocal = prepareLocal
    }

    /// A client for one side of a policy: this registry when `registryID` is nil.
    func client(_ registryID: Int64?, repositories: [String], bytesPerSecond: Int64?) async throws -> RegistryClient {
        if let registryID { return try await remote(registryID, bytesPerSecond) }
        return try await local(repositories, bytesPerSecond)
    }
}

/// A side of a replication as Harbor's `REPLICATION` event names it.
public struct ReplicationSideFacts: Sendable, Equatable {
    /// The registry's name (`Local` for this one).
    public var name: String
    /// Its provider type.
    public var type: String
    /// Its URL.
    public var url: String

    /// Facts.
    public init(name: String, type: String, url: String) {
        self.name = name
        self.type = type
        self.url = url
    }
}
