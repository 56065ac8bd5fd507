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
        if let pullThrough {
            // A whole-blob GET of a blob a proxy cache fetches now is streamed as it arrives; HEAD and ranges wait
            // for it to be stored.
            let streaming = request.method == .get && request.headers[.range] == nil
            if let pulled = try await pullThrough.blob(digest, in: name, streaming: streaming) {
                if let length = pulled.length { headers[.contentLength] = String(length) }
                return Response(status: .ok, headers: headers, body: Self.relayed(pulled))
            }
        }
        if request.method == .head {
            let size = try await blobs.confirm(digest, in: name)
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

    /// The body of a blob streamed as a proxy cache receives it.
    static func relayed(_ pulled: PulledBlob) -> ResponseBody {
        let write: @Sendable (inout any ResponseBodyWriter) async throws -> Void = { writer in
            defer { pulled.cancel() }
            while let chunk = try await pulled.next() { try await writer.write(chunk) }
            try await writer.finish(nil)
        }
        return ResponseBody(contentLength: pulled.length.map { Int($0) }, write)
    }

    func deleteBlob(_ name: RepositoryName, _ digest: Digest, _ change: ChangeContext) async throws -> Response {
        try await blobs.delete(digest, in: name, by: change)
        return Response(status: .accepted, headers: [.contentLength: "0"])
    }
}
