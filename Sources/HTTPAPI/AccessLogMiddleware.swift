import Hummingbird
import Logging
import NIOCore

/// Logs one structured line per request: method, path, status, bytes in and out, duration, peer and client address.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = BerthRequestContext

    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context, status: Int(response.status.code), bytesOut: response.headers[.contentLength], start: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError).map { Int($0.status.code) } ?? 500
            log(request, context, status: status, bytesOut: nil, start: start)
            throw error
        }
    }

    private func log(_ request: Request, _ context: Context, status: Int, bytesOut: String?, start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info("request", metadata: [
            "method": "\(request.method.rawValue)",
            "path": "\(request.uri.path)",
            "status": "\(status)",
            "bytes_in": "\(request.headers[.contentLength] ?? "-")",
            "bytes_out": "\(bytesOut ?? "-")",
            "duration_ms": "\(String(format: "%.2f", ms))",
            "peer": "\(context.remoteAddress?.ipAddress ?? "-")",
            "client": "\(request.clientAddress(context))",
        ])
    }
}
