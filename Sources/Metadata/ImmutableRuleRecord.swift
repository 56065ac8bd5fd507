import OCI

/// A project's tag immutability rule (Harbor's `ImmutableRule`): tags it matches in the repositories it matches may
/// not be moved to another manifest or deleted, nor may the artifacts they point to.
public struct ImmutableRuleRecord: Sendable, Equatable {
    /// Database id.
    public var id: Int64
    /// The project it belongs to.
    public var projectID: Int64
    /// Harbor's rule priority (kept and shown; every enabled rule applies).
    public var priority: Int
    /// A disabled rule protects nothing.
    public var disabled: Bool
    /// `repoMatches` or `repoExcludes`.
    public var repositoryDecoration: String
    /// Doublestar pattern over the repository name without its project.
    public var repositoryPattern: String
    /// `matches` or `excludes`.
    public var tagDecoration: String
    /// Doublestar pattern over the tag.
    public var tagPattern: String
    /// Milliseconds since 1970.
    public var createdAt: Int64
    /// Milliseconds since 1970.
    public var updatedAt: Int64

    /// Creates a record.
    public init(id: Int64 = 0, projectID: Int64, priority: Int, disabled: Bool, repositoryDecoration: String, repositoryPattern: String,
                tagDecoration: String, tagPattern: String, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.projectID = projectID
        self.priority = priority
        self.disabled = disabled
        self.repositoryDecoration = repositoryDecoration
        self.repositoryPattern = repositoryPattern
        self.tagDecoration = tagDecoration
        self.tagPattern = tagPattern
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Which tags of one repository may neither move to another manifest nor go, decided by the caller from its project's
/// immutability rules; the store applies it inside the change's transaction.
public struct TagGuard: Sendable {
    let protects: @Sendable (String) -> Bool
    /// The repository it was made for (for the refusal's message).
    public let repository: String

    /// A guard that protects the tags `protects` says yes to.
    public init(repository: String, protects: @escaping @Sendable (String) -> Bool) {
        self.repository = repository
        self.protects = protects
    }

    /// Protects nothing.
    public static let none = TagGuard(repository: "") { _ in false }

    /// Whether `tag` is immutable.
    public func isImmutable(_ tag: String) -> Bool { protects(tag) }

    /// Throws the refusal (ending in `consequence`) for the first immutable tag of `tags`.
    public func check(_ tags: [String], _ consequence: String) throws {
        if let tag = tags.first(where: protects) { throw Self.refusal(repository: repository, tag: tag, consequence) }
    }

    /// The `/v2` and API error for a change an immutable tag forbids (`consequence`: "so it cannot be deleted", …).
    public static func refusal(repository: String, tag: String, _ consequence: String) -> DistributionError {
        DistributionError(.tagImmutable, "\(repository):\(tag) is immutable (a tag immutability rule of its project matches it), \(consequence)")
    }
}
