import Foundation
import Metadata
import NIOConcurrencyHelpers
import OCI

/// What Harbor shows about an artifact beyond its manifest record: for images the `extra_attrs` from the image config
/// (architecture, os, created, author, config) and whether a build history exists; for indexes the children with
/// their platforms. Manifests and configs never change under a digest, so what is read is kept by digest.
struct ArtifactInspector: Sendable {
    /// An index's child as the index lists it.
    struct Child: Sendable, Equatable {
        let digest: Digest
        let platform: JSONValue?
        let annotations: [String: String]?
        let urls: [String]?
    }

    /// What was found.
    struct Details: Sendable, Equatable {
        var extraAttrs: JSONValue?
        var children: [Child] = []
        var configDigest: Digest?
        var hasHistory = false
    }

    /// Image config media types (the artifacts Harbor calls `IMAGE`).
    static let imageConfigTypes: Set<String> = ["application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"]
    /// The largest image config read (configs are small; a huge one is not worth reading for a list).
    static let maximumConfigSize = 4 << 20

    let env: ManagementEnvironment
    private static let cache = NIOLockedValueBox([Digest: Details]())

    init(_ env: ManagementEnvironment) { self.env = env }

    /// The details of a manifest; empty when its bytes cannot be read.
    func details(of manifest: ManifestRecord) async -> Details {
        if let known = Self.cache.withLockedValue({ $0[manifest.digest] }) { return known }
        do {
            return try await inspect(manifest).details
        } catch {
            env.logger.debug("artifact details unreadable", metadata: ["digest": "\(manifest.digest)", "error": "\(error)"])
            return Details()
        }
    }

    /// What the artifact page shows beyond the details: the layers the manifest lists and the image config's build
    /// history, reading the manifest and the config once each (the details come along and are kept).
    func contents(of manifest: ManifestRecord) async -> (details: Details, layers: [LayerView], buildHistory: Data?) {
        do {
            let found = try await inspect(manifest)
            var layers: [LayerView] = []
            if case .array(let listed)? = found.document["layers"] {
                layers = listed.prefix(1000).compactMap { layer in
                    guard let digest = layer["digest"]?.string else { return nil }
                    return LayerView(digest: digest, mediaType: layer["mediaType"]?.string ?? "", size: layer["size"]?.integer ?? 0)
                }
            }
            let history = try found.image?["history"].map { try JSONEncoder().encode($0) }
            return (found.details, layers, history)
        } catch {
            env.logger.debug("artifact contents unreadable", metadata: ["digest": "\(manifest.digest)", "error": "\(error)"])
            return (await details(of: manifest), [], nil)
        }
    }

    /// Reads the manifest and, for an image, its config; keeps the details by digest.
    private func inspect(_ manifest: ManifestRecord) async throws -> (details: Details, document: JSONValue, image: JSONValue?) {
        var details = Details()
        var image: JSONValue? = nil
        let bytes = try await env.manifests.bytes(of: manifest.digest)
        let document = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: bytes))
        if MediaType.indexTypes.contains(manifest.mediaType), case .array(let children)? = document["manifests"] {
            details.children = children.compactMap { child in
                guard let text = child["digest"]?.string, let digest = try? Digest(parsing: text) else { return nil }
                var annotations: [String: String]? = nil
                if case .object(let values)? = child["annotations"] { annotations = values.compactMapValues(\.string) }
                var urls: [String]? = nil
                if case .array(let values)? = child["urls"] { urls = values.compactMap(\.string) }
                return Child(digest: digest, platform: child["platform"], annotations: annotations, urls: urls)
            }
        } else if let config = document["config"], let type = config["mediaType"]?.string, Self.imageConfigTypes.contains(type),
                  let text = config["digest"]?.string, let digest = try? Digest(parsing: text) {
            details.configDigest = digest
            if let bytes = try await env.blobs.smallContent(digest, maximum: Self.maximumConfigSize) {
                let config = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: bytes))
                var attrs: [String: JSONValue] = [:]
                for key in ["architecture", "os", "created", "author", "config", "variant", "os.version"] {
                    if let value = config[key] { attrs[key] = value }
                }
                details.extraAttrs = .object(attrs)
                if case .array(let history)? = config["history"], !history.isEmpty { details.hasHistory = true }
                image = config
            }
        }
        Self.cache.withLockedValue { cache in
            if cache.count >= 20_000 { cache.removeAll(keepingCapacity: true) }
            cache[manifest.digest] = details
        }
        return (details, document, image)
    }

    /// The image config's build history (`history`), as JSON; nil when the artifact has none.
    func buildHistory(of manifest: ManifestRecord) async throws -> Data? {
        let details = await details(of: manifest)
        guard let digest = details.configDigest, let bytes = try await env.blobs.smallContent(digest, maximum: Self.maximumConfigSize) else { return nil }
        let image = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: bytes))
        guard let history = image["history"] else { return nil }
        return try JSONEncoder().encode(history)
    }
}

/// The artifact icons Berth serves (`/api/v2.0/icons/{digest}`), under the digests Harbor's clients know.
enum ArtifactIcons {
    /// Harbor's digest for the container image icon.
    static let image = "sha256:0048162a053eef4d4ce3fe7518615bef084403614f8bca43b40ae2e762e11e06"
    /// Harbor's digest for the icon of artifacts of other types.
    static let other = "sha256:da834479c923584f4cbcdecc0dac61f32bef1d51e8aae598cf16bd154efab49f"

    /// SVG drawings of Berth's own for those digests.
    static let drawings: [String: String] = [
        image: """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect x="8" y="20" width="48" height="32" rx="3" fill="#2b6cb0"/>\
            <rect x="14" y="12" width="14" height="10" fill="#4299e1"/><rect x="30" y="12" width="14" height="10" fill="#63b3ed"/>\
            <rect x="14" y="26" width="36" height="4" fill="#ebf8ff"/><rect x="14" y="34" width="36" height="4" fill="#ebf8ff"/>\
            <rect x="14" y="42" width="36" height="4" fill="#ebf8ff"/></svg>
            """,
        other: """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><path d="M16 6h22l12 12v40H16z" fill="#718096"/>\
            <path d="M38 6v12h12" fill="#a0aec0"/><rect x="22" y="28" width="22" height="4" fill="#edf2f7"/>\
            <rect x="22" y="36" width="22" height="4" fill="#edf2f7"/><rect x="22" y="44" width="14" height="4" fill="#edf2f7"/></svg>
            """,
    ]
}
