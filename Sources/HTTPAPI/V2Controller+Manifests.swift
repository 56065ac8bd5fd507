import Hummingbird
import Metadata
import NIOCore
import OCI
import Registry

extension V2Controller {
    func getManifest(_ request: Request, _ name: RepositoryName, _ reference: Reference, _ grant: RegistryGrant,
                     _ change: ChangeContext) async throws -> Response {
        let accept = request.headers[values: .accept]
        if let pullThrough, let pulled = try await pullThrough.manifest(reference, in: name) {
            // A proxy-cache project's manifest not cached yet: served as the remote sent it, under the project's pull
            // policy and counted like any pull.
            let headers = manifestHeaders(pulled.digest, pulled.mediaType, Int64(pulled.bytes.readableBytes))
            if request.method == .head { return Response(status: .ok, headers: headers) }
            try await pullPolicy?.check(name, pulled.digest, grant)
            await recordPull(name, pulled.digest, reference, pulled.mediaType, Int64(pulled.bytes.readableBytes), change)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: pulled.bytes))
        }
        if request.method == .head {
            let record = try await manifests.describe(reference, in: name, accept: accept)
            return Response(status: .ok, headers: manifestHeaders(record.digest, record.mediaType, record.size))
        }
        let (record, bytes) = try await manifests.fetch(reference, in: name, accept: accept)
        try await pullPolicy?.check(name, record.digest, grant)
        await recordPull(name, record.digest, reference, record.mediaType, record.size, change)
        return Response(status: .ok, headers: manifestHeaders(record.digest, record.mediaType, Int64(bytes.readableBytes)),
                        body: ResponseBody(byteBuffer: bytes))
    }

    /// Counts a manifest pull (and its `PULL_ARTIFACT` event).
    private func recordPull(_ name: RepositoryName, _ digest: Digest, _ reference: Reference, _ mediaType: String, _ size: Int64,
                            _ change: ChangeContext) async {
        var tag: String? = nil
        if case .tag(let t) = reference { tag = t.value }
        await pulls.record(repository: name.value, digest: digest, tag: tag, mediaType: mediaType, size: size, at: Clock.nowMilliseconds(), by: change)
    }

    func putManifest(_ request: Request, _ name: RepositoryName, _ reference: Reference, _ change: ChangeContext) async throws -> Response {
        if let declared = request.contentLength, declared > Int64(ManifestParser.maximumSize) {
            throw DistributionError(.tooLarge, "manifest is larger than \(ManifestParser.maximumSize) bytes")
        }
        let bytes: ByteBuffer
        do {
            bytes = try await request.body.collect(upTo: ManifestParser.maximumSize)
        } catch is NIOTooManyBytesError {
            throw DistributionError(.tooLarge, "manifest is larger than \(ManifestParser.maximumSize) bytes")
        }
        let pushed = try await manifests.put(bytes, contentType: request.headers[.contentType], to: name, reference: reference, by: change)
        var headers: HTTPFields = [
            .location: "/v2/\(name)/manifests/\(pushed.digest)",
            HeaderNames.dockerContentDigest: pushed.digest.description,
            .contentLength: "0",
        ]
        if let subject = pushed.subject { headers[HeaderNames.ociSubject] = subject.description }
        return Response(status: .created, headers: headers)
    }

    func deleteManifest(_ name: RepositoryName, _ reference: Reference, _ change: ChangeContext) async throws -> Response {
        try await manifests.delete(reference, in: name, by: change)
        return Response(status: .accepted, headers: [.contentLength: "0"])
    }

    private func manifestHeaders(_ digest: Digest, _ mediaType: String, _ size: Int64) -> HTTPFields {
        [
            .contentType: mediaType,
            HeaderNames.dockerContentDigest: digest.description,
            .contentLength: String(size),
            .eTag: "\"\(digest)\"",
        ]
    }
}
