import Foundation
@testable import Metadata
import OCI
import SQLKit
import Testing

/// The rules garbage collection relies on (docs/garbage-collection.md), on SQLite and PostgreSQL: links are touched
/// when made, confirmed, mounted from and used by a manifest; a manifest push checks its blobs inside its own
/// transaction; a mount checks its source link there too.
@Suite("Link touches")
struct LinkTouchTests {
    static func digest(_ text: String) -> Digest { Digest.compute(of: Array(text.utf8)) }

    static func touchedAt(_ digest: Digest, _ repositoryID: Int64, _ provider: any SQLDatabaseProvider) async throws -> Int64? {
        try await provider.read { db in
            try await db.raw("""
                SELECT touched_at FROM repository_blobs WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest.description)
                """).first()?.decode(column: "touched_at", as: Int64.self)
        }
    }

    @Test("links are touched when made, mounted from, confirmed (at most once per refresh) and used by a manifest", arguments: Backend.allCases)
    func touches(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let registry = SQLRegistryStore(provider: provider)
            let a = try await registry.createRepository(named: "p/a", now: 1)
            try await registry.linkBlob(Self.digest("x"), size: 5, repositoryID: a.id, now: 100)
            #expect(try await Self.touchedAt(Self.digest("x"), a.id, provider) == 100)
            try await registry.linkBlob(Self.digest("x"), size: 5, repositoryID: a.id, now: 200)
            #expect(try await Self.touchedAt(Self.digest("x"), a.id, provider) == 200, "linked again: fresh")

            #expect(try await registry.confirmBlob(Self.digest("x"), repositoryID: a.id, now: 250, refreshAfter: 100) == 5)
            #expect(try await Self.touchedAt(Self.digest("x"), a.id, provider) == 200, "confirmed within the refresh period: only read")
            #expect(try await registry.confirmBlob(Self.digest("x"), repositoryID: a.id, now: 400, refreshAfter: 100) == 5)
            #expect(try await Self.touchedAt(Self.digest("x"), a.id, provider) == 400)
            #expect(try await registry.confirmBlob(Self.digest("nope"), repositoryID: a.id, now: 400, refreshAfter: 100) == nil)

            #expect(try await registry.mountBlob(Self.digest("x"), from: a.id, into: "p/b", now: 500) == 5)
            #expect(try await Self.touchedAt(Self.digest("x"), a.id, provider) == 500, "the mount's source is touched")
            let b = try #require(try await registry.repository(named: "p/b"))
            #expect(try await Self.touchedAt(Self.digest("x"), b.id, provider) == 500)

            let manifest = ManifestRecord(digest: Self.digest("m"), mediaType: MediaType.ociManifest, size: 3, artifactType: nil, subject: nil, annotations: nil)
            try await registry.putManifest(manifest, references: ManifestReferences(blobs: [Self.digest("x")], manifests: []), tag: nil,
                                           repositoryName: "p/a", now: 600, by: .system)
            #expect(try await Self.touchedAt(Self.digest("x"), a.id, provider) == 600, "a manifest push touches what it uses")
        }
    }

    @Test("a manifest whose blob lost its link after the client checked it is refused with nothing stored; a mount from a vanished link fails",
          arguments: Backend.allCases)
    func verifiedInTransaction(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let registry = SQLRegistryStore(provider: provider)
            let a = try await registry.createRepository(named: "p/a", now: 1)
            try await registry.linkBlob(Self.digest("layer"), size: 5, repositoryID: a.id, now: 1)
            #expect(try await registry.missingBlobs([Self.digest("layer")], repositoryID: a.id).isEmpty, "the client's check passes")
            // Garbage collection removes the link between the check and the push.
            try await provider.write { db in
                try await db.raw("DELETE FROM repository_blobs WHERE repository_id = \(bind: a.id) AND digest = \(bind: Self.digest("layer").description)").run()
            }
            let manifest = ManifestRecord(digest: Self.digest("m"), mediaType: MediaType.ociManifest, size: 3, artifactType: nil, subject: nil, annotations: nil)
            do {
                try await registry.putManifest(manifest, references: ManifestReferences(blobs: [Self.digest("layer")], manifests: []),
                                               tag: try Tag("v1"), repositoryName: "p/a", now: 2, by: .system)
                Issue.record("the push was accepted")
            } catch let error as DistributionError {
                #expect(error.code == .manifestBlobUnknown && error.detail == Self.digest("layer").description, "\(error)")
            }
            #expect(try await registry.manifest(Self.digest("m"), repositoryID: a.id) == nil)
            #expect(try await registry.mountBlob(Self.digest("layer"), from: a.id, into: "p/b", now: 3) == nil)
            #expect(try await registry.repository(named: "p/b") == nil, "a failed mount creates nothing")
        }
    }
}
