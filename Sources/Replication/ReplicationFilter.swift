/// A replication policy's filters, as Harbor has them: repository name patterns, tag patterns that match or exclude,
/// and the resource type (images only, or every artifact). Labels are accepted and matched once Berth has labels.
public struct ReplicationFilters: Sendable, Equatable {
    /// The repository name must match this (nil: any).
    public var name: ReplicationPattern?
    /// A tag must match (or, when `excludeTags`, must not match) this (nil: any).
    public var tag: ReplicationPattern?
    /// Whether `tag` excludes instead of selecting.
    public var excludeTags: Bool
    /// `image` (container images only) or nil for every artifact.
    public var resource: String?
    /// A label filter asks for labels; Berth has none yet, so nothing is selected.
    public var requiresLabels = false

    /// Filters.
    public init(name: ReplicationPattern? = nil, tag: ReplicationPattern? = nil, excludeTags: Bool = false, resource: String? = nil) {
        self.name = name
        self.tag = tag
        self.excludeTags = excludeTags
        self.resource = resource
    }

    /// Whether the repository `name` is replicated.
    public func selects(repository: String) -> Bool { !requiresLabels && (name?.matches(repository) ?? true) }

    /// The tags of an artifact that are replicated; an untagged artifact is replicated only when no tag filter selects.
    public func selectedTags(_ tags: [String]) -> [String] {
        guard let tag else { return tags }
        return tags.filter { tag.matches($0) != excludeTags }
    }

    /// Whether an artifact with `tags` is replicated (by its remaining tags, or untagged when no tag pattern selects).
    public func selects(tags: [String], isImage: Bool) -> Bool {
        if requiresLabels { return false }
        if resource == "image", !isImage { return false }
        guard tag != nil else { return true }
        if tags.isEmpty { return excludeTags }
        return !selectedTags(tags).isEmpty
    }
}
