import Metadata
import OCI

/// Tag lists, the catalog and the referrers index.
public struct ListingService: Sendable, BackendService {
    let backend: RegistryBackend

    /// Creates the service.
    public init(_ backend: RegistryBackend) { self.backend = backend }

    /// A page of tags in lexical order, starting after `last`.
    public func tags(of repository: RepositoryName, limit: Int?, last: String?) async throws -> Page {
        let repo = try await store.existingRepository(repository)
        let n = try pageSize(limit, default: configuration.maximumPageSize)
        guard n > 0 else { return Page(items: [], hasMore: false) }
        let rows = try await store.tags(repositoryID: repo.id, after: last, limit: n + 1)
        return Page(items: Array(rows.prefix(n)), hasMore: rows.count > n)
    }

    /// A page of repository names in order, starting after `last`; only repositories of `projects` when given.
    public func catalog(limit: Int?, last: String?, projects: [String]?) async throws -> Page {
        let n = try pageSize(limit, default: configuration.defaultCatalogPageSize)
        guard n > 0 else { return Page(items: [], hasMore: false) }
        let rows = try await store.repositoryNames(after: last, limit: n + 1, inProjects: projects)
        return Page(items: Array(rows.prefix(n)), hasMore: rows.count > n)
    }

    /// The referrers of `subject` as an OCI image index, optionally only of one artifact type.
    public func referrers(of subject: Digest, in repository: RepositoryName, artifactType: String?) async throws -> ImageIndex {
        guard let repo = try await store.repository(named: repository.value) else { return ImageIndex(manifests: []) }
        let records = try await store.referrers(of: subject, repositoryID: repo.id, artifactType: artifactType, limit: nil)
        return ImageIndex(manifests: records.map {
            Descriptor(mediaType: $0.mediaType, digest: $0.digest.description, size: $0.size,
                       artifactType: $0.artifactType, annotations: $0.annotations)
        })
    }

    private func pageSize(_ requested: Int?, default value: Int) throws(DistributionError) -> Int {
        guard let requested else { return value }
        guard requested >= 0 else { throw DistributionError(.paginationNumberInvalid, "n must be a non-negative integer") }
        return min(requested, configuration.maximumPageSize)
    }
}

/// One page of a listing.
public struct Page: Sendable, Equatable {
    /// The names on this page.
    public let items: [String]
    /// Whether more follow (a `Link` header is sent).
    public let hasMore: Bool
}
