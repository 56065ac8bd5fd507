import Auth
import Metadata

/// A project's tag immutability rules (Harbor's `/projects/{p}/immutabletagrules`). Maintainers and project admins
/// list, add, change, enable, disable and delete them; the registry's one write path enforces them.
public struct ImmutableTagService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// The project's rules.
    public func list(_ nameOrID: String, isName: Bool, query: ListQuery, _ caller: Caller) async throws -> ListPage<ImmutableRuleView> {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.immutableTag, .list))
        let page = try await store().rules(projectID: project.id, query)
        return ListPage(items: page.items.map(Self.view), total: page.total)
    }

    /// Adds a rule; returns its id.
    public func create(_ nameOrID: String, isName: Bool, _ request: ImmutableRuleRequest, _ caller: Caller) async throws -> Int64 {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.immutableTag, .create))
        let valid = try ImmutableRuleRules.validate(request, existing: nil)
        let now = Clock.nowMilliseconds()
        let record = ImmutableRuleRecord(projectID: project.id, priority: valid.priority, disabled: valid.disabled,
                                         repositoryDecoration: valid.repositoryDecoration, repositoryPattern: valid.repositoryPattern,
                                         tagDecoration: valid.tagDecoration, tagPattern: valid.tagPattern, createdAt: now, updatedAt: now)
        let created = try await Self.mapped { try await store().create(record) }
        await env.recordChange(caller, "create", "immutable_rule", Self.describe(created), projectID: project.id)
        return created.id
    }

    /// Changes a rule, or only enables or disables it (fields the request leaves out keep their values).
    public func update(_ nameOrID: String, isName: Bool, id: Int64, _ request: ImmutableRuleRequest, _ caller: Caller) async throws {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.immutableTag, .update))
        var record = try await rule(id, in: project)
        let valid = try ImmutableRuleRules.validate(request, existing: record)
        record.priority = valid.priority
        record.disabled = valid.disabled
        record.repositoryDecoration = valid.repositoryDecoration
        record.repositoryPattern = valid.repositoryPattern
        record.tagDecoration = valid.tagDecoration
        record.tagPattern = valid.tagPattern
        record.updatedAt = Clock.nowMilliseconds()
        let changed = record
        guard try await Self.mapped({ try await store().update(changed) }) else { throw APIError.notFound("immutable rule \(id)") }
        await env.recordChange(caller, "update", "immutable_rule", Self.describe(record), projectID: project.id)
    }

    /// Deletes a rule.
    public func delete(_ nameOrID: String, isName: Bool, id: Int64, _ caller: Caller) async throws {
        let project = try await env.readableProject(nameOrID, isName: isName, caller, requiring: Permission(.immutableTag, .delete))
        let record = try await rule(id, in: project)
        guard try await store().delete(id: id, projectID: project.id) else { throw APIError.notFound("immutable rule \(id)") }
        await env.recordChange(caller, "delete", "immutable_rule", Self.describe(record), projectID: project.id)
    }

    private func rule(_ id: Int64, in project: ProjectRecord) async throws -> ImmutableRuleRecord {
        guard let record = try await store().rule(id: id, projectID: project.id) else { throw APIError.notFound("immutable rule \(id)") }
        return record
    }

    private func store() throws -> SQLImmutableRuleStore {
        guard let store = env.immutableRules else { throw APIError(.unavailable, "tag immutability is not available on this server") }
        return store
    }

    /// The store's refusals as API errors: a duplicate rule is a 409, one rule too many a 400.
    static func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let conflict as MetadataConflict {
            throw APIError(.conflict, conflict.description)
        } catch let limit as MetadataLimit {
            throw APIError.badRequest(limit.description)
        }
    }

    /// How the audit log names a rule: `repositories repoMatches ** / tags matches v*`.
    static func describe(_ rule: ImmutableRuleRecord) -> String {
        "repositories \(rule.repositoryDecoration) \(rule.repositoryPattern.prefix(200)), tags \(rule.tagDecoration) \(rule.tagPattern.prefix(200))"
    }

    static func view(_ rule: ImmutableRuleRecord) -> ImmutableRuleView {
        ImmutableRuleView(
            id: rule.id, priority: rule.priority, disabled: rule.disabled, action: "immutable", template: "immutable_template", params: [:],
            tagSelectors: [HarborSelectorView(kind: "doublestar", decoration: rule.tagDecoration, pattern: rule.tagPattern, extras: "")],
            scopeSelectors: ["repository": [HarborSelectorView(kind: "doublestar", decoration: rule.repositoryDecoration,
                                                                  pattern: rule.repositoryPattern, extras: "")]])
    }
}
