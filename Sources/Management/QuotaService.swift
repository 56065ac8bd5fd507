import APIInput
import Auth
import Foundation
import Metadata

/// Harbor's `Quota`: a project's storage limit and usage (`hard.storage`, `used.storage`, bytes; -1 for no limit).
public struct QuotaView: Encodable, Sendable {
    /// The project a quota belongs to.
    public struct Reference: Encodable, Sendable {
        /// The project's id.
        public let id: Int64
        /// The project's name.
        public let name: String
        /// Its owner's user name.
        public let ownerName: String
        enum CodingKeys: String, CodingKey { case id, name, ownerName = "owner_name" }
    }
    /// Bytes of storage.
    public struct Storage: Codable, Sendable {
        /// The value.
        public let storage: Int64
    }
    /// Its id.
    public let id: Int64
    /// Its project.
    public let ref: Reference
    /// The limit.
    public let hard: Storage
    /// The usage.
    public let used: Storage
    /// When it was made.
    public let creationTime: String
    /// When it last changed.
    public let updateTime: String

    enum CodingKeys: String, CodingKey { case id, ref, hard, used, creationTime = "creation_time", updateTime = "update_time" }
}

/// Harbor's `QuotaUpdateReq`: `{"hard": {"storage": N}}`.
public struct QuotaUpdateRequest: Decodable, Sendable {
    struct Hard: Decodable, Sendable { var storage: Int64? }
    var hard: Hard?

    /// A request setting the storage limit (bytes, -1 for none), as the portal's form makes it.
    public init(storage: Int64) { hard = Hard(storage: storage) }
}

/// Project quotas (`/api/v2.0/quotas`): system administrators list them, read one and change its storage limit.
/// Usage is kept by the registry's own transactions; it is never set through here.
public struct QuotaService: Sendable {
    let env: ManagementEnvironment

    /// The service over `env`.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// The largest limit accepted (8 EiB would overflow the arithmetic of usage plus a blob).
    public static let maximumLimit: Int64 = 1 << 60

    func store() throws -> SQLQuotaStore {
        guard let quotas = env.quotas else { throw APIError(.unavailable, "quotas are not available on this server") }
        return quotas
    }

    /// A page of quotas, of one project when `reference` is `project` and `referenceID` its id.
    public func list(reference: String?, referenceID: String?, page: Int, pageSize: Int, _ caller: Caller) async throws -> ListPage<QuotaView> {
        try env.requireSystem(Permission(.quota, .list), caller)
        var projectID: Int64? = nil
        if let reference, !reference.isEmpty {
            guard reference == "project" else { throw APIError.badRequest("reference must be project") }
        }
        if let referenceID, !referenceID.isEmpty {
            guard referenceID.count <= 18, let id = Int64(referenceID), id > 0 else { throw APIError.badRequest("reference_id must be a project id") }
            projectID = id
        }
        let found = try await store().quotas(projectID: projectID, offset: (page - 1) * pageSize, limit: pageSize)
        return ListPage(items: found.items.map(view), total: found.total)
    }

    /// One quota.
    public func get(_ id: Int64, _ caller: Caller) async throws -> QuotaView {
        try env.requireSystem(Permission(.quota, .read), caller)
        guard let record = try await store().quota(id: id) else { throw APIError.notFound("quota \(id)") }
        return view(record)
    }

    /// Changes a quota's storage limit.
    public func update(_ id: Int64, _ request: QuotaUpdateRequest, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.quota, .update), caller)
        guard let limit = request.hard?.storage else { throw APIError.badRequest("hard.storage is required") }
        guard limit == -1 || (limit >= 0 && limit <= Self.maximumLimit) else {
            throw APIError.badRequest("hard.storage must be -1 (no limit) or a number of bytes up to \(Self.maximumLimit)")
        }
        let store = try store()
        guard let record = try await store.quota(id: id) else { throw APIError.notFound("quota \(id)") }
        guard try await store.setLimit(id: id, to: limit, now: Clock.nowMilliseconds()) else { throw APIError.notFound("quota \(id)") }
        await env.recordChange(caller, "update", "quota", record.projectName, projectID: record.projectID == 0 ? nil : record.projectID)
    }

    /// A project's quota, for those who may read the project (its summary).
    public func ofProject(_ nameOrID: String, isName: Bool, _ caller: Caller) async throws -> QuotaView? {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.project, .read))
        return try await store().quota(project: project.name).map(view)
    }

    func view(_ record: QuotaRecord) -> QuotaView {
        QuotaView(id: record.id, ref: .init(id: record.projectID, name: record.projectName, ownerName: record.ownerName),
                  hard: .init(storage: record.hardLimit), used: .init(storage: record.used),
                  creationTime: APITime.string(record.createdAt), updateTime: APITime.string(record.updatedAt))
    }
}
