import Foundation
import Logging
import Metadata
import NIOCore
import OCI
import Registry
import RegistryClient
import Synchronization

/// Harbor's proxy cache: a project created with a `registry_id` is a pull-through cache of that registry. A pull of
/// `<project>/<path>` that misses here is fetched from `<path>` at the remote and kept; a tag is re-checked against the
/// remote (a HEAD, answered from the cache when the remote does not answer within a few seconds); pushes are refused.
/// A manifest not cached yet is served as the remote sent it while its blobs and then the manifest are stored in the
/// background. A missing blob is fetched once however many clients ask at the same time: the request that starts the
/// fetch gets the blob as it arrives (while it is stored); the others wait and are served from storage.
public final class ProxyCache: PullThrough, Sendable {
    /// The remote registry a project caches and its speed limit.
    public struct Upstream: Sendable, Equatable {
        /// The remote registry's id.
        public var registryID: Int64
        /// KB/s per transfer (0 or less: none).
        public var speedKB: Int

        /// An upstream.
        public init(registryID: Int64, speedKB: Int) {
            self.registryID = registryID
            self.speedKB = speedKB
        }
    }

    let upstreamOf: @Sendable (_ project: String) async throws -> Upstream?
    let remote: @Sendable (_ id: Int64, _ bytesPerSecond: Int64?) async throws -> RegistryClient
    let manifests: ManifestService
    let blobs: BlobService
    let uploads: UploadService
    let logger: Logger
    /// How long a tag check may wait for the remote before the cache answers.
    let headTimeout: Duration
    /// How long the client of a manifest has to ask for its blobs before the cache fetches them itself.
    let clientHeadStart: Duration

    private struct State {
        var projects: [String: (upstream: Upstream?, until: ContinuousClock.Instant)] = [:]
        var clients: [String: (client: RegistryClient, until: ContinuousClock.Instant)] = [:]
        var blobFlights: [String: Task<Void, any Error>] = [:]
        var manifestFlights: Set<String> = []
    }
    private let state = Mutex(State())

    /// The cache over this registry's services; `upstreamOf` names a project's remote registry (nil for ordinary
    /// projects), `remote` makes a client for a registry.
    public init(upstreamOf: @escaping @Sendable (String) async throws -> Upstream?, remote: @escaping @Sendable (Int64, Int64?) async throws -> RegistryClient,
                manifests: ManifestService, blobs: BlobService, uploads: UploadService, logger: Logger, headTimeout: Duration = .seconds(3),
                clientHeadStart: Duration = .seconds(5)) {
        self.clientHeadStart = clientHeadStart
        self.upstreamOf = upstreamOf
        self.remote = remote
        self.manifests = manifests
        self.blobs = blobs
        self.uploads = uploads
        self.logger = logger
        self.headTimeout = headTimeout
    }

    static let change = ChangeContext(operatorName: "proxy-cache", clientIP: "")

    // MARK: - PullThrough

    public func refusesPush(_ repository: RepositoryName) async throws -> String? {
        guard try await upstream(of: repository) != nil else { return nil }
        return "project \(Self.project(of: repository)) is a proxy cache of a remote registry; it cannot be pushed to"
    }

    public func manifest(_ reference: Reference, in repository: RepositoryName) async throws -> PulledManifest? {
        guard let upstream = try await upstream(of: repository) else { return nil }
        let remoteName = Self.remoteName(of: repository)
        switch reference {
        case .digest(let digest):
            if try await localDigest(.digest(digest), in: repository) != nil { return nil }
            return try await fetchAndCache(digest, tag: nil, repository: repository, remoteName: remoteName, upstream: upstream)
        case .tag(let tag):
            // A cached tag an immutability rule of the proxy project protects is pinned: served as cached, whatever
            // the remote says now.
            if try await localDigest(.tag(tag), in: repository) != nil,
               try await manifests.immutableTags(in: repository).guarding(repository.value).isImmutable(tag.value) {
                return nil
            }
            let head: RemoteManifestHead?
            do {
                let client = try await client(for: upstream)
                head = try await withDeadline(headTimeout) { try await client.manifestHead(remoteName, reference: tag.value) }
            } catch {
                // The remote cannot say: the cache answers (or says it does not have the tag).
                logger.info("proxy cache: remote unavailable, serving the cache", metadata: ["repository": "\(repository)", "error": "\(error)"])
                return nil
            }
            guard let digest = head?.digest else { return nil }
            if try await localDigest(.tag(tag), in: repository) == digest { return nil }
            if let local = try await localDigest(.digest(digest), in: repository) {
                // The remote moved the tag to content the cache has: move it here too.
                let record = try await manifests.describe(.digest(local), in: repository, accept: [])
                _ = try await manifests.put(try await manifests.bytes(of: local), contentType: record.mediaType, to: repository,
                                            reference: .tag(tag), by: Self.change)
                return nil
            }
            return try await fetchAndCache(digest, tag: tag, repository: repository, remoteName: remoteName, upstream: upstream)
        }
    }

