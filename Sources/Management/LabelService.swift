import Auth
import Foundation
import Metadata
import OCI

/// A label as Harbor's API sends it.
public struct LabelRequest: Decodable, Sendable {
    var name: String?
    var description: String?
    var color: String?
    var scope: String?
    var projectId: Int64?

    /// A global label (`projectID` nil) or a label of one project.
    public init(name: String, description: String, color: String, projectID: Int64?) {
        self.name = name
        self.description = description
        self.color = color
        scope = projectID == nil ? "g" : "p"
        projectId = projectID
    }
}

/// `POST …/artifacts/{reference}/labels`: the label to add (`{"id": N}`).
public struct ArtifactLabelRequest: Decodable, Sendable {
    var id: Int64?

    /// The label with this id.
    public init(id: Int64) { self.id = id }
}

/// A label as Harbor's API shows it.
public struct LabelView: Codable, Sendable, Equatable {
    /// The label's id.
    public internal(set) var id: Int64
    /// Its name.
    public internal(set) var name: String
    /// What it means.
    public internal(set) var description: String
    /// Its colour.
    public internal(set) var color: String
    /// `g` (global) or `p` (project).
    public internal(set) var scope: String
    /// The project of a project label, 0 for a global one.
    public internal(set) var projectId: Int64
    /// When it was created.
    public internal(set) var creationTime: String
    /// When it last changed.
    public internal(set) var updateTime: String
}

