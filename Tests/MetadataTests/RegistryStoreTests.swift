import Foundation
import Logging
import Metadata
import NIOPosix
import OCI
import Testing

/// The registry store's behaviour on a real SQLite file and a real PostgreSQL database.
@Suite("Registry store")
struct RegistryStoreTests {
    func withStore(_ backend: Backend, _ body: (SQLRegistryStore) async throws -> Void) async throws {
        try await backend.withProvider { provider in try await body(SQLRegistryStore(provider: provider)) }
    }

    func digest(_ s: String) -> Digest { Digest.compute(of: Array(s.utf8)) }

    @Test("blobs are linked per repository and mounted only from a repository that has them; an emptied repository goes", arguments: Backend.allCases)
    func blobLinks(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let a = try await store.createRepository(named: "a", now: 1)
            let b = try await store.createRepository(named: "b", now: 1)
            #expect(try await store.createRepository(named: "a", now: 2) == a)
            try await store.linkBlob(digest("x"), size: 7, repositoryID: a.id, now: 1)
            #expect(try await store.linkedBlobSize(digest("x"), repositoryID: a.id) == 7)
            #expect(try await store.linkedBlobSize(digest("x"), repositoryID: b.id) == nil)
            #expect(try await store.mountBlob(digest("x"), from: b.id, into: "a", now: 1) == nil)
            #expect(try await store.mountBlob(digest("x"), from: a.id, into: "c", now: 1) == 7, "the target is created by the mount")
            let c = try #require(try await store.repository(named: "c"))
            #expect(try await store.missingBlobs([digest("x"), digest("y"), digest("y")], repositoryID: c.id) == [digest("y")])
            #expect(try await store.mountBlob(digest("y"), from: a.id, into: "d", now: 1) == nil)
            #expect(try await store.repository(named: "d") == nil, "a failed mount creates nothing")
            #expect(try await store.unlinkBlob(digest("x"), repositoryID: a.id, by: .system))
            #expect(try await store.unlinkBlob(digest("x"), repositoryID: a.id, by: .system) == false)
            #expect(try await store.repository(named: "a") == nil, "nothing left in it")
            #expect(try await store.linkedBlobSize(digest("x"), repositoryID: c.id) == 7)
        }
    }

    @Test("manifests with tags, case-insensitive tag order with paging, deletion cascades to tags", arguments: Backend.allCases)
    func manifestsAndTags(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let m = ManifestRecord(digest: digest("m"), mediaType: MediaType.ociManifest, size: 3, artifactType: "x/y", subject: nil, annotations: ["k": "v"])
            for tag in ["b", "B", "a", "C"] {
                try await store.putManifest(m, references: ManifestReferences(blobs: [], manifests: []), tag: try Tag(tag), repositoryName: "r", now: 1, by: .system)
            }
            let repo = try #require(try await store.repository(named: "r"), "putManifest creates the repository")
            #expect(try await store.tags(repositoryID: repo.id, after: nil, limit: 10) == ["a", "B", "b", "C"])
            #expect(try await store.tags(repositoryID: repo.id, after: "B", limit: 10) == ["b", "C"])
            #expect(try await store.tags(repositoryID: repo.id, after: "a", limit: 2) == ["B", "b"])
            #expect(try await store.manifest(taggedAs: try Tag("C"), repositoryID: repo.id) == m)
            // The one-query lookup by repository name, by tag and by digest; misses of either kind are nil.
            #expect(try await store.manifest(.tag(try Tag("C")), repositoryName: "r") == m)
            #expect(try await store.manifest(.digest(digest("m")), repositoryName: "r") == m)
            #expect(try await store.manifest(.tag(try Tag("c")), repositoryName: "r") == nil)
            #expect(try await store.manifest(.tag(try Tag("C")), repositoryName: "R") == nil)
            #expect(try await store.manifest(.digest(digest("n")), repositoryName: "r") == nil)
            #expect(try await store.deleteTag(try Tag("C"), repositoryID: repo.id, by: .system))
            #expect(try await store.manifest(taggedAs: try Tag("C"), repositoryID: repo.id) == nil)
            #expect(try await store.deleteManifest(digest("m"), repositoryID: repo.id, by: .system))
            #expect(try await store.tags(repositoryID: repo.id, after: nil, limit: 10) == [])
            #expect(try await store.deleteManifest(digest("m"), repositoryID: repo.id, by: .system) == false)
            #expect(try await store.repository(named: "r") == nil, "the last manifest took the repository with it")
        }
    }

    @Test("referrers are found by subject and filtered by artifact type", arguments: Backend.allCases)
    func referrers(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let subject = digest("subject")
            for (name, type) in [("s1", "application/sbom"), ("s2", "application/sig"), ("s3", "application/sbom")] {
                let m = ManifestRecord(digest: digest(name), mediaType: MediaType.ociManifest, size: 1, artifactType: type, subject: subject, annotations: nil)
                try await store.putManifest(m, references: ManifestReferences(blobs: [], manifests: []), tag: nil, repositoryName: "r", now: 1, by: .system)
            }
            let repo = try #require(try await store.repository(named: "r"))
            #expect(try await store.referrers(of: subject, repositoryID: repo.id, artifactType: nil, limit: nil).count == 3)
            #expect(try await store.referrers(of: subject, repositoryID: repo.id, artifactType: "application/sbom", limit: nil).count == 2)
            #expect(try await store.referrers(of: subject, repositoryID: repo.id, artifactType: nil, limit: 2).count == 2)
            #expect(try await store.referrers(of: digest("other"), repositoryID: repo.id, artifactType: nil, limit: nil).isEmpty)
        }
    }

    @Test("an upload lease excludes a second writer until released or expired; the repository appears when the blob is committed", arguments: Backend.allCases)
    func uploadLease(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let upload = NewUpload(id: "id1", repositoryName: "p/u", owner: "user:1", hashState: [1, 2], ownerLimit: nil, projectLimit: nil)
            #expect(try await store.createUpload(upload, now: 100) == .created)
            #expect(try await store.repository(named: "p/u") == nil, "starting an upload creates no repository")
            guard case .acquired(let record) = try await store.acquireUpload(id: "id1", repositoryName: "p/u", token: "t1", now: 100, leaseMilliseconds: 1000) else {
                Issue.record("lease not acquired"); return
            }
            #expect(record.hashState == [1, 2])
            #expect(try await store.acquireUpload(id: "id1", repositoryName: "p/other", token: "t0", now: 100, leaseMilliseconds: 1000) == .unknown)
            #expect(try await store.acquireUpload(id: "id1", repositoryName: "p/u", token: "t2", now: 500, leaseMilliseconds: 1000) == .busy)
            #expect(try await store.releaseUpload(id: "id1", token: "t2", size: 9, hashState: [], now: 600) == false)
            #expect(try await store.releaseUpload(id: "id1", token: "t1", size: 10, hashState: [3], now: 600))
            guard case .acquired(let next) = try await store.acquireUpload(id: "id1", repositoryName: "p/u", token: "t3", now: 700, leaseMilliseconds: 1000) else {
                Issue.record("lease not re-acquired"); return
            }
            #expect(next.size == 10)
            // An expired lease (its holder died) can be taken over.
            guard case .acquired = try await store.acquireUpload(id: "id1", repositoryName: "p/u", token: "t4", now: 5000, leaseMilliseconds: 1000) else {
                Issue.record("expired lease not taken over"); return
            }
            // Renewal keeps a live writer's lease beyond its first expiry.
            #expect(try await store.renewUpload(id: "id1", token: "t4", now: 5900, leaseMilliseconds: 1000))
            #expect(try await store.acquireUpload(id: "id1", repositoryName: "p/u", token: "t5", now: 6500, leaseMilliseconds: 1000) == .busy)
            #expect(try await store.renewUpload(id: "id1", token: "t1", now: 6500, leaseMilliseconds: 1000) == false)
            #expect(try await store.acquireUpload(id: "nope", repositoryName: "p/u", token: "t", now: 1, leaseMilliseconds: 1) == .unknown)
            #expect(try await store.staleUploads(before: 10_000, limit: 10) == ["id1"])
            #expect(try await store.uploadExists(id: "id1"))
            #expect(try await store.uploadExists(id: "nope") == false)
            try await store.completeUpload(id: "id1", digest: digest("blob"), size: 10, repositoryName: "p/u", now: 6000)
            #expect(try await store.upload(id: "id1", repositoryName: "p/u") == nil)
            let repo = try #require(try await store.repository(named: "p/u"))
            #expect(try await store.linkedBlobSize(digest("blob"), repositoryID: repo.id) == 10)
        }
    }

    @Test("open upload sessions are limited per owner and per project", arguments: Backend.allCases)
    func uploadLimits(_ backend: Backend) async throws {
        try await withStore(backend) { (store: SQLRegistryStore) async throws in
            func start(_ id: String, _ repository: String, _ owner: String) async throws -> UploadCreation {
                try await store.createUpload(NewUpload(id: id, repositoryName: repository, owner: owner, hashState: [], ownerLimit: 2, projectLimit: 3), now: 1)
            }
            #expect(try await start("a1", "p/x", "user:1") == .created)
            #expect(try await start("a2", "p/y", "user:1") == .created)
            #expect(try await start("a3", "q/x", "user:1") == .ownerLimitReached(limit: 2))
            #expect(try await start("b1", "p/x", "user:2") == .created)
            #expect(try await start("b2", "p/x", "user:2") == .projectLimitReached(limit: 3))
            #expect(try await start("b3", "q/x", "user:2") == .created, "another project has room")
            #expect(try await store.deleteUpload(id: "a1"))
            #expect(try await start("a4", "p/z", "user:1") == .created, "a closed session frees its place")
        }
    }

    @Test("the catalog pages repository names in order", arguments: Backend.allCases)
    func catalog(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            for name in ["c", "a/b", "a", "b"] { _ = try await store.createRepository(named: name, now: 1) }
            #expect(try await store.repositoryNames(after: nil, limit: 2, inProjects: nil) == ["a", "a/b"])
            #expect(try await store.repositoryNames(after: "a/b", limit: 5, inProjects: nil) == ["b", "c"])
        }
    }
}
