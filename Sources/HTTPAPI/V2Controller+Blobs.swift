import Hummingbird
import Metadata
import NIOCore
import OCI
import Registry
import Storage

extension V2Controller {
    func getBlob(_ request: Request, _ name: RepositoryName, _ digest: Digest, eventLoop: any EventLoop) async throws -> Response {
        var headers: HTTPFields = [
            HeaderNames.dockerContentDigest: digest.description,
            .contentType: "application/octet-stream",
            HeaderNames.acceptRanges: "bytes",
            .eTag: "\"\(digest)\"",
            .cacheControl: "max-age=31536000",
        ]
        if let pullThrough { try await pullThrough.blob(digest, in: name) }
        if request.method == .head {
            let size = try await blobs.size(of: digest, in: name)
            headers[.contentLength] = String(size)
            return Response(status: .ok, headers: headers, body: ResponseBody())
        }
        if let url = try await blobs.redirect(digest, in: name) {
            return Response(status: .temporaryRedirect, headers: [.location: url, HeaderNames.dockerContentDigest: digest.description, .contentLength: "0"])
        }
        let content = try await blobs.open(digest, in: name, rangeHeader: request.headers[.range])
        let status: HTTPResponse.Status
        let length: Int64
        switch content.range {
        case .unsatisfiable:
            throw DistributionError(.rangeInvalid, "range \(request.headers[.range] ?? "") is outside the blob's \(content.size) bytes",
                                    detail: "bytes */\(content.size)")
        case .whole:
            status = .ok
            length = content.size
        case .partial(let r):
            status = .partialContent
            length = r.upperBound - r.lowerBound
            headers[HeaderNames.contentRange] = "bytes \(r.lowerBound)-\(r.upperBound - 1)/\(content.size)"
        }
        headers[.contentLength] = String(length)
        guard let reader = content.reader else { throw DistributionError(.internalError, "blob reader missing") }
        return Response(status: status, headers: headers, body: PacedResponseBody.make(reader: reader, length: length, eventLoop: eventLoop))
    }

    func deleteBlob(_ name: RepositoryName, _ digest: Digest, _ change: ChangeContext) async throws -> Response {
        try await blobs.delete(digest, in: name, by: change)
        return Response(status: .accepted, headers: [.contentLength: "0"])
    }
}
