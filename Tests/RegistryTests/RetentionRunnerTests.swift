import Foundation
import Logging
import Metadata
import NIOPosix
import OCI
import Registry
import Storage
import Testing

/// Retention runs over a real SQLite database and filesystem storage: a dry run deletes nothing, a stop asked for
/// ends the run before it deletes, and a run deletes what no rule keeps through the registry's write path.
@Suite("Retention runner")
struct RetentionRunnerTests {
    @Test("dry run, stopped run and real run")
    func runs() async throws {
        let root = NSTemporaryDirectory() + "berth-retention-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/storage", withIntermediateDirectories: true)
        let provider = try await SQLiteDatabaseProvider.open(path: root + "/berth.db", threadPool: .singleton,
                                                             eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test"))
        do {
            try await exercise(provider, root: root)
        } catch {
            await provider.shutdown()
            throw error
        }
        await provider.shutdown()
    }

    func exercise(_ provider: SQLiteDatabaseProvider, root: String) async throws {
        let registry = SQLRegistryStore(provider: provider)
        try await registry.migrate()
        let backend = RegistryBackend(store: registry, storage: try FilesystemDriver(root: root + "/storage", sync: false),
                                      configuration: RegistryConfiguration(), logger: Logger(label: "test"))
        let store = SQLRetentionStore(provider: provider)
        let runner = RetentionRunner(store: store, manifests: ManifestService(backend), logger: Logger(label: "test"))
        let project = try await SQLAccessStore(provider: provider).createProject(
            ProjectRecord(name: "p", ownerID: nil, metadata: [:], createdAt: 1, updatedAt: 1), ownerRole: nil)
        for (n, tag) in ["old", "older", "keep"].enumerated() {
            let digest = Digest.compute(of: Array(tag.utf8))
            try await registry.putManifest(ManifestRecord(digest: digest, mediaType: "application/vnd.oci.image.manifest.v1+json", size: 4,
                                                          artifactType: nil, subject: nil, annotations: nil),
                                           references: ManifestReferences(blobs: [], manifests: []), tag: try Tag(tag), repositoryName: "p/app",
                                           now: Int64(n + 1), by: .system)
        }
        let rule = RetentionRule(id: 1, priority: 0, disabled: false, template: "always", count: 0, repositoryDecoration: "repoMatches",
                                 repositoryPattern: "**", tagDecoration: "matches", tagPattern: "keep", untagged: false)
        let policy = try await store.create(RetentionPolicyRecord(projectID: project.id, rules: [rule], cron: "", createdAt: 1, updatedAt: 1))
        func tags() async throws -> [String] {
            let repository = try #require(try await registry.repository(named: "p/app"))
            return try await registry.tags(repositoryID: repository.id, after: nil, limit: 10)
        }
        func finished(_ execution: RetentionExecutionRecord) async throws -> (String, RetentionTaskRecord?) {
            (try await store.execution(id: execution.id)?.status ?? "?", try await store.tasks(executionID: execution.id, offset: 0, limit: 5).items.first)
        }

        let dry = try await store.startExecution(policyID: policy.id, trigger: "MANUAL", dryRun: true, now: 10)
        try await runner.run(dry, policy: policy, project: "p")
        let (dryStatus, dryTask) = try await finished(dry)
        #expect(dryStatus == "Succeed" && dryTask?.total == 3 && dryTask?.retained == 1)
        #expect(dryTask?.log.components(separatedBy: "would delete").count == 3, "\(dryTask?.log ?? "")")
        #expect(try await tags() == ["keep", "old", "older"])

        let stopped = try await store.startExecution(policyID: policy.id, trigger: "MANUAL", dryRun: false, now: 20)
        #expect(try await store.requestStop(id: stopped.id, policyID: policy.id))
        try await runner.run(stopped, policy: policy, project: "p")
        let (stoppedStatus, stoppedTask) = try await finished(stopped)
        #expect(stoppedStatus == "Stopped" && stoppedTask?.status == "Stopped" && stoppedTask?.log.contains("stopped") == true)
        #expect(try await tags() == ["keep", "old", "older"], "a stopped run deleted nothing")

        let real = try await store.startExecution(policyID: policy.id, trigger: "MANUAL", dryRun: false, now: 30)
        try await runner.run(real, policy: policy, project: "p")
        let (realStatus, realTask) = try await finished(real)
        #expect(realStatus == "Succeed" && realTask?.retained == 1, "\(realTask?.log ?? "")")
        #expect(try await tags() == ["keep"])
    }
}