    public func blob(_ digest: Digest, in repository: RepositoryName, streaming: Bool) async throws -> PulledBlob? {
        guard let upstream = try await upstream(of: repository) else { return nil }
        let relay = streaming ? ChunkRelay() : nil
        guard let started = try await ensureBlob(digest, in: repository, remoteName: Self.remoteName(of: repository), upstream: upstream,
                                                 relay: relay),
              let relay else { return nil }
        // This request started the fetch: it gets the blob as it arrives, unless the fetch failed before sending.
        let length: Int64?
        do {
            length = try await relay.opening()
        } catch {
            relay.cancel()
            _ = try await started.value
            throw error
        }
        return PulledBlob(length: length, next: { try await relay.next() }, cancel: { relay.cancel() })
    }

    // MARK: - Fetching

    /// The remote's manifest `digest`, served now and stored in the background (its blobs first).
    func fetchAndCache(_ digest: Digest, tag: Tag?, repository: RepositoryName, remoteName: String, upstream: Upstream) async throws -> PulledManifest {
        let client = try await client(for: upstream)
        let fetched: RemoteManifest
        do {
            fetched = try await client.manifest(remoteName, reference: digest.description)
        } catch let error as RegistryClientError where error.isNotFound {
            throw DistributionError(.manifestUnknown, "manifest \(digest) is not at the remote registry")
        } catch let error as RegistryClientError {
            throw DistributionError(.unavailable, "the remote registry of this proxy cache failed: \(error)")
        }
        let parsed = try ManifestParser.parse(fetched.bytes, contentType: fetched.mediaType)
        let mediaType = fetched.mediaType.flatMap { $0.isEmpty ? nil : $0 } ?? parsed.mediaType
        let key = "\(repository)@\(digest)"
        let first = state.withLock { $0.manifestFlights.insert(key).inserted }
        if first {
            Task.detached { [self] in
                do {
                    try await store(fetched.bytes, mediaType: mediaType, parsed: parsed, digest: digest, tag: tag, repository: repository,
                                    headStartUntil: .now + clientHeadStart, remoteName: remoteName, upstream: upstream)
                } catch {
                    logger.warning("proxy cache: could not store a manifest", metadata: ["repository": "\(repository)", "digest": "\(digest)",
                                                                                           "error": "\(error)"])
                }
                _ = state.withLock { $0.manifestFlights.remove(key) }
            }
        }
        return PulledManifest(bytes: ByteBuffer(bytes: fetched.bytes), mediaType: mediaType, digest: digest)
    }

    /// Stores a remote manifest with everything it references (an index's manifests, a manifest's blobs), then itself.
    func store(_ bytes: [UInt8], mediaType: String, parsed: ParsedManifest, digest: Digest, tag: Tag?, repository: RepositoryName,
               headStartUntil: ContinuousClock.Instant, remoteName: String, upstream: Upstream) async throws {
        let client = try await client(for: upstream)
        for child in parsed.manifests where try await localDigest(.digest(child), in: repository) == nil {
            let fetched = try await client.manifest(remoteName, reference: child.description)
            let childParsed = try ManifestParser.parse(fetched.bytes, contentType: fetched.mediaType)
            try await store(fetched.bytes, mediaType: fetched.mediaType.flatMap { $0.isEmpty ? nil : $0 } ?? childParsed.mediaType, parsed: childParsed,
                            digest: child, tag: nil, repository: repository, headStartUntil: headStartUntil, remoteName: remoteName, upstream: upstream)
        }
        await waitForClientFetches(of: parsed.blobs, in: repository, until: headStartUntil)
        for blob in parsed.blobs { try await ensureBlob(blob, in: repository, remoteName: remoteName, upstream: upstream) }
        _ = try await manifests.put(ByteBuffer(bytes: bytes), contentType: mediaType, to: repository,
                                    reference: tag.map { .tag($0) } ?? .digest(digest), by: Self.change)
    }

    /// Gives the client that pulled a manifest a head start (Harbor's proxy cache does the same): its blob requests
    /// start the fetches, so they stream to it as they arrive. Returns once every blob is stored or being fetched, or
    /// at `deadline` (`clientHeadStart` after the manifest was served); the blobs nobody asked for are then fetched by
    /// the cache itself.
    func waitForClientFetches(of digests: [Digest], in repository: RepositoryName, until deadline: ContinuousClock.Instant) async {
        var waiting = digests
        while !waiting.isEmpty, ContinuousClock.now < deadline {
            let flying = state.withLock { state in Set(waiting.filter { state.blobFlights["\(repository)@\($0)"] != nil }) }
            var still: [Digest] = []
            for digest in waiting where !flying.contains(digest) {
                if (try? await blobs.size(of: digest, in: repository)) == nil { still.append(digest) }
            }
            waiting = still
            if !waiting.isEmpty { try? await Task.sleep(for: .milliseconds(100)) }
        }
    }

