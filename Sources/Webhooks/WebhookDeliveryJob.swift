import AsyncHTTPClient
import Foundation
import Jobs
import Logging
import Metadata
import Metrics
import NIOCore
import NIOHTTP1

/// `webhook`: sends the notifications of a batch of tasks (`{"task_ids":[…]}`), up to 16 at a time, and records every
/// attempt of the batch in one transaction. A 2xx answer ends a task as `Success`; anything else (an error status, a
/// refused connection, no answer within the timeout) is logged on the task, and the task is tried again later by a
/// new job (1 s, 2 s, 4 s … after its attempt) until `maxAttempts`, when it ends as `Error`. A batch job only fails
/// (and is retried by the queue) when its attempts cannot be recorded; a task already ended is never sent again, so a
/// batch run twice after a crash sends at most what had not been recorded. Never slows a push or pull: it runs on the
/// job queue, after the change committed.
public struct WebhookDeliveryJob: JobHandler {
    /// The job kind.
    public static let kind = "webhook"
    public var kind: String { Self.kind }

    let store: SQLWebhookStore
    let client: HTTPClient
    let insecureClient: HTTPClient
    let timeout: TimeAmount
    let maxAttempts: Int
    let logger: Logger
    /// Notifications of one batch in flight at once.
    static let concurrency = 16
    /// Tasks per delivery job.
    public static let batchSize = 100
    /// Runs of one delivery job before the queue gives up on it (only when its attempts cannot be recorded; a
    /// notification's own retries are new jobs, counted by `maxAttempts`).
    static let jobAttempts = 3

    /// Creates the handler: `client` verifies receivers' certificates, `insecureClient` is for targets that skip it;
    /// each notification is tried at most `maxAttempts` times.
    public init(store: SQLWebhookStore, client: HTTPClient, insecureClient: HTTPClient, timeout: TimeAmount, maxAttempts: Int, logger: Logger) {
        self.store = store
        self.client = client
        self.insecureClient = insecureClient
        self.timeout = timeout
        self.maxAttempts = max(1, maxAttempts)
        self.logger = logger
    }

    struct Payload: Decodable { let task_ids: [Int64] }

    static let delivered = Counter(label: "berth_webhook_deliveries_total", dimensions: [("result", "success")])
    static let failed = Counter(label: "berth_webhook_deliveries_total", dimensions: [("result", "failure")])

    public func run(_ job: JobRecord) async throws {
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8)) else {
            logger.error("webhook job with an unreadable payload skipped", metadata: ["job": "\(job.id)"])
            return
        }
        // Tasks of deleted policies are gone, and tasks that ended in an earlier run are not sent again.
        let tasks = try await store.openTasks(ids: Array(payload.task_ids.prefix(10 * Self.batchSize)))
        guard !tasks.isEmpty else { return }
        let attempts = await withTaskGroup(of: SQLWebhookStore.Attempt.self) { group in
            var results: [SQLWebhookStore.Attempt] = []
            var next = tasks.makeIterator()
            for _ in 0 ..< Self.concurrency {
                guard let task = next.next() else { break }
                group.addTask { await self.deliver(task) }
            }
            for await attempt in group {
                results.append(attempt)
                if let task = next.next() { group.addTask { await self.deliver(task) } }
            }
            return results
        }
        try await store.recordAttempts(attempts, retryKind: Self.kind, jobAttempts: Self.jobAttempts, now: Clock.nowMilliseconds())
        let succeeded = attempts.filter { $0.status == .success }.count
        Self.delivered.increment(by: succeeded)
        Self.failed.increment(by: attempts.count - succeeded)
    }

    /// Sends one notification and says what came of it.
    func deliver(_ task: WebhookTaskRecord) async -> SQLWebhookStore.Attempt {
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
        let attempt = task.runCount + 1
        let last = attempt >= maxAttempts
        var line = "\(WebhookPayload.iso8601(now / 1000)) attempt \(attempt) of \(maxAttempts): POST \(Self.shown(task.target.address))"
        line += statusCode.map { " -> \($0)" } ?? ""
        line += " in \(now - started) ms"
        if let problem {
            line += ": \(problem)" + (last ? "; giving up" : "; will retry")
            logger.info("webhook delivery failed", metadata: ["task": "\(task.id)", "attempt": "\(attempt)", "problem": "\(problem)"])
        }
        return SQLWebhookStore.Attempt(taskID: task.id, status: problem == nil ? .success : last ? .error : .running, statusCode: statusCode,
                                       logLine: line, startedAt: started,
                                       retryAt: problem != nil && !last ? now + JobQueue.backoffMilliseconds(attempt: attempt) : nil)
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
