import Logging
import Metadata
import Storage

/// What every registry service works on: the metadata store, the content storage, the settings and a logger.
public struct RegistryBackend: Sendable {
    /// The metadata database.
    public let store: any RegistryStore
    /// The content storage.
    public let storage: any StorageDriver
    /// Behaviour switches.
    public let configuration: RegistryConfiguration
    /// Where services log.
    public let logger: Logger

    /// Bundles the pieces.
    public init(store: any RegistryStore, storage: any StorageDriver, configuration: RegistryConfiguration, logger: Logger) {
        self.store = store
        self.storage = storage
        self.configuration = configuration
        self.logger = logger
    }
}

/// A registry service that works on a `RegistryBackend`; gives it direct names for the backend's parts.
protocol BackendService {
    /// The backend the service works on.
    var backend: RegistryBackend { get }
}

extension BackendService {
    var store: any RegistryStore { backend.store }
    var storage: any StorageDriver { backend.storage }
    var configuration: RegistryConfiguration { backend.configuration }
    var logger: Logger { backend.logger }
}
