import Foundation
import Hummingbird
import Management
import Metadata
import NIOCore
import OCI

/// Turns every error on `/api/v2.0` into Harbor's `{"errors":[{"code","message"}]}` with its status. This is the only
/// place management-API errors are rendered.
struct APIErrorMiddleware: RouterMiddleware {
    typealias Context = BerthRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return Self.render(error)
        } catch let error as DistributionError {
            // A registry service's refusal reached the management API (a disabled delete, a vanished artifact).
            return Self.render(Self.apiError(error))
        } catch let error as QuotaExceeded {
            // A copy into a project that would pass its storage limit.
            return Self.render(APIError.forbidden(error.description))
        } catch let error as ListQueryError {
            return Self.render(APIError.badRequest(error.description))
        } catch let error as DecodingError {
            return Self.render(APIError.badRequest("malformed JSON body: \(Self.describe(error))"))
        } catch where BodyFailure(error) != nil {
            let body = BodyFailure(error)!
            if case .tooLarge = body { return Self.render(APIError(.payloadTooLarge, body.message)) }
            return Self.render(APIError.badRequest(body.message))
        } catch let error as HTTPError {
            switch error.status {
            case .contentTooLarge: return Self.render(APIError(.payloadTooLarge, "request body is too large"))
            case .notFound: return Self.render(APIError(.notFound, "no such API endpoint"))
            case .methodNotAllowed: return Self.render(APIError(.methodNotAllowed, "method not allowed"))
            default:
                let code: APIError.Code = error.status.code < 500 ? .badRequest : .internalError
                return Self.render(APIError(code, error.body ?? error.status.reasonPhrase))
            }
        } catch {
            context.logger.error("management request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return Self.render(APIError(.internalError, "internal error; the server logged the details"))
        }
    }

    static func render(_ error: APIError) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: ["errors": [["code": error.code.rawValue, "message": error.message]]],
                                                 options: [.withoutEscapingSlashes])) ?? Data("{}".utf8)
        var headers: HTTPFields = [.contentType: "application/json", .contentLength: String(data.count)]
        if error.code == .unauthorized { headers[.wwwAuthenticate] = "Basic realm=\"berth\"" }
        return Response(status: HTTPResponse.Status(code: error.code.httpStatus), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The management API's form of a registry service's error.
    static func apiError(_ error: DistributionError) -> APIError {
        switch error.httpStatus {
        case 404: return APIError(.notFound, error.message)
        case 405: return APIError(.methodNotAllowed, error.message)
        case 401: return APIError(.unauthorized, error.message)
        case 403: return APIError(.forbidden, error.message)
        case 409: return APIError(.conflict, error.message)
        case 412: return APIError(.preconditionFailed, error.message)
        case 413: return APIError(.payloadTooLarge, error.message)
        case 429: return APIError(.tooManyRequests, error.message)
        case 400 ..< 500: return APIError(.badRequest, error.message)
        default: return APIError(.internalError, error.message)
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "the body is not valid JSON of the expected shape" : "problem at \(path)"
        @unknown default:
            return "the body is not valid JSON of the expected shape"
        }
    }
}
