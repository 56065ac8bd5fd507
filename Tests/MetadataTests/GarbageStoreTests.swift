import Foundation
@testable import Metadata
import OCI
import SQLKit
import Testing

/// What garbage collection selects and removes in the database, on SQLite and PostgreSQL: untagged manifests except
/// an index's children and referrers of kept subjects; links nothing uses once untouched for the grace period; a
/// link touched between selection and removal stays; quota follows.
@Suite("Garbage store")
struct GarbageStoreTests {
    static func digest(_ text: String) -> Digest { Digest.compute(of: Array(text.utf8)) }

    static func manifest(_ name: String, subject: String? = nil, mediaType: String = MediaType.ociManifest) -> ManifestRecord {
        ManifestRecord(digest: digest(name), mediaType: mediaType, size: 10, artifactType: nil, subject: subject.map(digest), annotations: nil)
    }

    @Test("selection and removal: untagged manifests but not children or referrers, unused untouched links, touched links kept, quota released",
          arguments: Backend.allCases)
    func selectAndRemove(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let registry = SQLRegistryStore(provider: provider)
            let garbage = SQLGarbageStore(provider: provider)
            _ = try await SQLAccessStore(provider: provider).createProject(
                ProjectRecord(name: "p", ownerID: nil, metadata: [:], createdAt: 1, updatedAt: 1), ownerRole: nil)
            let a = try await registry.createRepository(named: "p/a", now: 1)
            for (blob, size) in [("L1", 100), ("L2", 200), ("L3", 300), ("L5", 500)] {
                try await registry.linkBlob(Self.digest(blob), size: Int64(size), repositoryID: a.id, now: 10)
            }
            func put(_ manifest: ManifestRecord, blobs: [String] = [], children: [String] = [], tag: String? = nil) async throws {
                try await registry.putManifest(manifest, references: ManifestReferences(blobs: blobs.map(Self.digest), manifests: children.map(Self.digest)),
                                               tag: try tag.map(Tag.init), repositoryName: "p/a", now: 20, by: .system)
            }
            try await put(Self.manifest("M1"), blobs: ["L1"], tag: "v1")
            try await put(Self.manifest("M2"), blobs: ["L2"])
            try await put(Self.manifest("M3"), blobs: ["L5"])
            try await put(Self.manifest("C"), blobs: ["L1"])
            try await put(Self.manifest("I", mediaType: MediaType.ociIndex), children: ["C"], tag: "multi")
            try await put(Self.manifest("R", subject: "M1"), blobs: ["L1"])
            try await registry.linkBlob(Self.digest("L4"), size: 400, repositoryID: a.id, now: 1000)

            // Untagged manifests: M2 and M3 — not the index's child C, not the referrer R of the kept M1.
            let untagged = try await garbage.untaggedManifests(before: 100, after: nil, limit: 100)
            #expect(Set(untagged.map(\.digest)) == [Self.digest("M2").description, Self.digest("M3").description])
            #expect(try await garbage.untaggedManifests(before: 15, after: nil, limit: 100).isEmpty, "pushed after the cutoff: kept")
            let firstPage = try await garbage.untaggedManifests(before: 100, after: nil, limit: 1)
            let secondPage = try await garbage.untaggedManifests(before: 100, after: (firstPage[0].repositoryID, firstPage[0].digest), limit: 1)
            #expect(Set((firstPage + secondPage).map(\.digest)) == Set(untagged.map(\.digest)))
            for candidate in untagged {
                #expect(try await registry.deleteManifest(try Digest(parsing: candidate.digest), repositoryID: a.id, by: .system))
            }

            // Unused links untouched before 100: L2, L3, L5 — not L4 (touched at 1000), not L1 (used).
            let unused = try await garbage.unusedLinks(before: 100, after: nil, limit: 100)
            #expect(Set(unused.map(\.digest)) == Set(["L2", "L3", "L5"].map { Self.digest($0).description }), "\(unused)")
            let usedBefore = try #require(try await SQLQuotaStore(provider: provider).quota(project: "p")).used

            // A client is told L3 exists after the selection: its link is touched and survives the removal.
            #expect(try await registry.confirmBlob(Self.digest("L3"), repositoryID: a.id, now: 2000, refreshAfter: 0) == 300)
            let removed = try await garbage.removeLinks(unused, before: 100, now: 3000)
            #expect(Set(removed.map(\.digest)) == Set(["L2", "L5"].map { Self.digest($0).description }))
            #expect(try await registry.linkedBlobSize(Self.digest("L3"), repositoryID: a.id) == 300)
            #expect(try await SQLQuotaStore(provider: provider).quota(project: "p")?.used == usedBefore - 700)
            #expect(try await SQLQuotaStore(provider: provider).verify().isEmpty)
            let linked = try await garbage.linkCounts(of: ["L1", "L2", "L3"].map { Self.digest($0).description } + ["sha256:unknown"])
            #expect(linked == [Self.digest("L1").description: 1, Self.digest("L3").description: 1], "\(linked)")
            // Asked in batches: digests past the first batch are found too.
            let many = (0 ..< 1200).map { Self.digest("absent \($0)").description }
            #expect(try await garbage.linkCounts(of: Array(many[..<700]) + [Self.digest("L1").description] + Array(many[700...])) == [Self.digest("L1").description: 1])
            #expect(try await garbage.removeLinks(unused, before: 100, now: 3000).isEmpty, "a second removal finds nothing")
        }
    }
}
