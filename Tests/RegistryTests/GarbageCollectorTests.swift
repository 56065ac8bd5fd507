import Foundation
import Logging
import Metadata
import NIOCore
import NIOPosix
import OCI
import Registry
import Storage
import Testing

/// Garbage collection over a real SQLite database and filesystem storage: what a run removes from both, what it
/// keeps (used blobs, recent files, touched links), and a dry run that lists exactly what the real run then deletes.
@Suite("Garbage collector")
struct GarbageCollectorTests {
    struct Fixture {
        let root: String
        let registry: SQLRegistryStore
        let storage: FilesystemDriver
        let garbage: SQLGarbageStore
        let collector: GarbageCollector

        /// Stores `bytes` as a file whose modification time is `age` seconds ago.
        func file(_ bytes: [UInt8], age: Double) async throws -> Digest {
            let digest = Digest.compute(of: bytes)
            let path = StorageLayout.blob(digest)
            try await storage.put(ByteBuffer(bytes: bytes), at: path)
            let file = root + "/" + path.components.joined(separator: "/")
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -age)], ofItemAtPath: file)
            return digest
        }

        func exists(_ digest: Digest) async throws -> Bool { try await storage.size(of: StorageLayout.blob(digest)) != nil }
    }

    static func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        let root = NSTemporaryDirectory() + "berth-gc-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/storage", withIntermediateDirectories: true)
        let provider = try await SQLiteDatabaseProvider.open(path: root + "/berth.db", threadPool: .singleton,
                                                             eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test"))
        let registry = SQLRegistryStore(provider: provider)
        try await registry.migrate()
        let storage = try FilesystemDriver(root: root + "/storage", sync: false)
        let garbage = SQLGarbageStore(provider: provider)
        let collector = GarbageCollector(garbage: garbage, registry: registry, storage: storage, logger: Logger(label: "test"))
        do {
            try await body(Fixture(root: root + "/storage", registry: registry, storage: storage, garbage: garbage, collector: collector))
        } catch {
            await provider.shutdown()
            throw error
        }
        await provider.shutdown()
    }

    @Test("a run removes unused links and the files nothing links, keeps used blobs, recent files and touched links; the dry run lists the same files first")
    func collects() async throws {
        try await Self.withFixture { fixture in
            let registry = fixture.registry
            let now = Clock.nowMilliseconds()
            let hourAgo = now - 3_600_000
            let repository = try await registry.createRepository(named: "p/app", now: hourAgo)
            let used = try await fixture.file(Array("used layer".utf8), age: 7200)
            let unused = try await fixture.file(Array("layer of a deleted image".utf8), age: 7200)
            let orphan = try await fixture.file(Array("left by a crash".utf8), age: 7200)
            let fresh = try await fixture.file(Array("just uploaded".utf8), age: 5)
            let confirmed = try await fixture.file(Array("a client was just told this exists".utf8), age: 7200)
            for digest in [used, unused, confirmed] { try await registry.linkBlob(digest, size: 10, repositoryID: repository.id, now: hourAgo) }
            let manifestBytes = Array("{\"m\":1}".utf8)
            let manifest = try await fixture.file(manifestBytes, age: 7200)
            try await registry.putManifest(ManifestRecord(digest: manifest, mediaType: MediaType.ociManifest, size: Int64(manifestBytes.count),
                                                          artifactType: nil, subject: nil, annotations: nil),
                                           references: ManifestReferences(blobs: [used], manifests: []), tag: try Tag("v1"), repositoryName: "p/app",
                                           now: hourAgo, by: .system)
            _ = try await registry.confirmBlob(confirmed, repositoryID: repository.id, now: now, refreshAfter: 0)

            let options = GarbageCollectionOptions(graceMilliseconds: 1_800_000)
            let dry = try await fixture.collector.run(GarbageCollectionOptions(dryRun: true, graceMilliseconds: 1_800_000), now: now)
            #expect(Set(dry.deletedDigests) == [unused.description, orphan.description], "\(dry)")
            #expect(dry.linksRemoved == 1)
            let unusedStill = try await fixture.exists(unused)
            let unusedLink = try await registry.linkedBlobSize(unused, repositoryID: repository.id)
            #expect(unusedStill && unusedLink == 10, "a dry run changes nothing")

            let real = try await fixture.collector.run(options, now: now)
            #expect(Set(real.deletedDigests) == Set(dry.deletedDigests) && real.bytesFreed == dry.bytesFreed && real.linksRemoved == 1, "\(real)")
            for digest in [unused, orphan] { #expect(try await !fixture.exists(digest), "\(digest) was deleted") }
            for digest in [used, fresh, confirmed, manifest] { #expect(try await fixture.exists(digest), "\(digest) was kept") }
            #expect(try await registry.linkedBlobSize(unused, repositoryID: repository.id) == nil)
            #expect(try await registry.linkedBlobSize(confirmed, repositoryID: repository.id) == 10, "touched within the grace period")
            let again = try await fixture.collector.run(options, now: now)
            #expect(again.blobsDeleted == 0 && again.linksRemoved == 0, "a second run finds nothing")
        }
    }

    @Test("with delete_untagged, an untagged image goes with its layers, an untagged index with its untagged platforms; a tagged one and a tagged index's platforms stay; the dry run lists the same")
    func untagged() async throws {
        try await Self.withFixture { fixture in
            let registry = fixture.registry
            let now = Clock.nowMilliseconds()
            let old = now - 3_600_000
            let repository = try await registry.createRepository(named: "p/app", now: old)
            func image(_ name: String, tag: String?) async throws -> (manifest: Digest, layer: Digest) {
                let layer = try await fixture.file(Array("layer of \(name)".utf8), age: 7200)
                try await registry.linkBlob(layer, size: 10, repositoryID: repository.id, now: old)
                let bytes = Array("{\"image\":\"\(name)\"}".utf8)
                let manifest = try await fixture.file(bytes, age: 7200)
                try await registry.putManifest(ManifestRecord(digest: manifest, mediaType: MediaType.ociManifest, size: Int64(bytes.count),
                                                              artifactType: nil, subject: nil, annotations: nil),
                                               references: ManifestReferences(blobs: [layer], manifests: []), tag: try tag.map(Tag.init),
                                               repositoryName: "p/app", now: old, by: .system)
                return (manifest, layer)
            }
            let kept = try await image("kept", tag: "v1")
            let dropped = try await image("dropped", tag: nil)
            let platform = try await image("platform", tag: nil)
            let indexBytes = Array("{\"index\":1}".utf8)
            let index = try await fixture.file(indexBytes, age: 7200)
            try await registry.putManifest(ManifestRecord(digest: index, mediaType: MediaType.ociIndex, size: Int64(indexBytes.count),
                                                          artifactType: nil, subject: nil, annotations: nil),
                                           references: ManifestReferences(blobs: [], manifests: [platform.manifest]), tag: try Tag("multi"),
                                           repositoryName: "p/app", now: old, by: .system)

            // An untagged index whose platform is untagged too: the index goes first, then (next pass) its platform.
            let nested = try await image("nested platform", tag: nil)
            let untaggedIndexBytes = Array("{\"index\":\"untagged\"}".utf8)
            let untaggedIndex = try await fixture.file(untaggedIndexBytes, age: 7200)
            try await registry.putManifest(ManifestRecord(digest: untaggedIndex, mediaType: MediaType.ociIndex, size: Int64(untaggedIndexBytes.count),
                                                          artifactType: nil, subject: nil, annotations: nil),
                                           references: ManifestReferences(blobs: [], manifests: [nested.manifest]), tag: nil,
                                           repositoryName: "p/app", now: old, by: .system)
            let expected: Set<String> = Set([dropped.manifest, dropped.layer, untaggedIndex, nested.manifest, nested.layer].map(\.description))

            let options = GarbageCollectionOptions(deleteUntagged: true, graceMilliseconds: 1_800_000)
            var dryOptions = options
            dryOptions.dryRun = true
            let dry = try await fixture.collector.run(dryOptions, now: now)
            #expect(dry.manifestsDeleted == 3 && Set(dry.deletedDigests) == expected, "the dry run counts what the deletions free: \(dry)")
            #expect(try await registry.manifest(untaggedIndex, repositoryID: repository.id) != nil, "a dry run changes nothing")

            let report = try await fixture.collector.run(options, now: now)
            #expect(report.manifestsDeleted == 3, "\(report)")
            #expect(Set(report.deletedDigests) == expected && report.bytesFreed == dry.bytesFreed && report.linksRemoved == dry.linksRemoved,
                    "the run deletes what the dry run listed: \(report)")
            #expect(try await registry.manifest(dropped.manifest, repositoryID: repository.id) == nil)
            for digest in [kept.manifest, kept.layer, platform.manifest, platform.layer, index] {
                #expect(try await fixture.exists(digest), "\(digest) was kept")
            }
            #expect(try await registry.manifest(platform.manifest, repositoryID: repository.id) != nil)
        }
    }

    @Test("an upload that rewrites an orphan's file between the run's listing and its deletion keeps its file; the other orphan goes")
    func uploadAfterListing() async throws {
        try await Self.withFixture { fixture in
            let now = Clock.nowMilliseconds()
            let reuploaded = Array("an orphan a client uploads again while the run sweeps".utf8)
            let target = try await fixture.file(reuploaded, age: 7200)
            let orphan = try await fixture.file(Array("an orphan nobody wants".utf8), age: 7200)
            // The storage as the run sees it: right after it lists the target's directory, the upload lands.
            let storage = UploadAfterListing(base: fixture.storage, directory: StorageLayout.blob(target).parent!, path: StorageLayout.blob(target),
                                             bytes: reuploaded)
            let collector = GarbageCollector(garbage: fixture.garbage, registry: fixture.registry, storage: storage, logger: Logger(label: "test"))
            let report = try await collector.run(GarbageCollectionOptions(graceMilliseconds: 1_800_000), now: now)
            #expect(try await fixture.exists(target), "the file the upload wrote is kept")
            #expect(try await fixture.exists(orphan) == false)
            #expect(report.deletedDigests == [orphan.description], "\(report.deletedDigests)")
        }
    }

    @Test("a linked blob's file left set aside by a sweep that died before putting it back is put back by the next run")
    func setAsideFilePutBack() async throws {
        try await Self.withFixture { fixture in
            let now = Clock.nowMilliseconds()
            let repository = try await fixture.registry.createRepository(named: "p/app", now: now - 3_600_000)
            let bytes = Array("a layer a client had just uploaded again".utf8)
            let digest = try await fixture.file(bytes, age: 5)
            try await fixture.registry.linkBlob(digest, size: Int64(bytes.count), repositoryID: repository.id, now: now)
            let path = StorageLayout.blob(digest)
            try await fixture.storage.move(path, to: path.parent!.appending("\(digest.hex).gc-42"))
            #expect(try await fixture.exists(digest) == false)
            _ = try await fixture.collector.run(GarbageCollectionOptions(graceMilliseconds: 1_800_000), now: now)
            #expect(String(buffer: try await fixture.storage.get(path)) == String(decoding: bytes, as: UTF8.self))
            #expect(try await fixture.storage.list(path.parent!) == [digest.hex])
        }
    }
}

