import AsyncHTTPClient
import Foundation
import Jobs
import Logging
import Metadata
import Metrics
import NIOCore
import NIOHTTP1

/// `webhook`: sends one task's notification. A 2xx answer ends the task as `Success`; anything else (an error status,
/// a refused connection, no answer within the timeout) is logged on the task and the job fails, so the queue retries
/// it with growing pauses until its attempts are used up, when the task ends as `Error`. Never slows a push or pull:
/// it runs on the job queue, long after the change committed.
public struct WebhookDeliveryJob: JobHandler {
    /// The job kind.
    public static let kind = "webhook"
    public var kind: String { Self.kind }

    let store: SQLWebhookStore
    let client: HTTPClient
    let insecureClient: HTTPClient
    let timeout: TimeAmount
    let logger: Logger

    /// Creates the handler: `client` verifies receivers' certificates, `insecureClient` is for targets that skip it.
    public init(store: SQLWebhookStore, client: HTTPClient, insecureClient: HTTPClient, timeout: TimeAmount, logger: Logger) {
        self.store = store
        self.client = client
        self.insecureClient = insecureClient
        self.timeout = timeout
        self.logger = logger
    }

    struct Payload: Decodable { let task_id: Int64 }

    /// Why an attempt failed.
    struct DeliveryFailed: Error, CustomStringConvertible { let description: String }

    public func run(_ job: JobRecord) async throws {
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8)) else { return }
        // The policy may have been deleted since (and its tasks with it), or the task ended in an earlier run.
        guard let task = try await store.task(id: payload.task_id), !task.status.isFinal else { return }
        let started = Clock.nowMilliseconds()
        var request = HTTPClientRequest(url: task.target.address)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: WebhookPayload.contentType(for: task.target))
        request.headers.add(name: "User-Agent", value: "berth-webhook")
        if !task.target.authHeader.isEmpty { request.headers.add(name: "Authorization", value: task.target.authHeader) }
        request.body = .bytes(ByteBuffer(string: task.body))
        var statusCode: Int? = nil
        var problem: String? = nil
        do {
            let response = try await (task.target.skipCertVerify ? insecureClient : client).execute(request, timeout: timeout)
            statusCode = Int(response.status.code)
            // Read (a bounded part of) the answer so the connection can be reused; its content is not kept.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            if !(200 ..< 300).contains(response.status.code) { problem = "the receiver answered \(response.status.code)" }
        } catch {
            problem = Self.describe(error)
        }
        let now = Clock.nowMilliseconds()
        let last = job.attempts >= job.maxAttempts
        let status: WebhookStatus = problem == nil ? .success : last ? .error : .running
        var line = "\(WebhookPayload.iso8601(now / 1000)) attempt \(job.attempts) of \(job.maxAttempts): POST \(Self.shown(task.target.address))"
        line += statusCode.map { " -> \($0)" } ?? ""
        line += " in \(now - started) ms"
        if let problem { line += ": \(problem)" + (last ? "; giving up" : "; will retry") }
        _ = try await store.recordAttempt(taskID: task.id, status: status, statusCode: statusCode, logLine: line, startedAt: started, now: now)
        Counter(label: "berth_webhook_deliveries_total", dimensions: [("result", problem == nil ? "success" : "failure")]).increment()
        if let problem {
            logger.info("webhook delivery failed", metadata: ["task": "\(task.id)", "attempt": "\(job.attempts)", "problem": "\(problem)"])
            throw DeliveryFailed(description: problem)
        }
    }

    /// The address as logs show it: without user information (which could hold a password).
    static func shown(_ address: String) -> String {
        guard var components = URLComponents(string: address) else { return "(invalid address)" }
        components.user = nil
        components.password = nil
        return components.string ?? "(invalid address)"
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout { return "no answer within the timeout" }
            return "HTTP client error: \(error)"
        }
        return "\(error)"
    }
}
