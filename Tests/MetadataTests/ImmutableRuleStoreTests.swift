import Foundation
@testable import Metadata
import OCI
import Testing

/// Tag immutability rules on SQLite and PostgreSQL: stored, listed, changed and deleted per project; duplicates and a
/// 16th rule refused; and the store's own refusals — an immutable tag is not moved by a push, and neither it, its
/// manifest nor its repository is deleted — leave everything as it was.
@Suite("Immutable rule store")
struct ImmutableRuleStoreTests {
    static func digest(_ text: String) -> Digest { Digest.compute(of: Array(text.utf8)) }

    static func rule(_ projectID: Int64, tags: String, disabled: Bool = false) -> ImmutableRuleRecord {
        ImmutableRuleRecord(projectID: projectID, priority: Int(Int32.max), disabled: disabled, repositoryDecoration: "repoMatches",
                            repositoryPattern: "**", tagDecoration: "matches", tagPattern: tags, createdAt: 1, updatedAt: 1)
    }

    @Test("rules per project: create, list, update, delete; a duplicate is a conflict; at most 15; only enabled rules of the named project apply",
          arguments: Backend.allCases)
    func rules(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let access = SQLAccessStore(provider: provider)
            let p = try await access.createProject(ProjectRecord(name: "p", ownerID: nil, metadata: [:], createdAt: 1, updatedAt: 1), ownerRole: nil)
            let q = try await access.createProject(ProjectRecord(name: "q", ownerID: nil, metadata: [:], createdAt: 1, updatedAt: 1), ownerRole: nil)
            let store = SQLImmutableRuleStore(provider: provider)
            let registry = SQLRegistryStore(provider: provider)
            let first = try await store.create(Self.rule(p.id, tags: "v*"))
            #expect(first.id > 0)
            _ = try await store.create(Self.rule(p.id, tags: "off", disabled: true))
            _ = try await store.create(Self.rule(q.id, tags: "v*"))
            await #expect(throws: MetadataConflict.self) { try await store.create(Self.rule(p.id, tags: "v*")) }
            #expect(try await store.rules(projectID: p.id, ListQuery()).total == 2)
            #expect(try await store.rule(id: first.id, projectID: q.id) == nil, "a rule is found only through its own project")
            #expect(try await registry.enabledImmutableRules(project: "p").map(\.tagPattern) == ["v*"])
            #expect(try await registry.enabledImmutableRules(project: "nowhere").isEmpty)

            var changed = first
            changed.tagPattern = "release-*"
            changed.priority = Int(Int32.min)
            #expect(try await store.update(changed))
            #expect(try await store.rule(id: first.id, projectID: p.id)?.tagPattern == "release-*")
            #expect(try await store.rule(id: first.id, projectID: p.id)?.priority == Int(Int32.min))
            changed.tagPattern = "off"
            changed.disabled = true
            await #expect(throws: MetadataConflict.self) { try await store.update(changed) }
            changed.projectID = q.id
            #expect(try await store.update(changed) == false, "another project's rule is not changed")

            for n in 3 ... 15 { _ = try await store.create(Self.rule(p.id, tags: "t\(n)")) }
            await #expect(throws: MetadataLimit.self) { try await store.create(Self.rule(p.id, tags: "t16")) }
            #expect(try await store.rules(projectID: p.id, ListQuery()).total == 15)
            #expect(try await store.delete(id: first.id, projectID: q.id) == false)
            #expect(try await store.delete(id: first.id, projectID: p.id))
            #expect(try await store.delete(id: first.id, projectID: p.id) == false)
        }
    }

    @Test("the store keeps an immutable tag where it points and refuses to delete it, its manifest or its repository, in the change's transaction",
          arguments: Backend.allCases)
    func guardedChanges(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let registry = SQLRegistryStore(provider: provider)
            let repository = try await registry.createRepository(named: "p/app", now: 1)
            let guarding = TagGuard(repository: "p/app") { $0.hasPrefix("v") }
            func manifest(_ text: String) -> ManifestRecord {
                ManifestRecord(digest: Self.digest(text), mediaType: "application/vnd.oci.image.manifest.v1+json", size: Int64(text.utf8.count),
                               artifactType: nil, subject: nil, annotations: nil)
            }
            let none = ManifestReferences(blobs: [], manifests: [])
            try await registry.putManifest(manifest("a"), references: none, tag: try Tag("v1"), repositoryName: "p/app", now: 2, guarding: guarding, by: .system)
            // The same manifest again is fine; another one under v1 is refused, and nothing of it is stored.
            try await registry.putManifest(manifest("a"), references: none, tag: try Tag("v1"), repositoryName: "p/app", now: 3, guarding: guarding, by: .system)
            await #expect(throws: DistributionError.self) {
                try await registry.putManifest(manifest("b"), references: none, tag: try Tag("v1"), repositoryName: "p/app", now: 4, guarding: guarding, by: .system)
            }
            #expect(try await registry.manifest(taggedAs: try Tag("v1"), repositoryID: repository.id)?.digest == Self.digest("a"))
            #expect(try await registry.manifest(Self.digest("b"), repositoryID: repository.id) == nil, "the refused manifest is not stored")
            // Unprotected tags move as always.
            try await registry.putManifest(manifest("b"), references: none, tag: try Tag("latest"), repositoryName: "p/app", now: 5, guarding: guarding, by: .system)
            try await registry.putManifest(manifest("a"), references: none, tag: try Tag("latest"), repositoryName: "p/app", now: 6, guarding: guarding, by: .system)
            do {
                _ = try await registry.deleteManifest(Self.digest("a"), repositoryID: repository.id, guarding: guarding, by: .system)
                Issue.record("the manifest of an immutable tag was deleted")
            } catch let error as DistributionError {
                #expect(error.code == .tagImmutable && error.httpStatus == 412 && error.message.contains("p/app:v1 is immutable"), "\(error)")
            }
            await #expect(throws: DistributionError.self) { try await registry.deleteRepository(named: "p/app", guarding: guarding, by: .system) }
            await #expect(throws: DistributionError.self) { try await registry.deleteTag(try Tag("v1"), repositoryID: repository.id, guarding: guarding, by: .system) }
            #expect(try await registry.deleteTag(try Tag("v9"), repositoryID: repository.id, guarding: guarding, by: .system) == false)
            #expect(try await registry.tags(ofManifest: Self.digest("a"), repositoryID: repository.id) == ["latest", "v1"])
            // Without the guard (the rule deleted) both go.
            #expect(try await registry.deleteManifest(Self.digest("b"), repositoryID: repository.id, guarding: guarding, by: .system))
            #expect(try await registry.deleteRepository(named: "p/app", guarding: .none, by: .system))
        }
    }
}
