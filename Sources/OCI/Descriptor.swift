/// An OCI content descriptor as it appears inside manifests and in the referrers index.
public struct Descriptor: Codable, Hashable, Sendable {
    /// Media type of the referenced content.
    public var mediaType: String
    /// Digest of the referenced content.
    public var digest: String
    /// Size of the referenced content in bytes.
    public var size: Int64
    /// The artifact type, when known.
    public var artifactType: String?
    /// Annotations copied from the content.
    public var annotations: [String: String]?
    /// External URLs (foreign layers).
    public var urls: [String]?

    /// Creates a descriptor.
    public init(mediaType: String, digest: String, size: Int64, artifactType: String? = nil,
                annotations: [String: String]? = nil, urls: [String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.artifactType = artifactType
        self.annotations = annotations
        self.urls = urls
    }
}

/// An OCI image index, used to answer the referrers API.
public struct ImageIndex: Codable, Sendable {
    /// Always 2.
    public var schemaVersion: Int = 2
    /// Always the OCI index media type.
    public var mediaType: String = MediaType.ociIndex
    /// The listed descriptors.
    public var manifests: [Descriptor]

    /// Creates an index listing `manifests`.
    public init(manifests: [Descriptor]) { self.manifests = manifests }
}
