import Hummingbird
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// Counts every request by method, route template and status (`berth_http_requests_total`), times it (blob downloads
/// until their body has been written; `berth_http_request_duration_seconds`), adds up the bytes received and sent, and
/// keeps `berth_uploads_in_progress`. Routes are templates (`/v2/{name}/blobs/{digest}`), never raw paths, so the
/// number of series stays bounded whatever clients send.
public struct HTTPMetricsMiddleware: RouterMiddleware {
    public typealias Context = BerthRequestContext
    let cache = HTTPMetricsCache()

    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        let path = request.uri.path
        if path == "/v2" || path.hasPrefix("/v2/") { context.v2Route = try? V2Route.parse(path: path) }
        let route = Self.route(path, parsed: context.v2Route, matched: context.endpointPath)
        let method = request.method.rawValue
        let isUpload = (request.method == .patch || request.method == .put) && route == Self.uploadRoute
        if isUpload { cache.uploadsInProgress.increment() }
        var request = request
        // Bytes are counted as they are read, so a body the server refused unread (a 401, say) is not counted.
        let received = ByteTally()
        if request.method == .patch || request.method == .put || request.method == .post {
            request.body = RequestBody(asyncSequence: request.body.map { buffer in
                received.add(buffer.readableBytes)
                return buffer
            })
        }
        let finish: @Sendable (HTTPResponse.Status, Int64) -> Void = { [cache] status, sentBytes in
            let series = cache.series(method, route, status.code)
            series.requests.increment()
            series.duration.recordNanoseconds(Self.nanoseconds(since: start))
            let receivedBytes = received.total
            if receivedBytes > 0 { series.receivedBytes.increment(by: receivedBytes) }
            if sentBytes > 0 { series.sentBytes.increment(by: sentBytes) }
            if isUpload { cache.uploadsInProgress.decrement() }
        }
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            finish((error as? any HTTPResponseError)?.status ?? .internalServerError, 0)
            throw error
        }
        let status = response.status
        let body = response.body
        // Only blob downloads stream from storage; their time and bytes are taken when the body has been written.
        // Every other body is already in memory, and is left as it is (wrapping an in-memory body would cost
        // HTTP/2 its single DATA frame with END_STREAM).
        guard route == Self.blobRoute, request.method == .get else {
            finish(status, Int64(body.contentLength ?? 0))
            return response
        }
        var measured = response
        if let length = body.contentLength {
            measured.body = ResponseBody(contentLength: length) { writer in
                do { try await body.write(writer) } catch {
                    finish(status, 0)
                    throw error
                }
                finish(status, Int64(length))
            }
        } else {
            measured.body = ResponseBody { writer in
                let sent = ByteTally()
                do {
                    try await body.write(writer.map { buffer in
                        sent.add(buffer.readableBytes)
                        return buffer
                    })
                } catch {
                    finish(status, sent.total)
                    throw error
                }
                finish(status, sent.total)
            }
        }
        return measured
    }

    static let uploadRoute = "/v2/{name}/blobs/uploads/{id}"
    static let blobRoute = "/v2/{name}/blobs/{digest}"

    /// The route template a request is counted under: the distribution API's own templates for `/v2`, the router's
    /// pattern elsewhere, `unmatched` for anything else.
    static func route(_ path: String, parsed: V2Route?, matched: String?) -> String {
        guard path == "/v2" || path.hasPrefix("/v2/") else { return matched.map { $0.isEmpty ? "/" : $0 } ?? "unmatched" }
        switch parsed {
        case .base: return "/v2/"
        case .catalog: return "/v2/_catalog"
        case .tags: return "/v2/{name}/tags/list"
        case .manifest, .invalidManifestReference: return "/v2/{name}/manifests/{reference}"
        case .blob: return blobRoute
        case .uploads: return "/v2/{name}/blobs/uploads/"
        case .upload: return uploadRoute
        case .referrers: return "/v2/{name}/referrers/{digest}"
        case nil: return "/v2/unknown"
        }
    }

    static func nanoseconds(since start: ContinuousClock.Instant) -> Int64 {
        let elapsed = ContinuousClock.now - start
        return elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
    }
}

/// Bytes counted as a body passes, chunk by chunk (an atomic add per chunk, no lock).
final class ByteTally: Sendable {
    private let value = Atomic<Int64>(0)
    func add(_ bytes: Int) { value.add(Int64(bytes), ordering: .relaxed) }
    var total: Int64 { value.load(ordering: .relaxed) }
}

/// The metric handles of each series, made once (looking a series up by its labels on every request would cost more
/// than counting).
final class HTTPMetricsCache: Sendable {
    struct Series: Sendable {
        let requests: Counter
        let duration: Metrics.Timer
        let receivedBytes: Counter
        let sentBytes: Counter
    }
    struct Key: Hashable {
        let method: String
        let route: String
        let status: Int
    }
    private let series = NIOLockedValueBox<[Key: Series]>([:])
    let uploadsInProgress = Meter(label: "berth_uploads_in_progress")

    func series(_ method: String, _ route: String, _ status: Int) -> Series {
        let key = Key(method: method, route: route, status: status)
        return series.withLockedValue { cache in
            if let found = cache[key] { return found }
            let labels = [("method", method), ("route", route), ("status", String(status))]
            let made = Series(requests: Counter(label: "berth_http_requests_total", dimensions: labels),
                              duration: Metrics.Timer(label: "berth_http_request_duration_seconds", dimensions: labels, preferredDisplayUnit: .seconds),
                              receivedBytes: Counter(label: "berth_http_request_body_bytes_total", dimensions: labels),
                              sentBytes: Counter(label: "berth_http_response_body_bytes_total", dimensions: labels))
            cache[key] = made
            return made
        }
    }
}
