import Auth
import Foundation
import Metadata
import OCI
import Registry

/// Repositories, artifacts and tags in the management API.
public struct RepositoryService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// A project's repositories.
    public func list(project projectName: String, query: ListQuery, _ caller: Caller) async throws -> ListPage<RepositoryView> {
        let project = try await env.readableProject(projectName, isName: true, caller, requiring: Permission(.repository, .list))
        let page = try await env.artifacts.repositories(project: project.name, query)
        return ListPage(items: page.items.map(Self.view), total: page.total)
    }

    /// Every repository the caller may see (`GET /repositories`): all of them for administrators, else those of public
    /// projects and of projects the caller belongs to.
    public func listAll(query: ListQuery, _ caller: Caller) async throws -> ListPage<RepositoryView> {
        let visibility = env.policy.visibility(of: caller.principal)
        let projects: [String]? = visibility == .all ? nil : try await env.access.projectNames(visibility: visibility)
        let page = try await env.artifacts.repositories(inProjects: projects, query)
        return ListPage(items: page.items.map(Self.view), total: page.total)
    }

    /// One repository (`name` is the part after the project).
    public func get(project projectName: String, name: String, _ caller: Caller) async throws -> RepositoryView {
        let (_, info) = try await repository(projectName, name, Permission(.repository, .read), caller)
        return Self.view(info)
    }

    /// Changes a repository's description.
    public func update(project projectName: String, name: String, _ request: RepositoryUpdateRequest, _ caller: Caller) async throws {
        let (project, info) = try await repository(projectName, name, Permission(.repository, .update), caller)
        guard let description = request.description else { throw APIError.badRequest("description is required") }
        try await env.manifests.updateDescription(of: try RepositoryName(info.name), to: description)
        await env.recordChange(caller, "update", "repository", info.name, projectID: project.id)
    }

    /// Deletes a repository with all its artifacts and tags.
    public func delete(project projectName: String, name: String, _ caller: Caller) async throws {
        let (_, info) = try await repository(projectName, name, Permission(.repository, .delete), caller)
        do {
            try await env.manifests.deleteRepository(try RepositoryName(info.name), by: caller.change)
        } catch let error as DistributionError where error.code == .nameUnknown {
            throw APIError.notFound("repository \(info.name)")
        }
    }

    /// A repository's artifacts, newest first.
    public func artifacts(project projectName: String, repository name: String, query: ListQuery, withScanOverview: Bool = false,
                          withSBOMOverview: Bool = false, _ caller: Caller) async throws -> ListPage<ArtifactView> {
        let (project, info) = try await repository(projectName, name, Permission(.artifact, .list), caller)
        let page = try await env.artifacts.artifacts(repositoryID: info.id, query)
        var views: [ArtifactView] = []
        let immutable = try await immutableTags(info)
        let labels = try await LabelService(env).labels(repositoryID: info.id, digests: page.items.map(\.manifest.digest.description))
        for artifact in page.items { views.append(await view(artifact, project, info, immutable, labels: labels[artifact.manifest.digest.description] ?? [])) }
        if withScanOverview { try await addScanOverviews(&views, project, caller) }
        if withSBOMOverview { try await addSBOMOverviews(&views, project, caller) }
        return ListPage(items: views, total: page.total)
    }

    /// One artifact by tag or digest.
    public func artifact(project projectName: String, repository name: String, reference: String, withScanOverview: Bool = false,
                         withSBOMOverview: Bool = false, _ caller: Caller) async throws -> ArtifactView {
        let (project, info, artifact) = try await resolve(projectName, name, reference, Permission(.artifact, .read), caller)
        let labels = try await LabelService(env).labels(repositoryID: info.id, digests: [artifact.manifest.digest.description])
        var views = [await view(artifact, project, info, try await immutableTags(info), labels: labels[artifact.manifest.digest.description] ?? [])]
        if withScanOverview { try await addScanOverviews(&views, project, caller) }
        if withSBOMOverview { try await addSBOMOverviews(&views, project, caller) }
        return views[0]
    }

    /// Adds each image's SBOM overview (Harbor's `with_sbom_overview`), for callers who may read scans.
    private func addSBOMOverviews(_ views: inout [ArtifactView], _ project: ProjectRecord, _ caller: Caller) async throws {
        guard try await env.policy.allows(caller.principal, Permission(.scan, .read), in: project) else { return }
        let overviews = try await ScanService(env).sbomOverviews(views.filter { $0.type == "IMAGE" }.map(\.digest))
        for index in views.indices where views[index].type == "IMAGE" { views[index].sbomOverview = overviews[views[index].digest] }
    }

    /// Adds each image's scan overview (Harbor's `with_scan_overview`), for callers who may read scans.
    private func addScanOverviews(_ views: inout [ArtifactView], _ project: ProjectRecord, _ caller: Caller) async throws {
        guard try await env.policy.allows(caller.principal, Permission(.scan, .read), in: project) else { return }
        let overviews = try await ScanService(env).overviews(views.filter { $0.type == "IMAGE" }.map(\.digest))
        for index in views.indices where views[index].type == "IMAGE" {
            views[index].scanOverview = overviews[views[index].digest] ?? [:]
        }
    }

    /// An addition of an artifact; only `build_history` (an image's history) exists.
    public func addition(project projectName: String, repository name: String, reference: String, addition: String,
                         _ caller: Caller) async throws -> Data {
        if addition == "vulnerabilities" {
            return try await ScanService(env).vulnerabilities(project: projectName, repository: name, reference: reference, caller)
        }
        let (_, _, artifact) = try await resolve(projectName, name, reference, Permission(.artifact, .read), caller)
        guard addition == "build_history" else { throw APIError.notFound("addition \(addition.prefix(40)) of this artifact") }
        guard let history = try await ArtifactInspector(env).buildHistory(of: artifact.manifest) else {
            throw APIError.notFound("build history of \(artifact.manifest.digest)")
        }
        return history
    }

    /// An artifact with what its page shows beyond Harbor's view — the image's build history and the manifest's
    /// layers — from one lookup and one permission check.
    public func artifactDetails(project projectName: String, repository name: String, reference: String, _ caller: Caller) async throws -> ArtifactDetails {
        let (project, info, artifact) = try await resolve(projectName, name, reference, Permission(.artifact, .read), caller)
        // The manifest and config are read once here; the view then finds the details kept by digest.
        let contents = await ArtifactInspector(env).contents(of: artifact.manifest)
        let referrers = try await env.registry.referrers(of: artifact.manifest.digest, repositoryID: info.id, artifactType: nil, limit: 500).map { record in
            ReferrerView(digest: record.digest.description, artifactType: record.artifactType ?? record.mediaType, size: record.size,
                         annotations: record.annotations ?? [:])
        }
        let labels = try await LabelService(env).labels(repositoryID: info.id, digests: [artifact.manifest.digest.description])
        return ArtifactDetails(view: await view(artifact, project, info, try await immutableTags(info), labels: labels[artifact.manifest.digest.description] ?? []),
                               buildHistory: contents.buildHistory, layers: contents.layers, referrers: referrers)
    }

    /// Copies an artifact (`from`: `project/repository:tag` or `project/repository@digest`) into this repository. The
    /// caller must be able to pull the source and push here; tags of the source artifact come along.
    public func copy(into projectName: String, repository name: String, from source: String, _ caller: Caller) async throws -> Digest {
        let target = try await env.readableProject(projectName, isName: true, caller, requiring: Permission(.artifact, .create))
        guard let targetName = try? RepositoryName(target.name + "/" + name) else { throw APIError.badRequest("invalid repository name \(name.prefix(255))") }
        let (sourceName, reference) = try Self.parseFrom(source)
        guard let sourceProject = try await env.access.project(named: RepositoryRecord.projectName(of: sourceName.value)),
              try await env.policy.allows(caller.principal, Permission(.repository, .pull), in: sourceProject) else {
            // The same answer for a source that does not exist and one the caller may not read.
            throw APIError.notFound("artifact \(source.prefix(300))")
        }
        let digest: Digest
        do {
            var change = caller.change
            change.copiedFrom = String(source.prefix(300))
            digest = try await env.copier.copy(reference, from: sourceName, to: targetName, by: change)
        } catch let error as DistributionError where error.code == .manifestUnknown || error.code == .nameUnknown {
            throw APIError.notFound("artifact \(source.prefix(300))")
        }
        return digest
    }

    /// `project/repository:tag` or `project/repository@digest`.
    static func parseFrom(_ text: String) throws -> (RepositoryName, Reference) {
        let name: Substring, reference: Reference
        if let at = text.lastIndex(of: "@") {
            name = text[..<at]
            guard let digest = try? Digest(parsing: text[text.index(after: at)...]) else { throw APIError.badRequest("from has an invalid digest") }
            reference = .digest(digest)
        } else if let colon = text.lastIndex(of: ":"), !text[colon...].contains("/") {
            name = text[..<colon]
            guard let tag = try? Tag(text[text.index(after: colon)...]) else { throw APIError.badRequest("from has an invalid tag") }
            reference = .tag(tag)
        } else {
            throw APIError.badRequest("from must be project/repository:tag or project/repository@digest")
        }
        guard let repository = try? RepositoryName(name), !RepositoryRecord.projectName(of: repository.value).isEmpty else {
            throw APIError.badRequest("from must start with project/repository")
        }
        return (repository, reference)
    }

    /// Deletes an artifact (its manifest and every tag on it).
    public func deleteArtifact(project projectName: String, repository name: String, reference: String, _ caller: Caller) async throws {
        let (_, info, artifact) = try await resolve(projectName, name, reference, Permission(.artifact, .delete), caller)
        try await env.manifests.delete(.digest(artifact.manifest.digest), in: try RepositoryName(info.name), by: caller.change)
    }

    /// The tags of an artifact.
    public func tags(project projectName: String, repository name: String, reference: String, _ caller: Caller) async throws -> [TagView] {
        let (_, info, artifact) = try await resolve(projectName, name, reference, Permission(.tag, .list), caller)
        return Self.tagViews(artifact, info, try await immutableTags(info))
    }

    /// Adds a tag to an artifact; 409 when the tag exists in the repository.
    public func addTag(project projectName: String, repository name: String, reference: String, _ request: TagRequest, _ caller: Caller) async throws {
        let (_, info, artifact) = try await resolve(projectName, name, reference, Permission(.tag, .create), caller)
        guard let text = request.name, let tag = try? Tag(text) else { throw APIError.badRequest("name must be a valid tag") }
        guard try await env.manifests.addTag(tag, to: artifact.manifest.digest, in: try RepositoryName(info.name), by: caller.change) else {
            throw APIError(.conflict, "tag \(tag) already exists in \(info.name)")
        }
    }

    /// Removes a tag from an artifact.
    public func deleteTag(project projectName: String, repository name: String, reference: String, tag text: String, _ caller: Caller) async throws {
        let (_, info, artifact) = try await resolve(projectName, name, reference, Permission(.tag, .delete), caller)
        guard artifact.tags.contains(where: { $0.name == text }), let tag = try? Tag(text) else {
            throw APIError.notFound("tag \(text.prefix(128)) on \(info.name)@\(artifact.manifest.digest)")
        }
        try await env.manifests.delete(.tag(tag), in: try RepositoryName(info.name), by: caller.change)
    }

    private func repository(_ projectName: String, _ name: String, _ permission: Permission, _ caller: Caller) async throws -> (ProjectRecord, RepositoryInfo) {
        let project = try await env.readableProject(projectName, isName: true, caller, requiring: permission)
        let full = project.name + "/" + name
        guard let info = try await env.artifacts.repositoryInfo(named: full) else { throw APIError.notFound("repository \(full.prefix(300))") }
        return (project, info)
    }

    func resolve(_ projectName: String, _ name: String, _ reference: String, _ permission: Permission,
                         _ caller: Caller) async throws -> (ProjectRecord, RepositoryInfo, ArtifactInfo) {
        let (project, info) = try await repository(projectName, name, permission, caller)
        let digest: Digest
        if let parsed = try? Digest(parsing: reference) {
            digest = parsed
        } else if let tag = try? Tag(reference), let record = try await env.registry.manifest(taggedAs: tag, repositoryID: info.id) {
            digest = record.digest
        } else {
            throw APIError.notFound("artifact \(info.name):\(reference.prefix(128))")
        }
        guard let artifact = try await env.artifacts.artifact(repositoryID: info.id, digest: digest) else {
            throw APIError.notFound("artifact \(info.name)@\(digest)")
        }
        return (project, info, artifact)
    }

    static func view(_ info: RepositoryInfo) -> RepositoryView {
        RepositoryView(id: info.id, projectId: info.projectID, name: info.name, description: info.description, artifactCount: info.artifactCount,
                       pullCount: info.pullCount, creationTime: APITime.string(info.createdAt), updateTime: APITime.string(info.updatedAt))
    }

    static func tagViews(_ artifact: ArtifactInfo, _ info: RepositoryInfo, _ immutable: TagGuard) -> [TagView] {
        artifact.tags.map {
            TagView(id: $0.id, repositoryId: info.id, artifactId: artifact.id, name: $0.name, pushTime: APITime.string($0.updatedAt),
                    pullTime: APITime.optional($0.pullTime), immutable: immutable.isImmutable($0.name))
        }
    }

    /// Which tags of the repository its project's immutability rules protect.
    private func immutableTags(_ info: RepositoryInfo) async throws -> TagGuard {
        try await env.manifests.immutableTags(in: try RepositoryName(info.name)).guarding(info.name)
    }

    /// The artifact as Harbor shows it, with what its manifest and image config say.
    func view(_ artifact: ArtifactInfo, _ project: ProjectRecord, _ info: RepositoryInfo, _ immutable: TagGuard,
              labels: [LabelView] = []) async -> ArtifactView {
        let manifest = artifact.manifest
        let isIndex = MediaType.indexTypes.contains(manifest.mediaType)
        let isImage = isIndex || manifest.artifactType.map { ArtifactInspector.imageConfigTypes.contains($0) } ?? true
        let details = await ArtifactInspector(env).details(of: manifest)
        var references: [ReferenceView]? = nil
        if isIndex {
            let ids = (try? await env.artifacts.artifactIDs(repositoryID: info.id, digests: details.children.map(\.digest))) ?? [:]
            references = details.children.map {
                ReferenceView(parentId: artifact.id, childId: ids[$0.digest], childDigest: $0.digest.description, platform: $0.platform,
                              annotations: $0.annotations, urls: $0.urls)
            }
        }
        var links: [String: AdditionLinkView]? = nil
        let repository = String(info.name.dropFirst(project.name.count + 1))
        let encoded = repository.replacingOccurrences(of: "/", with: "%252F")
        let additions = "/api/v2.0/projects/\(project.name)/repositories/\(encoded)/artifacts/\(manifest.digest)/additions/"
        if details.hasHistory {
            links = ["build_history": AdditionLinkView(absolute: false, href: additions + "build_history")]
        }
        if isImage {
            links = (links ?? [:]).merging(["vulnerabilities": AdditionLinkView(absolute: false, href: additions + "vulnerabilities")]) { a, _ in a }
        }
        return ArtifactView(
            id: artifact.id, type: isImage ? "IMAGE" : "UNKNOWN", mediaType: manifest.artifactType ?? manifest.mediaType,
            manifestMediaType: manifest.mediaType, artifactType: manifest.artifactType, projectId: project.id, repositoryId: info.id,
            repositoryName: info.name, digest: manifest.digest.description, size: artifact.totalSize,
            icon: isImage ? ArtifactIcons.image : ArtifactIcons.other, pushTime: APITime.string(artifact.pushedAt),
            pullTime: APITime.optional(artifact.pullTime), annotations: manifest.annotations,
            extraAttrs: details.extraAttrs ?? (isImage && !isIndex ? nil : .object([:])), additionLinks: links, references: references,
            tags: Self.tagViews(artifact, info, immutable), labels: labels)
    }
}
