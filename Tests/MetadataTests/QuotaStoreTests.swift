import Foundation
@testable import Metadata
import OCI
import SQLKit
import Testing

/// Project quotas on SQLite and PostgreSQL: usage changes in the transactions that link and unlink, a digest counts
/// once per project, a link past the limit is refused with nothing counted, concurrent linkers never overshoot, and
/// an upgraded database starts with the usage its links add up to.
@Suite("Quota store")
struct QuotaStoreTests {
    static func digest(_ text: String) -> Digest { Digest.compute(of: Array(text.utf8)) }

    static func project(_ name: String, limit: Int64, on provider: any SQLDatabaseProvider) async throws {
        _ = try await SQLAccessStore(provider: provider).createProject(
            ProjectRecord(name: name, ownerID: nil, metadata: ["public": "false"], createdAt: 1, updatedAt: 1, storageLimit: limit), ownerRole: nil)
    }

    static func used(_ project: String, _ provider: any SQLDatabaseProvider) async throws -> Int64? {
        try await SQLQuotaStore(provider: provider).quota(project: project)?.used
    }

    @Test("a digest counts once per project; the last unlink and a repository's deletion release it; a link past the limit is refused and leaves nothing counted",
          arguments: Backend.allCases)
    func accounting(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let registry = SQLRegistryStore(provider: provider)
            let quotas = SQLQuotaStore(provider: provider)
            try await Self.project("p", limit: 100, on: provider)
            try await Self.project("q", limit: -1, on: provider)
            let a = try await registry.createRepository(named: "p/a", now: 1)
            let b = try await registry.createRepository(named: "p/b", now: 1)
            let c = try await registry.createRepository(named: "q/c", now: 1)
            #expect(try await Self.used("p", provider) == 0)

            try await registry.linkBlob(Self.digest("x"), size: 30, repositoryID: a.id, now: 2)
            try await registry.linkBlob(Self.digest("x"), size: 30, repositoryID: b.id, now: 2)
            try await registry.linkBlob(Self.digest("x"), size: 30, repositoryID: a.id, now: 2)
            #expect(try await Self.used("p", provider) == 30, "a digest linked into two repositories of a project counts once")
            try await registry.linkBlob(Self.digest("y"), size: 50, repositoryID: a.id, now: 3)
            #expect(try await Self.used("p", provider) == 80)

            await #expect(throws: QuotaExceeded.self) {
                try await registry.linkBlob(Self.digest("z"), size: 30, repositoryID: b.id, now: 4)
            }
            #expect(try await Self.used("p", provider) == 80, "a refused link is not counted")
            #expect(try await registry.linkedBlobSize(Self.digest("z"), repositoryID: b.id) == nil, "a refused link is not stored")
            do {
                try await registry.linkBlob(Self.digest("z"), size: 30, repositoryID: b.id, now: 4)
            } catch let refusal as QuotaExceeded {
                #expect(refusal.limit == 100 && refusal.used == 80 && refusal.requested == 30 && refusal.project == "p")
                #expect(refusal.description.contains("100 B") && refusal.description.contains("project p"), "\(refusal)")
            }
            try await registry.linkBlob(Self.digest("z"), size: 30, repositoryID: c.id, now: 4)
            #expect(try await Self.used("q", provider) == 30, "projects without a limit count too")
            try await registry.linkBlob(Self.digest("w"), size: 20, repositoryID: b.id, now: 5)
            #expect(try await Self.used("p", provider) == 100, "up to the limit exactly")

            // The refusals were recorded as QUOTA_EXCEED events (after their transactions rolled back); passing 85%
            // of the limit (80 → 100) as one QUOTA_WARNING.
            let events = try await provider.read { db in
                try await db.raw("SELECT type, repository, digest, payload FROM outbox WHERE type LIKE 'QUOTA%' ORDER BY id").all().map {
                    [try $0.decode(column: "type", as: String.self), try $0.decode(column: "repository", as: String.self),
                     try $0.decode(column: "digest", as: String.self), try $0.decode(column: "payload", as: String.self)]
                }
            }
            #expect(events.map { $0[0] } == ["QUOTA_EXCEED", "QUOTA_EXCEED", "QUOTA_WARNING"], "\(events)")
            #expect(events.first?[1] == "p/b" && events.first?[2] == Self.digest("z").description)
            #expect(events.first?[3].contains("would exceed its storage limit of 100 B") == true, "\(events)")
            #expect(events.last?[3].contains("at 100%") == true, "\(events)")

            // Unlinks: the shared digest stays counted until its last link goes.
            #expect(try await registry.unlinkBlob(Self.digest("x"), repositoryID: a.id, by: .system))
            #expect(try await Self.used("p", provider) == 100)
            #expect(try await registry.unlinkBlob(Self.digest("x"), repositoryID: b.id, by: .system))
            #expect(try await Self.used("p", provider) == 70)

