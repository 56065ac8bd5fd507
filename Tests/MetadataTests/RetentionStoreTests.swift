import Foundation
@testable import Metadata
import OCI
import Testing

/// Tag retention policies and runs on SQLite and PostgreSQL: one policy per project, recorded as the project's
/// `retention_id` and removed with it; runs, stop requests and tasks; and the candidates a run looks at — not the
/// platforms of an index, not artifacts with a subject.
@Suite("Retention store")
struct RetentionStoreTests {
    static func digest(_ text: String) -> Digest { Digest.compute(of: Array(text.utf8)) }

    static let rule = RetentionRule(id: 1, priority: 0, disabled: false, template: "latestPushedK", count: 3, repositoryDecoration: "repoMatches",
                                    repositoryPattern: "**", tagDecoration: "matches", tagPattern: "**", untagged: true)

    @Test("a policy per project with its retention_id; runs, stops and tasks", arguments: Backend.allCases)
    func policiesAndRuns(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let access = SQLAccessStore(provider: provider)
            let project = try await access.createProject(ProjectRecord(name: "p", ownerID: nil, metadata: ["public": "true"], createdAt: 1, updatedAt: 1),
                                                         ownerRole: nil)
            let store = SQLRetentionStore(provider: provider)
            let policy = try await store.create(RetentionPolicyRecord(projectID: project.id, rules: [Self.rule], cron: "0 0 3 * * *", createdAt: 1, updatedAt: 1))
            #expect(try await access.project(id: project.id)?.metadata == ["public": "true", "retention_id": String(policy.id)])
            #expect(try await store.policy(projectID: project.id)?.id == policy.id)
            #expect(try await store.policy(projectID: project.id + 1) == nil)
            await #expect(throws: MetadataConflict.self) {
                try await store.create(RetentionPolicyRecord(projectID: project.id, rules: [], cron: "", createdAt: 2, updatedAt: 2))
            }
            var changed = policy
            changed.rules = [Self.rule, Self.rule]
            changed.cron = ""
            #expect(try await store.update(changed))
            let stored = try await store.policy(id: policy.id)
            #expect(stored?.rules.count == 2 && stored?.cron == "")

            let run = try await store.startExecution(policyID: policy.id, trigger: "MANUAL", dryRun: true, now: 10)
            #expect(run.status == "Running" && run.dryRun && !run.stopRequested)
            #expect(try await store.stopRequested(executionID: run.id) == false)
            #expect(try await store.requestStop(id: run.id, policyID: policy.id))
            #expect(try await store.stopRequested(executionID: run.id))
            let task = try await store.startTask(executionID: run.id, repository: "p/app", now: 11)
            try await store.finishTask(id: task, status: "Stopped", total: 4, retained: 1, log: "stopped\n", now: 12)
            try await store.finishExecution(id: run.id, status: "Stopped", now: 13)
            #expect(try await store.requestStop(id: run.id, policyID: policy.id) == false, "an ended run cannot be stopped")
            #expect(try await store.execution(id: run.id, policyID: policy.id)?.status == "Stopped")
            #expect(try await store.execution(id: run.id, policyID: policy.id + 1) == nil)
            let tasks = try await store.tasks(executionID: run.id, offset: 0, limit: 10)
            #expect(tasks.total == 1 && tasks.items.first?.log == "stopped\n" && tasks.items.first?.retained == 1 && tasks.items.first?.endedAt == 12)
            _ = try await store.startExecution(policyID: policy.id, trigger: "SCHEDULE", dryRun: false, now: 20)
            let runs = try await store.executions(policyID: policy.id, offset: 0, limit: 1)
            #expect(runs.total == 2 && runs.items.map(\.trigger) == ["SCHEDULE"], "newest first")

            #expect(try await store.delete(id: policy.id))
            #expect(try await store.policy(id: policy.id) == nil)
            #expect(try await store.execution(id: run.id) == nil, "runs go with their policy")
            #expect(try await access.project(id: project.id)?.metadata == ["public": "true"])
            #expect(try await store.delete(id: policy.id) == false)
        }
    }

    @Test("candidates are a repository's top-level artifacts with their tags and times", arguments: Backend.allCases)
    func candidates(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let registry = SQLRegistryStore(provider: provider)
            let store = SQLRetentionStore(provider: provider)
            func manifest(_ name: String, subject: Digest? = nil) -> ManifestRecord {
                ManifestRecord(digest: Self.digest(name), mediaType: "application/vnd.oci.image.manifest.v1+json", size: 10, artifactType: nil,
                               subject: subject, annotations: nil)
            }
            let none = ManifestReferences(blobs: [], manifests: [])
            try await registry.putManifest(manifest("child"), references: none, tag: nil, repositoryName: "p/app", now: 1, by: .system)
            try await registry.putManifest(manifest("index"), references: ManifestReferences(blobs: [], manifests: [Self.digest("child")]),
                                           tag: try Tag("multi"), repositoryName: "p/app", now: 2, by: .system)
            try await registry.putManifest(manifest("image"), references: none, tag: try Tag("v1"), repositoryName: "p/app", now: 3, by: .system)
            try await registry.putManifest(manifest("image"), references: none, tag: try Tag("latest"), repositoryName: "p/app", now: 4, by: .system)
            try await registry.putManifest(manifest("signature", subject: Self.digest("image")), references: none, tag: nil, repositoryName: "p/app",
                                           now: 5, by: .system)
            try await registry.putManifest(manifest("loose"), references: none, tag: nil, repositoryName: "p/app", now: 6, by: .system)
            try await registry.putManifest(manifest("elsewhere"), references: none, tag: try Tag("v1"), repositoryName: "p/web", now: 7, by: .system)
            let repositories = try await store.repositories(project: "p")
            #expect(repositories.map(\.name) == ["p/app", "p/web"])
            let found = try await store.candidates(repositoryID: repositories[0].id)
            #expect(found.map(\.digest) == ["index", "image", "loose"].map { Self.digest($0).description })
            #expect(found.map(\.tags) == [["multi"], ["latest", "v1"], []])
            #expect(found.map(\.pushedAt) == [2, 3, 6] && found.allSatisfy { $0.pulledAt == nil })
        }
    }
}
