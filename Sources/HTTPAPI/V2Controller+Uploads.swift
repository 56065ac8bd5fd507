import Hummingbird
import NIOCore
import OCI
import Registry

extension V2Controller {
    func startUpload(_ request: Request, _ name: RepositoryName, _ grant: RegistryGrant, _ context: BerthRequestContext) async throws -> Response {
        let owner = grant.uploadOwner(clientAddress: request.clientAddress(context))
        if let mount = request.query("mount") {
            let digest = try Digest(parsing: mount)
            if let from = request.query("from"), let source = try? RepositoryName(from), try await grant.permits(source, .pull),
               try await blobs.mount(digest, from: source, into: name) != nil {
                return created(blob: digest, in: name)
            }
        } else if let digestText = request.query("digest") {
            let digest = try Digest(parsing: digestText)
            let stored = try await uploads.uploadMonolithic(request.body, to: name, owner: owner, digest: digest, contentLength: request.contentLength)
            return created(blob: stored, in: name)
        }
        let status = try await uploads.start(in: name, owner: owner)
        return uploadProgress(status, in: name, httpStatus: .accepted)
    }

    func uploadStatus(_ name: RepositoryName, _ id: UploadID) async throws -> Response {
        uploadProgress(try await uploads.status(id, in: name), in: name, httpStatus: .noContent)
    }

    func patchUpload(_ request: Request, _ name: RepositoryName, _ id: UploadID) async throws -> Response {
        let range = try chunkRange(request)
        let status = try await uploads.append(request.body, to: id, in: name, range: range, contentLength: request.contentLength)
        return uploadProgress(status, in: name, httpStatus: .accepted)
    }

    func finishUpload(_ request: Request, _ name: RepositoryName, _ id: UploadID) async throws -> Response {
        guard let digestText = request.query("digest") else {
            throw DistributionError(.digestInvalid, "closing an upload needs ?digest= with the digest of the whole blob")
        }
        let digest = try Digest(parsing: digestText)
        let range = try chunkRange(request)
        let stored = try await uploads.finish(id, in: name, digest: digest, lastChunk: request.body, range: range, contentLength: request.contentLength)
        return created(blob: stored, in: name)
    }

    func cancelUpload(_ name: RepositoryName, _ id: UploadID) async throws -> Response {
        try await uploads.cancel(id, in: name)
        return Response(status: .noContent)
    }

    private func chunkRange(_ request: Request) throws(DistributionError) -> ChunkRange? {
        guard let header = request.headers[.contentRange] else { return nil }
        guard let range = ChunkRange(header: header) else {
            throw DistributionError(.rangeInvalid, "Content-Range \"\(header.prefix(60))\" is not a byte range <start>-<end> with 0 <= start <= end < 2^63-1")
        }
        return range
    }

    private func created(blob digest: Digest, in name: RepositoryName) -> Response {
        Response(status: .created, headers: [
            .location: "/v2/\(name)/blobs/\(digest)",
            HeaderNames.dockerContentDigest: digest.description,
            .contentLength: "0",
        ])
    }

    private func uploadProgress(_ status: UploadStatus, in name: RepositoryName, httpStatus: HTTPResponse.Status) -> Response {
        Response(status: httpStatus, headers: [
            .location: "/v2/\(name)/blobs/uploads/\(status.id)",
            HeaderNames.range: "0-\(max(status.size - 1, 0))",
            HeaderNames.dockerUploadUUID: status.id.value,
            .contentLength: "0",
        ])
    }
}
