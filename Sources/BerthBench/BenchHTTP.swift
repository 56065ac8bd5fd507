import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OCI

/// Just enough of the distribution API to drive load, on AsyncHTTPClient.
struct BenchHTTP: Sendable {
    let client: HTTPClient
    let base: String
    /// `Authorization` header sent with every request, when the registry requires authentication.
    var authorization: String? = nil

    /// Sends a request, drains the response, and returns status and headers.
    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: HTTPClientRequest.Body? = nil,
              expect: Set<UInt> = []) async throws -> (status: UInt, headers: HTTPHeaders, bytes: Int) {
        var request = HTTPClientRequest(url: path.hasPrefix("http") ? path : base + path)
        request.method = method
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        if let body { request.body = body }
        let response: HTTPClientResponse
        do { response = try await client.execute(request, timeout: .seconds(600)) } catch {
            throw BenchError("\(method) \(path): \(error)")
        }
        var bytes = 0
        var start = ByteBuffer()  // the first bytes of the body, for the error of an unexpected status
        if method != .HEAD {
            do {
                for try await var chunk in response.body {
                    bytes += chunk.readableBytes
                    if start.readableBytes < 600 { start.writeBuffer(&chunk) }
                }
            } catch {
                throw BenchError("\(method) \(path), reading the body: \(error)")
            }
        }
        if !expect.isEmpty, !expect.contains(response.status.code) {
            throw BenchError("\(method) \(path) answered \(response.status.code): \(String(buffer: start).prefix(600))")
        }
        return (response.status.code, response.headers, bytes)
    }

    /// Median and p99 latency (ms) of `samples` sequential GETs of `path` that must answer 200, after `warmUp`
    /// unmeasured ones.
    func latency(of path: String, headers: [(String, String)] = [], samples: Int, warmUp: Int = 0) async throws -> (Double, Double) {
        for _ in 0 ..< warmUp { try await send(.GET, path, headers: headers, expect: [200]) }
        var values: [Double] = []
        for _ in 0 ..< samples {
            let start = ContinuousClock.now
            try await send(.GET, path, headers: headers, expect: [200])
            values.append(seconds(since: start) * 1000)
        }
        return (percentile(values, 0.5), percentile(values, 0.99))
    }

    func absolute(_ location: String) -> String { location.hasPrefix("http") ? location : base + location }

    func withDigest(_ location: String, _ digest: Digest) -> String {
        absolute(location) + (location.contains("?") ? "&" : "?") + "digest=\(digest)"
    }

    /// POST then one PUT with the whole body.
    func pushMonolithic(_ repository: String, _ blob: GeneratedBlob) async throws {
        let start = try await send(.POST, "/v2/\(repository)/blobs/uploads/", expect: [202])
        guard let location = start.headers.first(name: "Location") else { throw BenchError("no Location") }
        try await send(.PUT, withDigest(location, blob.digest), headers: [("Content-Type", "application/octet-stream")],
                       body: .stream(blob.pieces.async, length: .known(Int64(blob.size))), expect: [201])
    }

    /// POST, PATCH chunks of `chunkBytes`, then PUT with the digest.
    func pushChunked(_ repository: String, _ blob: GeneratedBlob, chunkBytes: Int) async throws {
        let start = try await send(.POST, "/v2/\(repository)/blobs/uploads/", expect: [202])
        guard var location = start.headers.first(name: "Location") else { throw BenchError("no Location") }
        var offset = 0
        let piecesPerChunk = Swift.max(1, chunkBytes / blob.pieceSize)
        var index = 0
        while index < blob.pieces.count {
            let slice = Array(blob.pieces[index ..< Swift.min(index + piecesPerChunk, blob.pieces.count)])
            let length = slice.reduce(0) { $0 + $1.readableBytes }
            let r = try await send(.PATCH, absolute(location), headers: [
                ("Content-Type", "application/octet-stream"), ("Content-Range", "\(offset)-\(offset + length - 1)"),
            ], body: .stream(slice.async, length: .known(Int64(length))), expect: [202])
            location = r.headers.first(name: "Location") ?? location
            offset += length
            index += piecesPerChunk
        }
        try await send(.PUT, withDigest(location, blob.digest), expect: [201])
    }

    /// Small blob by POST + PUT.
    func pushSmall(_ repository: String, _ bytes: [UInt8]) async throws -> Digest {
        let digest = Digest.compute(of: bytes)
        let start = try await send(.POST, "/v2/\(repository)/blobs/uploads/", expect: [202])
        guard let location = start.headers.first(name: "Location") else { throw BenchError("no Location") }
        try await send(.PUT, withDigest(location, digest), headers: [("Content-Type", "application/octet-stream")],
                       body: .bytes(ByteBuffer(bytes: bytes)), expect: [201])
        return digest
    }

    func pushManifest(_ repository: String, _ reference: String, _ manifest: [UInt8]) async throws {
        try await send(.PUT, "/v2/\(repository)/manifests/\(reference)", headers: [("Content-Type", MediaType.ociManifest)],
                       body: .bytes(ByteBuffer(bytes: manifest)), expect: [201])
    }
}

