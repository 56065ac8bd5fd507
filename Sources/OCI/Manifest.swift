import Foundation

/// What the registry needs to know about a pushed manifest: its type, what it references, and its
/// referrer information. The raw bytes are kept by the caller exactly as sent.
public struct ParsedManifest: Sendable, Equatable {
    /// The manifest's media type.
    public let mediaType: String
    /// Artifact type as the referrers API reports it (`artifactType`, else the config media type for image manifests).
    public let artifactType: String?
    /// The `subject` digest, when the manifest refers to another manifest.
    public let subject: Digest?
    /// Top-level annotations.
    public let annotations: [String: String]?
    /// Blobs (config and layers) that must exist in the repository.
    public let blobs: [Digest]
    /// Child manifests (of an index) that must exist in the repository.
    public let manifests: [Digest]
    /// The size each blob's descriptor gives.
    public var blobSizes: [Digest: Int64] = [:]

    /// True for image indexes and manifest lists.
    public var isIndex: Bool { MediaType.indexTypes.contains(mediaType) }
}

/// Validates manifest bytes and extracts what the registry stores about them.
public enum ManifestParser {
    /// The largest manifest accepted (the spec asks registries to take at least 4 MiB).
    public static let maximumSize = 4 * 1024 * 1024

    /// Parses `bytes` pushed with the given `Content-Type`; throws `MANIFEST_INVALID` with a precise reason.
    public static func parse(_ bytes: [UInt8], contentType: String?) throws(DistributionError) -> ParsedManifest {
        let raw: RawManifest
        do {
            raw = try JSONDecoder().decode(RawManifest.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw DistributionError(.manifestInvalid, "manifest is not a valid manifest document: \(describe(error))")
        } catch {
            throw DistributionError(.manifestInvalid, "manifest is not valid JSON")
        }
        let headerType = contentType.flatMap { MediaType.essence(of: $0) }
        if raw.schemaVersion == 1 || [MediaType.dockerSchema1, MediaType.dockerSchema1Signed].contains(headerType ?? "")
            || [MediaType.dockerSchema1, MediaType.dockerSchema1Signed].contains(raw.mediaType ?? "") {
            throw DistributionError(.manifestInvalid, "Docker schema 1 manifests are not supported; push an OCI or Docker schema 2 manifest")
        }
        guard raw.schemaVersion == 2 else {
            throw DistributionError(.manifestInvalid, raw.schemaVersion == nil ? "manifest has no schemaVersion" : "manifest schemaVersion must be 2")
        }
        let mediaType = try resolveMediaType(raw, headerType: headerType)

        var artifactType: String? = nil
        if let declared = raw.artifactType {
            guard MediaType.isValid(declared) else {
                throw DistributionError(.manifestInvalid, "artifactType \(Digest.quoted(declared)) is not a valid media type")
            }
            artifactType = declared
        }
        let subject = try raw.subject.map { d throws(DistributionError) in try validate(d, field: "subject") }

        if MediaType.indexTypes.contains(mediaType) {
            guard let children = raw.manifests else {
                throw DistributionError(.manifestInvalid, "an image index must have a manifests array")
            }
            var digests: [Digest] = []
            for (i, child) in children.enumerated() {
                digests.append(try validate(child, field: "manifests[\(i)]"))
            }
            return ParsedManifest(mediaType: mediaType, artifactType: artifactType, subject: subject,
                                  annotations: raw.annotations, blobs: [], manifests: digests)
        }

        guard let config = raw.config else {
            throw DistributionError(.manifestInvalid, "an image manifest must have a config descriptor")
        }
        guard let layers = raw.layers else {
            throw DistributionError(.manifestInvalid, "an image manifest must have a layers array")
        }
        let configDigest = try validate(config, field: "config")
        var blobs = [configDigest]
        // `validate` checked that every size is there and not negative.
        var sizes = [configDigest: config.size ?? 0]
        for (i, layer) in layers.enumerated() {
            let digest = try validate(layer, field: "layers[\(i)]")
            // Foreign (non-distributable) layers live at their URLs, not in the registry.
            if let urls = layer.urls, !urls.isEmpty, isNonDistributable(layer.mediaType ?? "") { continue }
            blobs.append(digest)
            sizes[digest] = layer.size ?? 0
        }
        return ParsedManifest(mediaType: mediaType, artifactType: artifactType ?? config.mediaType, subject: subject,
                              annotations: raw.annotations, blobs: blobs, manifests: [], blobSizes: sizes)
    }

    private static func resolveMediaType(_ raw: RawManifest, headerType: String?) throws(DistributionError) -> String {
        let headerIsManifest = headerType.map { MediaType.manifestTypes.contains($0) } ?? false
        if let declared = raw.mediaType {
            guard MediaType.manifestTypes.contains(declared) else {
                throw DistributionError(.manifestInvalid, "manifest mediaType \(Digest.quoted(declared)) is not a supported manifest type")
            }
            if headerIsManifest, let headerType, headerType != declared {
                throw DistributionError(.manifestInvalid, "manifest mediaType \(declared) does not match Content-Type \(headerType)")
            }
            return declared
        }
        if headerIsManifest, let headerType {
            if headerType == MediaType.dockerManifest || headerType == MediaType.dockerManifestList {
                throw DistributionError(.manifestInvalid, "Docker schema 2 manifests must declare their mediaType")
            }
            return headerType
        }
        if raw.manifests != nil { return MediaType.ociIndex }
        if raw.config != nil { return MediaType.ociManifest }
        throw DistributionError(.manifestInvalid, "cannot tell the manifest type: set mediaType in the manifest or a manifest Content-Type")
    }

    private static func validate(_ d: RawDescriptor, field: String) throws(DistributionError) -> Digest {
        guard let mediaType = d.mediaType, MediaType.isValid(mediaType) else {
            throw DistributionError(.manifestInvalid, "\(field) has a missing or invalid mediaType")
        }
        guard let text = d.digest else { throw DistributionError(.manifestInvalid, "\(field) has no digest") }
        let digest: Digest
        do { digest = try Digest(parsing: text) } catch {
            throw DistributionError(.manifestInvalid, "\(field) has an invalid digest: \(error.message)")
        }
        guard let size = d.size, size >= 0 else {
            throw DistributionError(.manifestInvalid, "\(field) has a missing or negative size")
        }
        return digest
    }

    private static func isNonDistributable(_ mediaType: String) -> Bool {
        mediaType == MediaType.dockerForeignLayer || mediaType.contains("nondistributable")
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
            let path = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? "not a JSON object" : "wrong type at \(path.hasPrefix(".") ? String(path.dropFirst()) : path)"
        @unknown default:
            return "malformed"
        }
    }
}

private struct RawManifest: Decodable {
    var schemaVersion: Int?
    var mediaType: String?
    var artifactType: String?
    var config: RawDescriptor?
    var layers: [RawDescriptor]?
    var manifests: [RawDescriptor]?
    var subject: RawDescriptor?
    var annotations: [String: String]?
}

private struct RawDescriptor: Decodable {
    var mediaType: String?
    var digest: String?
    var size: Int64?
    var urls: [String]?
}
