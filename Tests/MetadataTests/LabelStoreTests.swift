import Foundation
@testable import Metadata
import OCI
import Testing

/// Labels on SQLite and PostgreSQL: names unique among global labels and within a project, labels on artifacts, and
/// what goes when a label, an artifact or a project goes.
@Suite("Label store")
struct LabelStoreTests {
    @Test("uniqueness per scope, attaching and detaching, cascades", arguments: Backend.allCases)
    func labels(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let access = SQLAccessStore(provider: provider)
            let registry = SQLRegistryStore(provider: provider)
            let store = SQLLabelStore(provider: provider)
            let p = try await access.createProject(ProjectRecord(name: "p", ownerID: nil, metadata: [:], createdAt: 1, updatedAt: 1), ownerRole: nil)
            let q = try await access.createProject(ProjectRecord(name: "q", ownerID: nil, metadata: [:], createdAt: 1, updatedAt: 1), ownerRole: nil)
            let global = try await store.create(LabelRecord(projectID: nil, name: "prod", description: "", color: "#fff", createdAt: 1, updatedAt: 1))
            await #expect(throws: MetadataConflict.self) {
                try await store.create(LabelRecord(projectID: nil, name: "prod", description: "", color: "", createdAt: 2, updatedAt: 2))
            }
            let ofP = try await store.create(LabelRecord(projectID: p.id, name: "prod", description: "", color: "", createdAt: 2, updatedAt: 2))
            let ofQ = try await store.create(LabelRecord(projectID: q.id, name: "qa", description: "", color: "", createdAt: 2, updatedAt: 2))
            #expect(try await store.labels(projectID: nil, ListQuery()).items.map(\.id) == [global.id])
            #expect(try await store.labels(projectID: p.id, ListQuery()).items.map(\.id) == [ofP.id])
            var renamed = ofQ
            renamed.name = "prod"
            #expect(try await store.update(renamed), "a name may repeat across projects")

            let digest = Digest.compute(of: Array("m".utf8))
            try await registry.putManifest(ManifestRecord(digest: digest, mediaType: "application/vnd.oci.image.manifest.v1+json", size: 1, artifactType: nil,
                                                          subject: nil, annotations: nil),
                                           references: ManifestReferences(blobs: [], manifests: []), tag: try Tag("v1"), repositoryName: "p/app", now: 3,
                                           by: .system)
            let repository = try #require(try await registry.repository(named: "p/app"))
            #expect(try await store.attach(labelID: global.id, repositoryID: repository.id, digest: digest.description, now: 4))
            #expect(try await store.attach(labelID: ofP.id, repositoryID: repository.id, digest: digest.description, now: 5))
            #expect(try await store.attach(labelID: ofP.id, repositoryID: repository.id, digest: digest.description, now: 6) == false)
            #expect(try await store.labels(repositoryID: repository.id, digests: [digest.description])[digest.description]?.map(\.id) == [global.id, ofP.id])
            #expect(try await store.detach(labelID: global.id, repositoryID: repository.id, digest: digest.description))
            #expect(try await store.detach(labelID: global.id, repositoryID: repository.id, digest: digest.description) == false)
            #expect(try await store.delete(id: ofP.id))
            #expect(try await store.labels(repositoryID: repository.id, digests: [digest.description]).isEmpty, "a deleted label leaves its artifacts")
            #expect(try await store.attach(labelID: global.id, repositoryID: repository.id, digest: digest.description, now: 7))
            #expect(try await registry.deleteManifest(digest, repositoryID: repository.id, by: .system))
            #expect(try await store.labels(repositoryID: repository.id, digests: [digest.description]).isEmpty, "a deleted artifact loses its labels")
            #expect(try await access.deleteProjectIfEmpty(id: q.id, name: "q"))
            #expect(try await store.label(id: ofQ.id) == nil, "project labels go with their project")
            #expect(try await store.label(id: global.id) != nil)
        }
    }
}
