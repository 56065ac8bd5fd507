import Foundation

/// What one replication task does, as stored with the task (JSON).
public struct ReplicationTaskSpec: Codable, Sendable, Equatable {
    /// The repository copied from.
    public var sourceRepository: String
    /// The repository copied to.
    public var destinationRepository: String
    /// The artifact's digest.
    public var digest: String
    /// The tags to set at the destination (or, for a deletion, the tags it had).
    public var tags: [String]

    /// A spec.
    public init(sourceRepository: String, destinationRepository: String, digest: String, tags: [String]) {
        self.sourceRepository = sourceRepository
        self.destinationRepository = destinationRepository
        self.digest = digest
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey {
        case sourceRepository = "src_repository", destinationRepository = "dst_repository", digest, tags
    }

    /// The JSON text stored.
    public var json: String { (try? JSONEncoder().encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}" }

    /// How a resource reads in Harbor's task list: `library/app:[v1,v2]` or `library/app@sha256:…`.
    static func resource(_ repository: String, digest: String, tags: [String]) -> String {
        tags.isEmpty ? "\(repository)@\(digest)" : "\(repository):[\(tags.joined(separator: ","))]"
    }
}

/// Where a task's blob upload stood when it was last recorded, so a later attempt continues it.
struct ReplicationResume: Codable, Sendable, Equatable {
    /// The blob being sent.
    var digest: String
    /// The destination's upload session.
    var repository: String
    /// Its location.
    var location: String
}