/// Harbor's labels (`/labels`) and labels on artifacts: system administrators manage global labels, maintainers and
/// project admins their project's; developers put labels on artifacts and take them off.
public struct LabelService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// Global labels (`scope=g`) or a project's (`scope=p&project_id=N`), optionally by name (fuzzy).
    public func list(scope: String?, projectID: Int64?, name: String?, query: ListQuery, _ caller: Caller) async throws -> ListPage<LabelView> {
        var query = query
        if let name, !name.isEmpty { query.filters.append(ListQuery.Filter(key: "name", match: .fuzzy(String(name.prefix(128))))) }
        switch scope ?? "g" {
        case "g":
            guard caller.principal.isAuthenticated else { throw env.denial(caller) }
            let page = try await store().labels(projectID: nil, query)
            return ListPage(items: page.items.map(Self.view), total: page.total)
        case "p":
            guard let projectID else { throw APIError.badRequest("project_id is required for project labels") }
            let project = try await env.readableProject(String(projectID), isName: false, caller, requiring: Permission(.label, .list))
            let page = try await store().labels(projectID: project.id, query)
            return ListPage(items: page.items.map(Self.view), total: page.total)
        default:
            throw APIError.badRequest("scope must be g (global) or p (project)")
        }
    }

    /// Throws unless the caller manages global labels (system administrators).
    public func requireGlobalManager(_ caller: Caller) throws {
        try env.requireSystem(Permission(.label, .create), caller)
    }

    /// Creates a label; returns its id.
    public func create(_ request: LabelRequest, _ caller: Caller) async throws -> Int64 {
        let (name, description, color) = try Self.checked(request, existing: nil)
        var projectID: Int64? = nil
        switch request.scope ?? "g" {
        case "g": try env.requireSystem(Permission(.label, .create), caller)
        case "p":
            guard let id = request.projectId else { throw APIError.badRequest("project_id is required for a project label") }
            projectID = try await env.readableProject(String(id), isName: false, caller, requiring: Permission(.label, .create)).id
        default: throw APIError.badRequest("scope must be g (global) or p (project)")
        }
        let now = Clock.nowMilliseconds()
        let created: LabelRecord
        do {
            created = try await store().create(LabelRecord(projectID: projectID, name: name, description: description, color: color, createdAt: now,
                                                           updatedAt: now))
        } catch let conflict as MetadataConflict {
            throw APIError(.conflict, conflict.description)
        }
        await env.recordChange(caller, "create", "label", name, projectID: projectID)
        return created.id
    }

    /// One label.
    public func get(_ id: Int64, _ caller: Caller) async throws -> LabelView {
        Self.view(try await label(id, caller, .read))
    }

    /// Changes a label's name, description or colour.
    public func update(_ id: Int64, _ request: LabelRequest, _ caller: Caller) async throws {
        var record = try await label(id, caller, .update)
        (record.name, record.description, record.color) = try Self.checked(request, existing: record)
        record.updatedAt = Clock.nowMilliseconds()
        let changed = record
        do {
            guard try await store().update(changed) else { throw APIError.notFound("label \(id)") }
        } catch let conflict as MetadataConflict {
            throw APIError(.conflict, conflict.description)
        }
        await env.recordChange(caller, "update", "label", record.name, projectID: record.projectID)
    }

    /// Deletes a label, taking it off every artifact.
    public func delete(_ id: Int64, _ caller: Caller) async throws {
        let record = try await label(id, caller, .delete)
        guard try await store().delete(id: id) else { throw APIError.notFound("label \(id)") }
        await env.recordChange(caller, "delete", "label", record.name, projectID: record.projectID)
    }

    /// Puts a label (global, or of the artifact's project) on an artifact.
    public func attach(project: String, repository: String, reference: String, _ request: ArtifactLabelRequest, _ caller: Caller) async throws {
        let (projectRecord, info, artifact) = try await RepositoryService(env).resolve(project, repository, reference, Permission(.artifactLabel, .create), caller)
        guard let labelID = request.id, let label = try await store().label(id: labelID) else { throw APIError.notFound("label \(request.id ?? 0)") }
        guard label.projectID == nil || label.projectID == projectRecord.id else {
            throw APIError.badRequest("label \(label.name) belongs to another project")
        }
        guard try await store().attach(labelID: labelID, repositoryID: info.id, digest: artifact.manifest.digest.description,
                                       now: Clock.nowMilliseconds()) else {
            throw APIError(.conflict, "the artifact has label \(label.name) already")
        }
        await env.recordChange(caller, "create", "artifact_label", "\(info.name)@\(artifact.manifest.digest) \(label.name)", projectID: projectRecord.id)
    }

    /// Takes a label off an artifact.
    public func detach(project: String, repository: String, reference: String, labelID: Int64, _ caller: Caller) async throws {
        let (projectRecord, info, artifact) = try await RepositoryService(env).resolve(project, repository, reference, Permission(.artifactLabel, .delete), caller)
        guard try await store().detach(labelID: labelID, repositoryID: info.id, digest: artifact.manifest.digest.description) else {
            throw APIError.notFound("label \(labelID) on \(info.name)@\(artifact.manifest.digest)")
        }
        await env.recordChange(caller, "delete", "artifact_label", "\(info.name)@\(artifact.manifest.digest) \(labelID)", projectID: projectRecord.id)
    }

    /// The labels of a page of artifacts, by digest (none on a server built without labels).
    func labels(repositoryID: Int64, digests: [String]) async throws -> [String: [LabelView]] {
        guard let labels = env.labels else { return [:] }
        return try await labels.labels(repositoryID: repositoryID, digests: digests).mapValues { $0.map(Self.view) }
    }

    /// A label the caller may act on: global ones take a signed-in caller to read and a system permission to change;
    /// project ones the project permission.
    private func label(_ id: Int64, _ caller: Caller, _ action: Action) async throws -> LabelRecord {
        guard let record = try await store().label(id: id) else {
            throw caller.principal.isAuthenticated ? APIError.notFound("label \(id)") : env.denial(caller)
        }
        if let projectID = record.projectID {
            _ = try await env.readableProject(String(projectID), isName: false, caller, requiring: Permission(.label, action))
        } else if action == .read {
            guard caller.principal.isAuthenticated else { throw env.denial(caller) }
        } else {
            try env.requireSystem(Permission(.label, action), caller)
        }
        return record
    }

    /// Name (1–128 characters, no control characters), description (at most 1 KiB) and colour (`#RGB`/`#RRGGBB` or empty).
    static func checked(_ request: LabelRequest, existing: LabelRecord?) throws -> (String, String, String) {
        let name = (request.name ?? existing?.name ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 128, !name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw APIError.badRequest("name must be 1 to 128 characters without control characters")
        }
        let description = request.description ?? existing?.description ?? ""
        guard description.utf8.count <= 1024 else { throw APIError.badRequest("description is at most 1024 bytes") }
        let color = request.color ?? existing?.color ?? ""
        guard color.isEmpty || color.range(of: "^#([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$", options: .regularExpression) != nil else {
            throw APIError.badRequest("color must be #RGB or #RRGGBB")
        }
        return (name, description, color)
    }

    private func store() throws -> SQLLabelStore {
        guard let labels = env.labels else { throw APIError(.unavailable, "labels are not available on this server") }
        return labels
    }

    static func view(_ label: LabelRecord) -> LabelView {
        LabelView(id: label.id, name: label.name, description: label.description, color: label.color, scope: label.projectID == nil ? "g" : "p",
                  projectId: label.projectID ?? 0, creationTime: APITime.string(label.createdAt), updateTime: APITime.string(label.updatedAt))
    }
}
