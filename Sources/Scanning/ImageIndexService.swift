import Foundation
import Logging
import Metadata
import NIOCore
import OCI
import Registry
import Scanner
import Storage

/// Why an artifact cannot be scanned (it is not an image, or its layers are not readable archives).
public struct ScanRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in words for the scan log and the report.
    public let description: String
    /// Whether the artifact is simply not an image (nothing to scan, rather than a broken image).
    public let notAnImage: Bool

    /// A refusal saying `description`.
    public init(_ description: String, notAnImage: Bool = false) {
        self.description = description
        self.notAnImage = notAnImage
    }
}

/// Where an image's manifests and layers are read from: the registry's own storage, or a remote registry.
public protocol ImageContent: Sendable {
    /// The bytes of the manifest `digest` (checked against it).
    func manifest(_ digest: Digest) async throws -> [UInt8]
    /// The layer blob `digest` as a stream (the remote one checked against its digest as it ends).
    func layer(_ digest: Digest) async throws -> any StorageReader
}

/// The registry's own manifests and storage.
public struct LocalImageContent: ImageContent {
    let manifests: ManifestService
    let storage: any StorageDriver

    /// Content from `manifests` and `storage`.
    public init(manifests: ManifestService, storage: any StorageDriver) {
        self.manifests = manifests
        self.storage = storage
    }

    public func manifest(_ digest: Digest) async throws -> [UInt8] { Array(buffer: try await manifests.bytes(of: digest)) }

    public func layer(_ digest: Digest) async throws -> any StorageReader {
        do {
            return try await storage.reader(for: StorageLayout.blob(digest), range: nil)
        } catch StorageError.notFound {
            throw ScanRefusal("layer \(digest) is missing from storage")
        }
    }
}

/// Indexes images: reads each layer blob as a stream, from the top layer down, through the scanner's
/// `ImageIndexer`, and keeps the inventory per manifest digest, so an image pushed again (to any repository, or met
/// in another registry) is not read again. An index's inventory is its platform manifests' inventories together.
public struct ImageIndexService: Sendable {
    let local: LocalImageContent
    let store: SQLVulnerabilityStore
    let logger: Logger

    /// The image config media types the indexer reads (other artifacts — charts, signatures, SBOMs — are not images).
    public static let imageConfigTypes: Set<String> = ["application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"]

    /// A service over the registry's manifests and storage, keeping inventories in `store`.
    public init(manifests: ManifestService, storage: any StorageDriver, store: SQLVulnerabilityStore, logger: Logger) {
        self.local = LocalImageContent(manifests: manifests, storage: storage)
        self.store = store
        self.logger = logger
    }

    /// The inventory of the registry's own manifest `digest`.
    public func inventory(of digest: Digest, progress: @Sendable (String) -> Void = { _ in }) async throws -> Inventory {
        try await inventory(of: digest, in: local, progress: progress)
    }

    /// The inventory of the manifest `digest` in `content`: the stored one when the current indexer made it, else
    /// read now. `progress` is told each layer as it is read.
    public func inventory(of digest: Digest, in content: any ImageContent, progress: @Sendable (String) -> Void = { _ in }) async throws -> Inventory {
        if let stored = try await store.inventory(manifestDigest: digest.description), stored.indexerVersion == Inventory.currentIndexerVersion,
           let inventory = try? JSONDecoder().decode(Inventory.self, from: Data(stored.json.utf8)) {
            return inventory
        }
        let bytes = try await content.manifest(digest)
        let parsed: ParsedManifest
        do {
            parsed = try ManifestParser.parse(bytes, contentType: nil)
        } catch {
            throw ScanRefusal("manifest \(digest) cannot be read: \(error.message)")
        }
        let inventory: Inventory
        if parsed.isIndex {
            var packages: [InstalledPackage] = []
            var warnings: [String] = []
            var operatingSystem: OperatingSystem?
            for child in parsed.manifests {
                let childInventory: Inventory
                do {
                    childInventory = try await self.inventory(of: child, in: content, progress: progress)
                } catch let refusal as ScanRefusal where refusal.notAnImage {
                    // An attestation or other non-image entry of the index: nothing to inventory.
                    continue
                }
                packages += childInventory.packages
                warnings += childInventory.warnings
                operatingSystem = operatingSystem ?? childInventory.operatingSystem
            }
            inventory = Inventory(operatingSystem: operatingSystem, packages: packages, warnings: warnings)
        } else {
            guard let configType = parsed.artifactType, Self.imageConfigTypes.contains(configType) else {
                throw ScanRefusal("the artifact is not a container image (its config is \(parsed.artifactType ?? "missing")); only images are scanned",
                                  notAnImage: true)
            }
            inventory = try await index(layers: Array(parsed.blobs.dropFirst()), of: digest, in: content, progress: progress)
        }
        let json = String(decoding: try JSONEncoder().encode(inventory), as: UTF8.self)
        try await store.saveInventory(InventoryRecord(manifestDigest: digest.description, indexerVersion: inventory.indexerVersion,
                                                      json: json, createdAt: Clock.nowMilliseconds()))
        return inventory
    }

    /// Reads `layers` (bottom first, as the manifest lists them) from the top down.
    private func index(layers: [Digest], of digest: Digest, in content: any ImageContent, progress: @Sendable (String) -> Void) async throws -> Inventory {
        var indexer = ImageIndexer()
        for (position, layer) in layers.enumerated().reversed() {
            progress("reading layer \(position + 1) of \(layers.count) (\(layer))")
            indexer.beginLayer()
            let reader = try await content.layer(layer)
            do {
                while let chunk = try await reader.next() {
                    try chunk.withUnsafeReadableBytes { try indexer.feed($0) }
                }
                await reader.close()
                try indexer.endLayer()
            } catch let error as TarError {
                await reader.close()
                throw ScanRefusal("layer \(layer) is not a readable tar archive: \(error)")
            } catch let error as DecompressionError {
                await reader.close()
                throw ScanRefusal("layer \(layer) cannot be decompressed: \(error)")
            } catch {
                await reader.close()
                throw error
            }
        }
        let inventory = indexer.inventory()
        logger.info("image indexed", metadata: ["digest": "\(digest)", "layers": "\(layers.count)", "packages": "\(inventory.packages.count)"])
        return inventory
    }
}
