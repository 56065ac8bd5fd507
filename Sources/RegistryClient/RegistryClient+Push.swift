import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import OCI

/// What a HEAD of a manifest found.
public struct RemoteManifestHead: Sendable, Equatable {
    /// Its digest (`Docker-Content-Digest`).
    public let digest: Digest?
    /// Its media type.
    public let mediaType: String?
    /// Its size in bytes.
    public let size: Int64?
}

extension RegistryClient {
    /// The size of blob `digest` in `repository`, or nil when the registry does not have it there.
    public func blobSize(_ repository: String, digest: Digest) async throws -> Int64? {
        let response = try await send(.HEAD, "/v2/\(repository)/blobs/\(digest)", scope: "repository:\(repository):pull", deadline: .seconds(60))
        switch response.status {
        case 200: return response.headers.first(name: "Content-Length").flatMap { Int64($0) } ?? 0
        case 404: return nil
        default: throw try await Self.failure(response, what: "blob \(digest) of \(repository)")
        }
    }

    /// The manifest `reference`'s digest, type and size, or nil when it is not there.
    public func manifestHead(_ repository: String, reference: String) async throws -> RemoteManifestHead? {
        let response = try await send(.HEAD, "/v2/\(repository)/manifests/\(reference)", scope: "repository:\(repository):pull",
                                      headers: ["Accept": Self.manifestAccept], deadline: .seconds(60))
        switch response.status {
        case 200:
            return RemoteManifestHead(digest: response.headers.first(name: "Docker-Content-Digest").flatMap { try? Digest(parsing: $0) },
                                      mediaType: response.headers.first(name: "Content-Type"),
                                      size: response.headers.first(name: "Content-Length").flatMap { Int64($0) })
        case 404: return nil
        default: throw try await Self.failure(response, what: "manifest \(repository):\(reference)")
        }
    }

    /// Stores `bytes` as manifest `reference` (a tag, or its digest) of type `mediaType`; returns the digest the registry
    /// reports (checked against the bytes).
    @discardableResult
    public func putManifest(_ repository: String, reference: String, bytes: [UInt8], mediaType: String) async throws -> Digest {
        let response = try await send(.PUT, "/v2/\(repository)/manifests/\(reference)", scope: "repository:\(repository):pull,push",
                                      headers: ["Content-Type": mediaType], body: .bytes(ByteBuffer(bytes: bytes)), deadline: .seconds(120))
        guard response.status == 201 || response.status == 200 else { throw try await Self.failure(response, what: "manifest \(repository):\(reference)") }
        _ = await Self.drain(response)
        let computed = Digest.compute(.sha256, of: bytes)
        if let reported = response.headers.first(name: "Docker-Content-Digest").flatMap({ try? Digest(parsing: $0) }), reported != computed,
           reported.algorithm == .sha256 {
            throw RegistryClientError.digestMismatch(expected: computed.description, actual: reported.description)
        }
        return computed
    }

    /// Mounts blob `digest` from `source` into `repository` (no bytes sent); false when the registry would not mount it
    /// (it then opened an upload, which is abandoned).
    public func mount(_ repository: String, digest: Digest, from source: String) async throws -> Bool {
        let query = "mount=\(digest)&from=\(source.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? source)"
        let response = try await send(.POST, "/v2/\(repository)/blobs/uploads/?\(query)",
                                      scope: "repository:\(repository):pull,push repository:\(source):pull", headers: ["Content-Length": "0"],
                                      deadline: .seconds(60))
        let drained = await Self.drain(response)
        switch response.status {
        case 201: return true
        case 202:
            if let location = response.headers.first(name: "Location") {
                _ = try? await send(.DELETE, absolute(location), scope: "repository:\(repository):pull,push", deadline: .seconds(30))
            }
            return false
        default: throw Self.failure(response, body: drained, what: "mounting \(digest) from \(source) into \(repository)")
        }
    }

    /// Uploads blob `digest` of `size` bytes into `repository` in one request (POST, then a streamed PUT); the registry
    /// checks the digest. `body` gives the bytes.
    public func uploadBlob(_ repository: String, digest: Digest, size: Int64, body: HTTPClientRequest.Body) async throws {
        let location = try await startUpload(repository)
        let separator = location.contains("?") ? "&" : "?"
        let response = try await send(.PUT, absolute(location) + "\(separator)digest=\(digest)", scope: "repository:\(repository):pull,push",
                                      headers: ["Content-Type": "application/octet-stream", "Content-Length": String(size)], body: .stream(body),
                                      deadline: .hours(6))
        let drained = await Self.drain(response)
        guard response.status == 201 else { throw Self.failure(response, body: drained, what: "blob \(digest) into \(repository)") }
    }