    /// Fetches blob `digest` into storage unless it is there; concurrent callers share one fetch. The caller that
    /// starts the fetch gets it back (without waiting for it), and `relay` receives the blob's chunks as they arrive;
    /// every other caller waits until the blob is stored (or the fetch failed) and gets nil.
    @discardableResult
    func ensureBlob(_ digest: Digest, in repository: RepositoryName, remoteName: String, upstream: Upstream,
                    relay: ChunkRelay? = nil) async throws -> Task<Void, any Error>? {
        if (try? await blobs.size(of: digest, in: repository)) != nil { return nil }
        let key = "\(repository)@\(digest)"
        let (flight, started) = state.withLock { current -> (Task<Void, any Error>, Bool) in
            if let running = current.blobFlights[key] { return (running, false) }
            let task = Task<Void, any Error> { [self] in
                defer { _ = state.withLock { $0.blobFlights.removeValue(forKey: key) } }
                do {
                    try await fetch(digest, into: repository, remoteName: remoteName, upstream: upstream, relay: relay)
                    relay?.finish()
                } catch {
                    relay?.finish(error)
                    throw error
                }
            }
            current.blobFlights[key] = task
            return (task, true)
        }
        if started, relay != nil { return flight }
        try await flight.value
        return started ? flight : nil
    }

    /// Downloads blob `digest` from the remote into this registry's storage, handing its chunks to `relay` too.
    func fetch(_ digest: Digest, into repository: RepositoryName, remoteName: String, upstream: Upstream, relay: ChunkRelay?) async throws {
        if (try? await blobs.size(of: digest, in: repository)) != nil { return }
        let client = try await client(for: upstream)
        let remoteBlob: RemoteBlob
        do {
            remoteBlob = try await client.blob(remoteName, digest: digest)
        } catch let error as RegistryClientError where error.isNotFound {
            throw DistributionError(.blobUnknown, "blob \(digest) is not at the remote registry")
        } catch let error as RegistryClientError {
            throw DistributionError(.unavailable, "the remote registry of this proxy cache failed: \(error)")
        }
        relay?.open(length: remoteBlob.announcedLength)
        _ = try await uploads.uploadMonolithic(RelayedChunks(blob: remoteBlob, relay: relay), to: repository, owner: "proxy-cache", digest: digest,
                                               contentLength: remoteBlob.announcedLength)
    }

    // MARK: - Helpers

    /// The project's upstream, looked up at most every ten seconds.
    func upstream(of repository: RepositoryName) async throws -> Upstream? {
        let project = Self.project(of: repository)
        if let cached = state.withLock({ $0.projects[project] }), cached.until > .now { return cached.upstream }
        let upstream = try await upstreamOf(project)
        state.withLock { $0.projects[project] = (upstream, .now + .seconds(10)) }
        return upstream
    }

    /// A client for the upstream, kept for a minute (its tokens with it).
    func client(for upstream: Upstream) async throws -> RegistryClient {
        let key = "\(upstream.registryID)/\(upstream.speedKB)"
        if let cached = state.withLock({ $0.clients[key] }), cached.until > .now { return cached.client }
        let client = try await remote(upstream.registryID, upstream.speedKB > 0 ? Int64(upstream.speedKB) * 1024 : nil)
        let replaced = state.withLock { state -> RegistryClient? in
            let old = state.clients[key]?.client
            state.clients[key] = (client, .now + .seconds(60))
            return old
        }
        if let replaced {
            // Requests still using it finish first.
            Task { try? await Task.sleep(for: .seconds(120)); await replaced.shutdown() }
        }
        return client
    }

    /// The digest `reference` names here, if it is here.
    func localDigest(_ reference: Reference, in repository: RepositoryName) async throws -> Digest? {
        do {
            return try await manifests.describe(reference, in: repository, accept: []).digest
        } catch let error as DistributionError where [.manifestUnknown, .nameUnknown].contains(error.code) {
            return nil
        }
    }

    static func project(of repository: RepositoryName) -> String {
        String(repository.value.split(separator: "/", maxSplits: 1).first ?? "")
    }

    /// The repository at the remote: the name without the proxy project.
    static func remoteName(of repository: RepositoryName) -> String {
        let parts = repository.value.split(separator: "/", maxSplits: 1)
        return parts.count > 1 ? String(parts[1]) : repository.value
    }

    /// Runs `body`, or throws when it takes longer than `limit`.
    func withDeadline<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw CancellationError() }
            return value
        }
    }
}

/// A remote blob's chunks on their way into storage, each handed to a relay first (when there is one).
struct RelayedChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let blob: RemoteBlob
    let relay: ChunkRelay?

    struct AsyncIterator: AsyncIteratorProtocol {
        let blob: RemoteBlob
        let relay: ChunkRelay?
        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await blob.next() else { return nil }
            await relay?.send(chunk)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(blob: blob, relay: relay) }
}
