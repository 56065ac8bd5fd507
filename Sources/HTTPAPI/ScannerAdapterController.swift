import Auth
import Foundation
import HTTPTypes
import Hummingbird
import Management
import NIOCore
import Scanning

/// Harbor's scanner-adapter API (`/api/v1`: metadata, scan, report), serving Berth's built-in scanner to a Harbor or
/// another Berth that registers it. Callers authenticate as on the management API (Basic or a bearer token).
public struct ScannerAdapterController: Sendable {
    let service: ScannerAdapterService
    let authenticator: Authenticator
    let sessions: SessionService
    let auditLog: AuditLogService
    let authEnabled: Bool

    /// Creates the controller.
    public init(environment: ManagementEnvironment, authenticator: Authenticator, sessions: SessionService, authEnabled: Bool) {
        service = ScannerAdapterService(environment)
        self.authenticator = authenticator
        self.sessions = sessions
        auditLog = AuditLogService(environment)
        self.authEnabled = authEnabled
    }

    /// Registers the `/api/v1` routes on `router`.
    public func register(on router: Router<BerthRequestContext>) {
        let api = router.group("/api/v1")
            .add(middleware: ScannerAdapterErrorMiddleware())
            .add(middleware: ManagementAuthMiddleware(authenticator: authenticator, sessions: sessions, auditLog: auditLog, enabled: authEnabled))
        api.get("metadata") { request, context in
            Self.respond(.ok, ScannerAdapterProtocol.metadataType, try await service.metadata(context.caller(request)))
        }
        api.post("scan") { request, context in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let id = try await service.accept(Data(buffer: body), context.caller(request))
            return Self.respond(.accepted, ScannerAdapterProtocol.scanResponseType, try JSONEncoder().encode(["id": id]))
        }
        api.get("scan/{id}/report") { request, context in
            let state = try await service.report(id: try context.pathParameter("id"), accept: request.headers[.accept],
                                                 sbomMediaType: request.uri.queryParameters["sbom_media_type"].map(String.init), context.caller(request))
            switch state {
            case .pending(let retryAfter):
                return Response(status: .found, headers: [HTTPField.Name("Refresh-After")!: String(retryAfter), .contentLength: "0"])
            case .ready(let contentType, let body):
                return Self.respond(.ok, contentType, body)
            }
        }
    }

    static func respond(_ status: HTTPResponse.Status, _ contentType: String, _ body: Data) -> Response {
        Response(status: status, headers: [.contentType: contentType, .contentLength: String(body.count)], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Turns every error on `/api/v1` into the scanner-adapter API's `{"error":{"message"}}` with its status.
struct ScannerAdapterErrorMiddleware: RouterMiddleware {
    typealias Context = BerthRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ScannerAdapterError {
            return Self.render(error.status, error.message)
        } catch let error as APIError {
            return Self.render(error.code.httpStatus, error.message)
        } catch let error as HTTPError {
            return Self.render(Int(error.status.code), error.status == .contentTooLarge ? "request body is too large" : (error.body ?? error.status.reasonPhrase))
        } catch where BodyFailure(error) != nil {
            return Self.render(400, BodyFailure(error)!.message)
        } catch {
            context.logger.error("scanner-adapter request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return Self.render(500, "internal error; the server logged the details")
        }
    }

    static func render(_ status: Int, _ message: String) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: ["error": ["message": message]], options: [.withoutEscapingSlashes])) ?? Data("{}".utf8)
        var headers: HTTPFields = [.contentType: ScannerAdapterProtocol.errorType, .contentLength: String(data.count)]
        if status == 401 { headers[.wwwAuthenticate] = "Basic realm=\"berth\"" }
        return Response(status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