/// An OCI manifest over a config and layers given by digest and size.
func imageManifest(config: (Digest, Int), layers: [(Digest, Int)]) -> [UInt8] {
    let object: [String: Any] = [
        "schemaVersion": 2, "mediaType": MediaType.ociManifest,
        "config": ["mediaType": "application/vnd.oci.image.config.v1+json", "digest": config.0.description, "size": config.1],
        "layers": layers.map { ["mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": $0.0.description, "size": $0.1] },
    ]
    return Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
}

extension Array where Element == ByteBuffer {
    /// The buffers as an async sequence, for streaming request bodies.
    var async: AsyncBuffers { AsyncBuffers(buffers: self) }
}

/// An async sequence over buffers already in memory, handed out in slices of at most 32 KiB: the writes a Go client
/// (docker, containerd, skopeo: `io.Copy`'s buffer) makes. Whole 1 MiB writes cost the TLS client a fresh 2 MiB
/// ciphertext buffer per write, CPU the benchmark's client then takes from the registry it measures.
struct AsyncBuffers: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let buffers: [ByteBuffer]
    static let sliceSize = 32 * 1024
    struct Iterator: AsyncIteratorProtocol {
        var inner: IndexingIterator<[ByteBuffer]>
        var current: ByteBuffer? = nil
        mutating func next() async -> ByteBuffer? {
            while true {
                if var buffer = current, buffer.readableBytes > 0 {
                    let slice = buffer.readSlice(length: Swift.min(AsyncBuffers.sliceSize, buffer.readableBytes))
                    current = buffer
                    return slice
                }
                guard let buffer = inner.next() else { return nil }
                current = buffer
            }
        }
    }
    func makeAsyncIterator() -> Iterator { Iterator(inner: buffers.makeIterator()) }
}

/// A large random blob held as 1 MiB pieces, with its digest computed up front.
struct GeneratedBlob: Sendable {
    let pieces: [ByteBuffer]
    let digest: Digest
    let size: Int
    let pieceSize: Int

    /// A blob of `size` bytes made from `base` with a per-blob stamp in every piece, so no two blobs share content.
    init(size: Int, base: [UInt8], stamp: UInt64) {
        pieceSize = base.count
        var pieces: [ByteBuffer] = []
        var hasher = DigestHasher(.sha256)
        var made = 0
        var n: UInt64 = 0
        while made < size {
            let length = Swift.min(base.count, size - made)
            var buffer = ByteBuffer(bytes: base[0 ..< length])
            if length >= 16 {
                buffer.setInteger(stamp, at: 0)
                buffer.setInteger(n, at: 8)
            }
            buffer.withUnsafeReadableBytes { hasher.update($0) }
            pieces.append(buffer)
            made += length
            n += 1
        }
        self.pieces = pieces
        self.size = size
        self.digest = hasher.digest()
    }
}