/// Filesystem storage that writes `bytes` to `path` again (as an upload of the same content does) right after it
/// lists `directory`.
struct UploadAfterListing: StorageDriver {
    let base: FilesystemDriver
    let directory: StoragePath
    let path: StoragePath
    let bytes: [UInt8]
    var name: String { base.name }

    func objects(in listed: StoragePath) async throws -> [StoredObject] {
        let found = try await base.objects(in: listed)
        if listed == directory { try await base.put(ByteBuffer(bytes: bytes), at: path) }
        return found
    }
    func size(of path: StoragePath) async throws -> Int64? { try await base.size(of: path) }
    func reader(for path: StoragePath, range: Range<Int64>?) async throws -> any StorageReader { try await base.reader(for: path, range: range) }
    func writer(for path: StoragePath, startingAt offset: Int64) async throws -> any StorageWriter { try await base.writer(for: path, startingAt: offset) }
    func put(_ bytes: ByteBuffer, at path: StoragePath) async throws { try await base.put(bytes, at: path) }
    func get(_ path: StoragePath) async throws -> ByteBuffer { try await base.get(path) }
    func move(_ source: StoragePath, to destination: StoragePath) async throws { try await base.move(source, to: destination) }
    func delete(_ path: StoragePath) async throws { try await base.delete(path) }
    func list(_ path: StoragePath) async throws -> [String] { try await base.list(path) }
    func modificationTime(of path: StoragePath) async throws -> Double? { try await base.modificationTime(of: path) }
    func deleteIfWritten(before cutoff: Double, _ path: StoragePath) async throws -> Bool { try await base.deleteIfWritten(before: cutoff, path) }
    func deleteIfWritten(before cutoff: Double, names: [String], in directory: StoragePath) async throws -> [String] {
        try await base.deleteIfWritten(before: cutoff, names: names, in: directory)
    }
}
