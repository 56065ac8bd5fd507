import Foundation
import Hummingbird
import Logging
import Metadata
import NIOCore
import OCI

/// Turns every error on `/v2` into the OCI error envelope with its status, and stamps
/// `Docker-Distribution-API-Version` on every response. This is the only place `/v2` errors are rendered.
struct DistributionErrorMiddleware: RouterMiddleware {
    typealias Context = BerthRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as DistributionError {
            response = Self.render(error, head: request.method == .head)
        } catch let error as QuotaExceeded {
            // Harbor answers DENIED so that clients stop instead of retrying.
            response = Self.render(DistributionError(.denied, error.description), head: request.method == .head)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            response = Self.render(DistributionError(.tooLarge, "request body is too large"), head: request.method == .head)
        } catch where BodyFailure(error) != nil {
            let body = BodyFailure(error)!
            let code: DistributionErrorCode = if case .tooLarge = body { .tooLarge } else { .sizeInvalid }
            response = Self.render(DistributionError(code, body.message), head: request.method == .head)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            response = Self.render(DistributionError(.internalError, "internal error; the registry logged the details"), head: request.method == .head)
        }
        response.headers[HeaderNames.distributionAPIVersion] = "registry/2.0"
        return response
    }

    static func render(_ error: DistributionError, head: Bool) -> Response {
        var entry: [String: Any] = ["code": error.code.wireCode, "message": error.message]
        if let detail = error.detail { entry["detail"] = detail }
        let data = (try? JSONSerialization.data(withJSONObject: ["errors": [entry]], options: [.withoutEscapingSlashes])) ?? Data("{}".utf8)
        var headers: HTTPFields = [.contentType: "application/json", .contentLength: String(data.count)]
        if let challenge = error.challenge { headers[.wwwAuthenticate] = challenge }
        if error.code == .rangeInvalid, let detail = error.detail, detail.hasPrefix("bytes */") {
            headers[HeaderNames.contentRange] = detail
        }
        let status = HTTPResponse.Status(code: error.httpStatus)
        return Response(status: status, headers: headers, body: head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