            // A manifest's own bytes count; deleting it releases them; deleting a repository releases what only it linked.
            let manifest = ManifestRecord(digest: Self.digest("m"), mediaType: MediaType.ociManifest, size: 10, artifactType: nil, subject: nil, annotations: nil)
            try await registry.putManifest(manifest, references: ManifestReferences(blobs: [Self.digest("y")], manifests: []), tag: try Tag("v1"),
                                           repositoryName: "p/a", now: 6, by: .system)
            #expect(try await Self.used("p", provider) == 80)
            #expect(try await registry.deleteManifest(Self.digest("m"), repositoryID: a.id, by: .system))
            #expect(try await Self.used("p", provider) == 70)
            try await registry.linkBlob(Self.digest("w"), size: 20, repositoryID: a.id, now: 7)
            #expect(try await registry.deleteRepository(named: "p/a", by: .system))
            #expect(try await Self.used("p", provider) == 20, "y went with p/a; w is still in p/b")
            #expect(try await quotas.verify().isEmpty)

            // A limit lowered below the usage refuses growth, not what is there.
            let quota = try #require(try await quotas.quota(project: "p"))
            #expect(try await quotas.setLimit(id: quota.id, to: 10, now: 8))
            await #expect(throws: QuotaExceeded.self) {
                try await registry.linkBlob(Self.digest("v"), size: 1, repositoryID: b.id, now: 9)
            }
            try await registry.linkBlob(Self.digest("w"), size: 20, repositoryID: b.id, now: 9)
            #expect(try await quotas.quota(id: quota.id)?.hardLimit == 10)
            #expect(try await quotas.quotas(projectID: nil, offset: 0, limit: 10).items.map(\.projectName).filter { $0 != "library" } == ["p", "q"])
            #expect(try await quotas.verify().isEmpty)
        }
    }

    @Test("the warning level is crossed once, on the way up, for any limit")
    func warningLevel() {
        #expect(QuotaAccounting.crossed(85, of: 100, from: 80, to: 85))
        #expect(!QuotaAccounting.crossed(85, of: 100, from: 85, to: 90))
        #expect(!QuotaAccounting.crossed(85, of: 100, from: 10, to: 84))
        #expect(QuotaAccounting.crossed(100, of: 1 << 60, from: 0, to: 1 << 60))
        #expect(QuotaAccounting.crossed(1, of: Int64.max, from: 0, to: Int64.max / 50))
        #expect(!QuotaAccounting.crossed(0, of: 100, from: 0, to: 100))
    }

    @Test("fifty concurrent links into one project never pass its limit", arguments: Backend.allCases)
    func concurrentLinks(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let registry = SQLRegistryStore(provider: provider)
            try await Self.project("busy", limit: 1000, on: provider)
            let repositories = [try await registry.createRepository(named: "busy/one", now: 1), try await registry.createRepository(named: "busy/two", now: 1)]
            let accepted = await withTaskGroup(of: Bool.self) { group in
                for index in 0 ..< 50 {
                    group.addTask {
                        do {
                            try await registry.linkBlob(Self.digest("blob-\(index)"), size: 100, repositoryID: repositories[index % 2].id, now: 2)
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(accepted == 10)
            #expect(try await Self.used("busy", provider) == 1000)
            #expect(try await SQLQuotaStore(provider: provider).verify().isEmpty)
        }
    }

    @Test("an upgraded database starts each project's usage from the links it has, each digest once", arguments: Backend.allCases)
    func upgrade(_ backend: Backend) async throws {
        try await backend.withProvider(migrated: false) { provider in
            try await Migrations.run(on: provider, upTo: 20)
            try await provider.transaction { db in
                try await db.raw("INSERT INTO projects (name, owner_id, public, metadata, created_at, updated_at) VALUES ('team', NULL, 0, '{}', 1, 1)").run()
                for name in ["team/a", "team/b"] {
                    try await db.raw("INSERT INTO repositories (name, project_name, created_at, updated_at) VALUES (\(bind: name), 'team', 1, 1)").run()
                }
                for (repository, digest, size) in [("team/a", "x", 40), ("team/b", "x", 40), ("team/b", "y", 2)] {
                    try await db.raw("""
                        INSERT INTO repository_blobs (repository_id, digest, size, created_at)
                        SELECT id, \(bind: Self.digest(digest).description), \(bind: size), 1 FROM repositories WHERE name = \(bind: repository)
                        """).run()
                }
            }
            try await SQLRegistryStore(provider: provider).migrate()
            let quota = try #require(try await SQLQuotaStore(provider: provider).quota(project: "team"))
            #expect(quota.used == 42 && quota.hardLimit == -1)
            #expect(try await SQLQuotaStore(provider: provider).verify().isEmpty)
        }
    }
}
