import Auth
import Foundation
import Metadata
import OCI

/// Repositories, artifacts and tags in the management API.
public struct RepositoryService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// A project's repositories.
    public func list(project projectName: String, query: ListQuery, _ caller: Caller) async throws -> ListPage<RepositoryView> {
        let project = try await env.readableProject(projectName, isName: true, caller, requiring: Permission(.repository, .list))
        let page = try await env.artifacts.repositories(project: project.name, query)
        return ListPage(items: page.items.map { Self.view($0, project) }, total: page.total)
    }

    /// One repository (`name` is the part after the project).
    public func get(project projectName: String, name: String, _ caller: Caller) async throws -> RepositoryView {
        let (project, info) = try await repository(projectName, name, Permission(.repository, .read), caller)
        return Self.view(info, project)
    }

    /// Changes a repository's description.
    public func update(project projectName: String, name: String, _ request: RepositoryUpdateRequest, _ caller: Caller) async throws {
        let (project, info) = try await repository(projectName, name, Permission(.repository, .update), caller)
        guard let description = request.description else { throw APIError.badRequest("description is required") }
        _ = try await env.artifacts.updateRepositoryDescription(named: info.name, description: description, now: Clock.nowMilliseconds())
        await env.recordChange(caller, "update", "repository", info.name, projectID: project.id)
    }

    /// Deletes a repository with all its artifacts and tags.
    public func delete(project projectName: String, name: String, _ caller: Caller) async throws {
        let (project, info) = try await repository(projectName, name, Permission(.repository, .delete), caller)
        guard try await env.artifacts.deleteRepository(named: info.name) else { throw APIError.notFound("repository \(info.name)") }
        await env.recordChange(caller, "delete", "repository", info.name, projectID: project.id)
    }

    /// A repository's artifacts, newest first.
    public func artifacts(project projectName: String, repository name: String, query: ListQuery, _ caller: Caller) async throws -> ListPage<ArtifactView> {
        let (project, info) = try await repository(projectName, name, Permission(.artifact, .list), caller)
        let page = try await env.artifacts.artifacts(repositoryID: info.id, query)
        return ListPage(items: page.items.map { Self.view($0, project, info) }, total: page.total)
    }

    /// One artifact by tag or digest.
    public func artifact(project projectName: String, repository name: String, reference: String, _ caller: Caller) async throws -> ArtifactView {
        let (project, info, artifact) = try await resolve(projectName, name, reference, Permission(.artifact, .read), caller)
        return Self.view(artifact, project, info)
    }

    /// Deletes an artifact (its manifest and every tag on it).
    public func deleteArtifact(project projectName: String, repository name: String, reference: String, _ caller: Caller) async throws {
        let (project, info, artifact) = try await resolve(projectName, name, reference, Permission(.artifact, .delete), caller)
        try await env.manifests.delete(.digest(artifact.manifest.digest), in: try RepositoryName(info.name))
        await env.recordChange(caller, "delete", "artifact", "\(info.name)@\(artifact.manifest.digest)", projectID: project.id)
    }

    /// The tags of an artifact.
    public func tags(project projectName: String, repository name: String, reference: String, _ caller: Caller) async throws -> [TagView] {
        let (project, info, artifact) = try await resolve(projectName, name, reference, Permission(.tag, .list), caller)
        return Self.view(artifact, project, info).tags
    }

    /// Adds a tag to an artifact; 409 when the tag exists in the repository.
    public func addTag(project projectName: String, repository name: String, reference: String, _ request: TagRequest, _ caller: Caller) async throws {
        let (project, info, artifact) = try await resolve(projectName, name, reference, Permission(.tag, .create), caller)
        guard let text = request.name, let tag = try? Tag(text) else { throw APIError.badRequest("name must be a valid tag") }
        guard try await env.artifacts.createTag(tag, digest: artifact.manifest.digest, repositoryID: info.id, now: Clock.nowMilliseconds()) else {
            throw APIError(.conflict, "tag \(tag) already exists in \(info.name)")
        }
        await env.recordChange(caller, "create", "tag", "\(info.name):\(tag)", projectID: project.id)
    }

    /// Removes a tag from an artifact.
    public func deleteTag(project projectName: String, repository name: String, reference: String, tag text: String, _ caller: Caller) async throws {
        let (project, info, artifact) = try await resolve(projectName, name, reference, Permission(.tag, .delete), caller)
        guard artifact.tags.contains(where: { $0.name == text }), let tag = try? Tag(text) else {
            throw APIError.notFound("tag \(text.prefix(128)) on \(info.name)@\(artifact.manifest.digest)")
        }
        try await env.manifests.delete(.tag(tag), in: try RepositoryName(info.name))
        await env.recordChange(caller, "delete", "tag", "\(info.name):\(tag)", projectID: project.id)
    }

    private func repository(_ projectName: String, _ name: String, _ permission: Permission, _ caller: Caller) async throws -> (ProjectRecord, RepositoryInfo) {
        let project = try await env.readableProject(projectName, isName: true, caller, requiring: permission)
        let full = project.name + "/" + name
        guard let info = try await env.artifacts.repositoryInfo(named: full) else { throw APIError.notFound("repository \(full.prefix(300))") }
        return (project, info)
    }

    private func resolve(_ projectName: String, _ name: String, _ reference: String, _ permission: Permission,
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

    static func view(_ info: RepositoryInfo, _ project: ProjectRecord) -> RepositoryView {
        RepositoryView(id: info.id, projectId: project.id, name: info.name, description: info.description, artifactCount: info.artifactCount,
                       creationTime: APITime.string(info.createdAt), updateTime: APITime.string(info.updatedAt))
    }

    static let imageConfigTypes: Set<String> = [
        "application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json",
    ]

    static func view(_ artifact: ArtifactInfo, _ project: ProjectRecord, _ info: RepositoryInfo) -> ArtifactView {
        let manifest = artifact.manifest
        let isIndex = manifest.mediaType == MediaType.ociIndex || manifest.mediaType == MediaType.dockerManifestList
        let isImage = isIndex || manifest.artifactType.map { imageConfigTypes.contains($0) } ?? true
        return ArtifactView(
            id: artifact.id, type: isImage ? "IMAGE" : "UNKNOWN", mediaType: manifest.artifactType ?? manifest.mediaType,
            manifestMediaType: manifest.mediaType, artifactType: manifest.artifactType, projectId: project.id, repositoryId: info.id,
            repositoryName: info.name, digest: manifest.digest.description, size: artifact.totalSize, pushTime: APITime.string(artifact.pushedAt),
            annotations: manifest.annotations,
            tags: artifact.tags.map { TagView(repositoryId: info.id, artifactId: artifact.id, name: $0.name, pushTime: APITime.string($0.updatedAt), immutable: false) },
            labels: [])
    }
}
