import Foundation
import Metadata
import OCI
import Synchronization
import Testing

/// Every change the registry store makes records its domain event in the same transaction: what changed, where
/// (project found from the repository's name), who made it and from where. A change that changes nothing records
/// nothing, and the dispatcher is told after each commit that recorded events.
@Suite("Registry change events")
struct RegistryEventTests {
    func digest(_ s: String) -> Digest { Digest.compute(of: Array(s.utf8)) }

    /// The events waiting in the outbox, oldest first (the test takes them, so the next call sees only new ones).
    func take(_ outbox: EventOutbox) async throws -> [NewEvent] {
        let taken = Mutex<[NewEvent]>([])
        try await outbox.dispatch(limit: 1000, now: 1) { events, _ in taken.withLock { $0 = events.map(\.event) } }
        return taken.withLock { $0 }
    }

    @Test("push, tag, untag, delete artifact, delete blob and delete repository each record their event", arguments: Backend.allCases)
    func changesRecordEvents(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let notifier = EventNotifier()
            let notified = Mutex(0)
            notifier.observe { notified.withLock { $0 += 1 } }
            let store = SQLRegistryStore(provider: provider, notifier: notifier)
            let outbox = EventOutbox(provider: provider)
            let library = try #require(try await SQLAccessStore(provider: provider).project(named: "library"))
            let alice = ChangeContext(operatorName: "alice", clientIP: "10.1.2.3")
            let layer = digest("layer")
            let repo = try await store.createRepository(named: "library/app", now: 1)
            try await store.linkBlob(layer, size: 100, repositoryID: repo.id, now: 1)
            let m1 = ManifestRecord(digest: digest("m1"), mediaType: MediaType.ociManifest, size: 321, artifactType: nil, subject: nil, annotations: nil)
            let m2 = ManifestRecord(digest: digest("m2"), mediaType: MediaType.ociIndex, size: 99, artifactType: nil, subject: nil, annotations: nil)
            let refs = ManifestReferences(blobs: [layer], manifests: [])
            try await store.putManifest(m1, references: refs, tag: try Tag("v1"), repositoryName: "library/app", now: 10, by: alice)
            try await store.putManifest(m2, references: ManifestReferences(blobs: [], manifests: []), tag: nil, repositoryName: "library/app", now: 11, by: alice)

            let pushes = try await take(outbox)
            #expect(pushes.map(\.type) == [.pushArtifact, .pushArtifact])
            let first = try #require(pushes.first)
            #expect(first.projectID == library.id && first.repository == "library/app" && first.digest == m1.digest.description)
            #expect(first.tags == ["v1"] && first.operatorName == "alice" && first.occurredAt == 10)
            #expect(first.details == EventDetails(mediaType: MediaType.ociManifest, size: 321, clientIP: "10.1.2.3"))
            #expect(pushes.last?.tags == [] && pushes.last?.details.mediaType == MediaType.ociIndex)
            #expect(notified.withLock { $0 } == 2)

            #expect(try await store.createTag(try Tag("latest"), digest: m1.digest, repositoryID: repo.id, now: 12, by: alice))
            #expect(try await store.createTag(try Tag("latest"), digest: m1.digest, repositoryID: repo.id, now: 12, by: alice) == false)
            #expect(try await store.deleteTag(try Tag("v1"), repositoryID: repo.id, by: alice))
            #expect(try await store.deleteTag(try Tag("v1"), repositoryID: repo.id, by: alice) == false)
            let tagging = try await take(outbox)
            #expect(tagging.map(\.type) == [.pushArtifact, .deleteTag], "a new tag is a push of the artifact with it; an unchanged tag records nothing")
            #expect(tagging.first?.details.size == 321)
            #expect(tagging.allSatisfy { $0.digest == m1.digest.description && $0.projectID == library.id })
            #expect(tagging.map(\.tags) == [["latest"], ["v1"]])

            // Deleting an artifact names the tags that went with it.
            #expect(try await store.deleteManifest(m1.digest, repositoryID: repo.id, by: alice))
            #expect(try await store.deleteManifest(m1.digest, repositoryID: repo.id, by: alice) == false)
            #expect(try await store.unlinkBlob(layer, repositoryID: repo.id, by: alice))
            let deletions = try await take(outbox)
            #expect(deletions.map(\.type) == [.deleteArtifact, .deleteBlob])
            #expect(deletions.first?.tags == ["latest"] && deletions.first?.details.size == 321)
            #expect(deletions.last?.digest == layer.description)

            // A repository's deletion: one DELETE_ARTIFACT per artifact, then the repository's own event.
            try await store.putManifest(m1, references: ManifestReferences(blobs: [], manifests: []), tag: try Tag("v2"), repositoryName: "library/app",
                                        now: 20, by: alice)
            _ = try await take(outbox)
            let bob = ChangeContext(operatorName: "bob", clientIP: "10.9.9.9")
            #expect(try await store.deleteRepository(named: "library/app", by: bob))
            #expect(try await store.deleteRepository(named: "library/app", by: bob) == false)
            let removal = try await take(outbox)
            #expect(removal.map(\.type) == [.deleteArtifact, .deleteArtifact, .deleteRepository])
            #expect(Set(removal.compactMap(\.digest)) == [m1.digest.description, m2.digest.description])
            #expect(removal.first { $0.digest == m1.digest.description }?.tags == ["v2"])
            #expect(removal.allSatisfy { $0.operatorName == "bob" && $0.projectID == library.id && $0.details.clientIP == "10.9.9.9" })

            // A repository outside any project (an open registry's `app`) records events without a project.
            try await store.putManifest(m1, references: ManifestReferences(blobs: [], manifests: []), tag: nil, repositoryName: "app", now: 30, by: .system)
            let loose = try await take(outbox)
            #expect(loose.count == 1 && loose.first?.projectID == nil && loose.first?.operatorName == "system" && loose.first?.details.clientIP == nil)
        }
    }

    @Test("a change that fails records no event", arguments: Backend.allCases)
    func failedChangeRecordsNothing(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let store = SQLRegistryStore(provider: provider)
            let outbox = EventOutbox(provider: provider)
            let repo = try await store.createRepository(named: "library/app", now: 1)
            let m1 = ManifestRecord(digest: digest("m1"), mediaType: MediaType.ociManifest, size: 3, artifactType: nil, subject: nil, annotations: nil)
            try await store.putManifest(m1, references: ManifestReferences(blobs: [], manifests: []), tag: nil, repositoryName: "library/app", now: 1, by: .system)
            _ = try await take(outbox)
            // A tag pointing at a manifest the repository does not have breaks the foreign key: no tag, no event.
            await #expect(throws: (any Error).self) {
                _ = try await store.createTag(try Tag("ghost"), digest: digest("nothing"), repositoryID: repo.id, now: 2, by: .system)
            }
            #expect(try await outbox.backlog() == 0)
        }
    }
}
