import OCI

/// A repository row.
public struct RepositoryRecord: Sendable, Equatable {
    /// Database id.
    public let id: Int64
    /// Full repository name.
    public let name: String

    /// Creates a record.
    public init(id: Int64, name: String) {
        self.id = id
        self.name = name
    }

    /// The project a repository name belongs to: its first path component ("" for a name without one).
    public static func projectName(of repository: String) -> String {
        guard let slash = repository.firstIndex(of: "/") else { return "" }
        return String(repository[..<slash])
    }
}

/// A stored manifest: what the registry knows about it besides its bytes (which live in storage).
public struct ManifestRecord: Sendable, Equatable {
    /// Digest over the exact bytes pushed.
    public let digest: Digest
    /// Media type of the manifest.
    public let mediaType: String
    /// Size of the bytes in storage.
    public let size: Int64
    /// Artifact type as the referrers API reports it.
    public let artifactType: String?
    /// The manifest's `subject`, when it has one.
    public let subject: Digest?
    /// Top-level annotations.
    public let annotations: [String: String]?

    /// Creates a record.
    public init(digest: Digest, mediaType: String, size: Int64, artifactType: String?, subject: Digest?, annotations: [String: String]?) {
        self.digest = digest
        self.mediaType = mediaType
        self.size = size
        self.artifactType = artifactType
        self.subject = subject
        self.annotations = annotations
    }
}

/// What a manifest refers to, recorded when it is pushed (for validation, deletion and garbage collection).
public struct ManifestReferences: Sendable, Equatable {
    /// Blobs (config and layers).
    public let blobs: [Digest]
    /// Child manifests (of an index).
    public let manifests: [Digest]

    /// Creates the reference lists.
    public init(blobs: [Digest], manifests: [Digest]) {
        self.blobs = blobs
        self.manifests = manifests
    }
}

/// An upload session's durable state.
public struct UploadRecord: Sendable, Equatable {
    /// Session id (a UUID).
    public let id: String
    /// Repository the upload is for (it need not exist yet).
    public let repositoryName: String
    /// Bytes committed so far.
    public let size: Int64
    /// Saved hash state of those bytes.
    public let hashState: [UInt8]
    /// Creation time, milliseconds since 1970.
    public let createdAt: Int64
    /// Last change, milliseconds since 1970.
    public let updatedAt: Int64

    /// Creates a record.
    public init(id: String, repositoryName: String, size: Int64, hashState: [UInt8], createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.repositoryName = repositoryName
        self.size = size
        self.hashState = hashState
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A new upload session: whose it is and what bounds the number of open ones.
public struct NewUpload: Sendable, Equatable {
    /// Session id.
    public var id: String
    /// Repository the upload is for.
    public var repositoryName: String
    /// Who opened it (`user:12`, `robot:3`, `ip:10.1.2.3`).
    public var owner: String
    /// Initial hash state.
    public var hashState: [UInt8]
    /// Most sessions one owner may have open (nil: no limit).
    public var ownerLimit: Int?
    /// Most sessions one project may have open (nil: no limit).
    public var projectLimit: Int?

    /// Creates the description of a session.
    public init(id: String, repositoryName: String, owner: String, hashState: [UInt8], ownerLimit: Int?, projectLimit: Int?) {
        self.id = id
        self.repositoryName = repositoryName
        self.owner = owner
        self.hashState = hashState
        self.ownerLimit = ownerLimit
        self.projectLimit = projectLimit
    }
}

/// Whether a session was opened.
public enum UploadCreation: Sendable, Equatable {
    /// Opened.
    case created
    /// The owner has `limit` sessions open already.
    case ownerLimitReached(limit: Int)
    /// The project has `limit` sessions open already.
    case projectLimitReached(limit: Int)
}

/// The outcome of trying to take an upload session for writing.
public enum UploadLease: Sendable, Equatable {
    /// Taken; the session's state is as recorded.
    case acquired(UploadRecord)
    /// Another request is writing to the session right now.
    case busy
    /// No such session in this repository.
    case unknown
}
