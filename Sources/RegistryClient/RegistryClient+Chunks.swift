import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OCI

/// An upload session in a remote registry: where to send the next chunk. It can be kept (it is Codable) so an
/// interrupted copy continues where the registry says it stands.
public struct RemoteUpload: Sendable, Codable, Equatable {
    /// The repository.
    public let repository: String
    /// The session's location (absolute).
    public let location: String

    /// A session as recorded earlier.
    public init(repository: String, location: String) {
        self.repository = repository
        self.location = location
    }
}

extension RegistryClient {
    /// Opens an upload session in `repository` for chunked uploads.
    public func beginUpload(_ repository: String) async throws -> RemoteUpload {
        RemoteUpload(repository: repository, location: absolute(try await startUpload(repository)))
    }

    /// How many bytes the registry holds of `upload` (`GET` on the session: its `Range: 0-N`), so an interrupted upload
    /// continues from there instead of from zero. Nil when the session is gone (expired, or the registry restarted).
    public func uploadedBytes(_ upload: RemoteUpload) async throws -> Int64? {
        let response = try await send(.GET, upload.location, scope: "repository:\(upload.repository):pull,push", deadline: .seconds(60))
        let drained = await Self.drain(response)
        switch response.status {
        case 204, 200:
            guard let range = response.headers.first(name: "Range") else { return 0 }
            return Self.rangeEnd(range).map { $0 + 1 } ?? 0
        case 404: return nil
        default: throw Self.failure(response, body: drained, what: "the upload session of \(upload.repository)")
        }
    }

    /// Sends `chunk` as the bytes from `offset` (`PATCH` with `Content-Range`); returns the session's next location.
    public func uploadChunk(_ upload: RemoteUpload, offset: Int64, chunk: ByteBuffer) async throws -> RemoteUpload {
        let length = Int64(chunk.readableBytes)
        guard length > 0, offset >= 0, offset <= Int64.max - length else { throw RegistryClientError.invalidResponse("an empty or impossible chunk") }
        let response = try await send(.PATCH, upload.location, scope: "repository:\(upload.repository):pull,push",
                                      headers: ["Content-Type": "application/octet-stream", "Content-Range": "\(offset)-\(offset + length - 1)",
                                                "Content-Length": String(length)],
                                      body: .bytes(chunk), deadline: .minutes(30))
        let drained = await Self.drain(response)
        guard response.status == 202 else { throw Self.failure(response, body: drained, what: "a chunk of the upload into \(upload.repository)") }
        return RemoteUpload(repository: upload.repository, location: absolute(response.headers.first(name: "Location") ?? upload.location))
    }

    /// Closes `upload` as blob `digest` (`PUT ?digest=` without a body); the registry checks the digest.
    public func finishUpload(_ upload: RemoteUpload, digest: Digest) async throws {
        let separator = upload.location.contains("?") ? "&" : "?"
        let response = try await send(.PUT, upload.location + "\(separator)digest=\(digest)", scope: "repository:\(upload.repository):pull,push",
                                      headers: ["Content-Length": "0"], deadline: .minutes(10))
        let drained = await Self.drain(response)
        guard response.status == 201 else { throw Self.failure(response, body: drained, what: "finishing blob \(digest) in \(upload.repository)") }
    }

    /// Blob `digest` from byte `offset` on (a `Range` request, for continuing a copy), as chunks; the size is checked
    /// when given, the digest by the destination.
    public func blob(_ repository: String, digest: Digest, from offset: Int64, size: Int64) async throws -> RemoteBlob {
        guard offset > 0 else { return try await blob(repository, digest: digest, size: size) }
        guard offset < size else { throw RegistryClientError.invalidResponse("offset \(offset) is past the blob's \(size) bytes") }
        let response = try await send(.GET, "/v2/\(repository)/blobs/\(digest)", scope: "repository:\(repository):pull",
                                      headers: ["Range": "bytes=\(offset)-\(size - 1)"], deadline: .hours(6))
        guard response.status == 206 else {
            _ = await Self.drain(response)
            throw RegistryClientError.invalidResponse("the registry did not answer the range request for \(digest) with 206 (\(response.status))")
        }
        return RemoteBlob(body: response.body, digest: nil, size: size - offset, limiter: limiter)
    }

    /// The last byte of a `Range: 0-N` (or `bytes=0-N`) header.
    static func rangeEnd(_ header: String) -> Int64? {
        let value = header.hasPrefix("bytes=") ? String(header.dropFirst(6)) : header
        guard let dash = value.firstIndex(of: "-") else { return nil }
        return Int64(value[value.index(after: dash)...].trimmingCharacters(in: .whitespaces))
    }
}