    /// Opens an upload session in `repository`; returns its location.
    func startUpload(_ repository: String) async throws -> String {
        let response = try await send(.POST, "/v2/\(repository)/blobs/uploads/", scope: "repository:\(repository):pull,push",
                                      headers: ["Content-Length": "0"], deadline: .seconds(60))
        let drained = await Self.drain(response)
        guard response.status == 202, let location = response.headers.first(name: "Location") else {
            throw Self.failure(response, body: drained, what: "starting an upload into \(repository)")
        }
        return location
    }

    /// The tags of `repository`, following the registry's pages (`n` at a time) to the end.
    public func tags(_ repository: String, pageSize: Int = 1000) async throws -> [String] {
        struct Page: Decodable { let tags: [String]? }
        return try await pages("/v2/\(repository)/tags/list?n=\(max(1, min(pageSize, 10_000)))", scope: "repository:\(repository):pull") { data in
            (try JSONDecoder().decode(Page.self, from: data)).tags ?? []
        }
    }

    /// The repositories of the registry's catalog, following its pages to the end.
    public func catalog(pageSize: Int = 1000) async throws -> [String] {
        struct Page: Decodable { let repositories: [String]? }
        return try await pages("/v2/_catalog?n=\(max(1, min(pageSize, 10_000)))", scope: "registry:catalog:*") { data in
            (try JSONDecoder().decode(Page.self, from: data)).repositories ?? []
        }
    }

    /// The referrers of `digest` (the descriptors of the referrers index), optionally of one artifact type.
    public func referrers(_ repository: String, digest: Digest, artifactType: String? = nil) async throws -> [[String: String]] {
        let filter = artifactType.map { "?artifactType=\($0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? $0)" } ?? ""
        let response = try await send(.GET, "/v2/\(repository)/referrers/\(digest)\(filter)", scope: "repository:\(repository):pull",
                                      headers: ["Accept": MediaType.ociIndex], deadline: .seconds(60))
        guard response.status == 200 else { throw try await Self.failure(response, what: "referrers of \(digest)") }
        let body = try await response.body.collect(upTo: Self.manifestLimit)
        guard let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
            throw RegistryClientError.invalidResponse("the referrers answer is not a JSON object")
        }
        return (object["manifests"] as? [[String: Any]] ?? []).map { entry in
            var flat: [String: String] = [:]
            for key in ["mediaType", "digest", "artifactType"] { if let value = entry[key] as? String { flat[key] = value } }
            if let size = entry["size"] as? Int { flat["size"] = String(size) }
            return flat
        }
    }

    /// Deletes manifest `digest` of `repository`; false when it was not there.
    @discardableResult
    public func deleteManifest(_ repository: String, digest: Digest) async throws -> Bool {
        let response = try await send(.DELETE, "/v2/\(repository)/manifests/\(digest)", scope: "repository:\(repository):delete", deadline: .seconds(60))
        let drained = await Self.drain(response)
        switch response.status {
        case 202, 200: return true
        case 404: return false
        default: throw Self.failure(response, body: drained, what: "deleting \(repository)@\(digest)")
        }
    }

    /// Reads every page of a paged listing (RFC 5988 `Link: <…>; rel="next"`); at most 100,000 pages.
    func pages(_ first: String, scope: String, _ decode: (Data) throws -> [String]) async throws -> [String] {
        var items: [String] = []
        var next: String? = first
        var count = 0
        while let path = next, count < 100_000 {
            count += 1
            let response = try await send(.GET, path, scope: scope, deadline: .seconds(60))
            guard response.status == 200 else { throw try await Self.failure(response, what: path) }
            let body = try await response.body.collect(upTo: 16 << 20)
            do {
                items += try decode(Data(buffer: body))
            } catch {
                throw RegistryClientError.invalidResponse("\(path) is not the expected JSON")
            }
            next = response.headers.first(name: "Link").flatMap(Self.nextLink)
        }
        return items
    }

    /// The target of a `Link` header's `rel="next"`.
    static func nextLink(_ header: String) -> String? {
        for part in header.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.dropFirst().contains(where: { $0.replacingOccurrences(of: " ", with: "") == "rel=\"next\"" || $0 == "rel=next" }),
                  let target = fields.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
            return String(target.dropFirst().dropLast())
        }
        return nil
    }

    /// `location` made absolute against the registry (upload locations may be relative).
    func absolute(_ location: String) -> String {
        if location.hasPrefix("http://") || location.hasPrefix("https://") { return location }
        return baseURL + (location.hasPrefix("/") ? "" : "/") + location
    }
}
