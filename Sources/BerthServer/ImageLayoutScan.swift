import Foundation
import Logging
import Metadata
import NIOPosix
import Scanner
import Scanning

/// `berth scan`: scans an image in an OCI image layout directory (what `skopeo copy … oci:DIR:TAG` writes) against
/// the configured advisory store, without a server — for checking an image before it is pushed, and for measuring
/// the indexer and the matcher on their own.
public enum ImageLayoutScan {
    /// What a scan found and how long its parts took.
    public struct Outcome: Sendable {
        /// The inventory.
        public var inventory: Inventory
        /// The findings, highest severity first.
        public var findings: [Finding]
        /// Layers read.
        public var layers: Int
        /// Time spent indexing (reading and decompressing the layers, parsing what they hold).
        public var indexDuration: Duration
        /// Time spent matching against the store.
        public var matchDuration: Duration
    }

    /// Scans the image `tag` (or the layout's only image when nil) of the layout at `directory`.
    public static func scan(directory: String, tag: String?, configuration: BerthConfiguration, logger: Logger) async throws -> Outcome {
        let indexStarted = ContinuousClock.now
        let layers = try imageLayers(directory: directory, tag: tag)
        var indexer = ImageIndexer()
        for layer in layers.reversed() {
            indexer.beginLayer()
            guard let handle = FileHandle(forReadingAtPath: directory + "/blobs/" + layer.replacingOccurrences(of: ":", with: "/")) else {
                throw ConfigurationError("layer \(layer) is missing from \(directory)")
            }
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { try indexer.feed(chunk) }
            try indexer.endLayer()
        }
        let inventory = indexer.inventory()
        let indexDuration = ContinuousClock.now - indexStarted
        return try await AdvisoryAdministration.withStore(configuration, logger: logger) { store, _ in
            let matchStarted = ContinuousClock.now
            let findings = try await VulnerabilityService(store: store).findings(for: inventory)
            return Outcome(inventory: inventory, findings: findings, layers: layers.count, indexDuration: indexDuration,
                           matchDuration: ContinuousClock.now - matchStarted)
        }
    }

    /// The layer digests (bottom first) of the image the layout's `index.json` names (following one level of index).
    static func imageLayers(directory: String, tag: String?) throws -> [String] {
        func json(_ path: String) throws -> [String: Any] {
            guard let data = FileManager.default.contents(atPath: path),
                  let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ConfigurationError("\(path) is not a JSON object (is \(directory) an OCI image layout?)")
            }
            return object
        }
        func blob(_ digest: String) -> String { directory + "/blobs/" + digest.replacingOccurrences(of: ":", with: "/") }
        let index = try json(directory + "/index.json")
        let entries = index["manifests"] as? [[String: Any]] ?? []
        let named = entries.filter { (($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"]) == tag }
        guard let entry = tag == nil ? (entries.count == 1 ? entries.first : nil) : named.first, let digest = entry["digest"] as? String,
              digest.hasPrefix("sha256:"), digest.count == 71, !digest.contains("/") else {
            throw ConfigurationError(tag.map { "\(directory) has no image tagged \($0)" } ?? "\(directory) holds \(entries.count) images; name one with :TAG")
        }
        var manifest = try json(blob(digest))
        if let children = manifest["manifests"] as? [[String: Any]] {
            // An index: the linux/amd64 image, else the first.
            let child = children.first { ($0["platform"] as? [String: Any])?["architecture"] as? String == "amd64" } ?? children.first
            guard let childDigest = child?["digest"] as? String, childDigest.hasPrefix("sha256:"), !childDigest.contains("/") else {
                throw ConfigurationError("the index \(digest) names no image")
            }
            manifest = try json(blob(childDigest))
        }
        return (manifest["layers"] as? [[String: Any]] ?? []).compactMap { $0["digest"] as? String }
            .filter { $0.hasPrefix("sha256:") && !$0.contains("/") && $0.count == 71 }
    }
}
