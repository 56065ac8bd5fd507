import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import OCI

/// A manifest as a remote registry served it.
public struct RemoteManifest: Sendable {
    /// The manifest bytes.
    public let bytes: [UInt8]
    /// Its media type (the response's `Content-Type`).
    public let mediaType: String?
    /// Its digest (computed from the bytes).
    public let digest: Digest
}

extension RegistryClient {
    /// Every manifest type a client of Berth may meet, for `Accept`.
    public static let manifestAccept = [MediaType.ociManifest, MediaType.ociIndex, MediaType.dockerManifest, MediaType.dockerManifestList]
        .joined(separator: ", ")

    /// The largest manifest read (as distribution's limit).
    public static let manifestLimit = 4 << 20

    /// `GET /v2/` — whether the registry answers and the credentials are accepted.
    public func ping() async throws {
        let response = try await send(.GET, "/v2/", scope: nil, deadline: .seconds(30))
        let drained = await Self.drain(response)
        guard response.status == 200 else { throw Self.failure(response, body: drained, what: "/v2/") }
    }

    /// The manifest `reference` (tag or digest) of `repository`. A manifest asked for by digest must match it.
    public func manifest(_ repository: String, reference: String) async throws -> RemoteManifest {
        let response = try await send(.GET, "/v2/\(repository)/manifests/\(reference)", scope: "repository:\(repository):pull",
                                      headers: ["Accept": Self.manifestAccept], deadline: .seconds(60))
        guard response.status == 200 else { throw try await Self.failure(response, what: "manifest \(repository):\(reference)") }
        let body = try await response.body.collect(upTo: Self.manifestLimit)
        let bytes = Array(buffer: body)
        let expected = try? Digest(parsing: reference)
        let digest = Digest.compute(expected?.algorithm ?? .sha256, of: bytes)
        if let expected, expected != digest {
            throw RegistryClientError.digestMismatch(expected: expected.description, actual: digest.description)
        }
        return RemoteManifest(bytes: bytes, mediaType: response.headers.first(name: "Content-Type"), digest: digest)
    }

    /// The blob `digest` of `repository` as a stream that checks the digest (and the size, when given) as it ends.
    public func blob(_ repository: String, digest: Digest, size: Int64? = nil) async throws -> RemoteBlob {
        let response = try await send(.GET, "/v2/\(repository)/blobs/\(digest)", scope: "repository:\(repository):pull",
                                      deadline: .hours(6))
        guard response.status == 200 else { throw try await Self.failure(response, what: "blob \(digest) of \(repository)") }
        let announced = response.headers.first(name: "Content-Length").flatMap { Int64($0) }.flatMap { $0 >= 0 ? $0 : nil }
        return RemoteBlob(body: response.body, digest: digest, size: size, limiter: limiter, announcedLength: announced)
    }

    /// The error for an unexpected answer, with the registry's OCI error code and message when it sent them.
    static func failure(_ response: Response, what: String) async throws -> RegistryClientError {
        failure(response, body: (try? await response.body.collect(upTo: 64 * 1024)).map { Data(buffer: $0) } ?? Data(), what: what)
    }

    /// Reads (up to 64 KiB of) a response's body, which can be read only once.
    static func drain(_ response: Response) async -> Data {
        (try? await response.body.collect(upTo: 64 * 1024)).map { Data(buffer: $0) } ?? Data()
    }

    /// The error for an unexpected answer whose body was already read.
    static func failure(_ response: Response, body: Data, what: String) -> RegistryClientError {
        struct Errors: Decodable {
            struct Entry: Decodable { let code: String?; let message: String? }
            let errors: [Entry]?
        }
        let first = (try? JSONDecoder().decode(Errors.self, from: body))?.errors?.first
        if response.status == 401 {
            return .unauthorized("\(what): \(first?.message ?? "the registry refused the credentials")")
        }
        return .status(response.status, code: first?.code, message: first?.message.map { String($0.prefix(300)) } ?? what,
                       url: response.url)
    }
}

/// A blob being downloaded, chunk by chunk, checked against its digest at the end (a part of a blob, read from an
/// offset, is checked for its length only). Used by one task at a time.
public final class RemoteBlob: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var hasher: DigestHasher?
    private let digest: Digest?
    private let size: Int64?
    private let limiter: BandwidthLimiter?
    private var received: Int64 = 0
    private var finished = false
    /// The length the registry announced (`Content-Length`), if it did.
    public let announcedLength: Int64?

    init(body: HTTPClientResponse.Body, digest: Digest?, size: Int64?, limiter: BandwidthLimiter?, announcedLength: Int64? = nil) {
        self.announcedLength = announcedLength
        iterator = body.makeAsyncIterator()
        hasher = digest.map { DigestHasher($0.algorithm) }
        self.digest = digest
        self.size = size
        self.limiter = limiter
    }

    /// The next chunk; nil at the end, after the digest (and size) were found right. Throws on a mismatch.
    public func next() async throws -> ByteBuffer? {
        guard !finished else { return nil }
        guard let chunk = try await iterator.next() else {
            finished = true
            if let size, received != size {
                throw RegistryClientError.invalidResponse("blob \(digest?.description ?? "part") ended after \(received) of \(size) bytes")
            }
            if let hasher, let digest {
                let actual = hasher.digest()
                guard actual == digest else { throw RegistryClientError.digestMismatch(expected: digest.description, actual: actual.description) }
            }
            return nil
        }
        received += Int64(chunk.readableBytes)
        if let size, received > size {
            finished = true
            throw RegistryClientError.invalidResponse("blob \(digest?.description ?? "part") is longer than its \(size) bytes")
        }
        if hasher != nil { chunk.withUnsafeReadableBytes { hasher!.update($0) } }
        await limiter?.take(chunk.readableBytes)
        return chunk
    }
}
