import Jobs
import Logging
import Metadata

/// `sweep_webhook_executions`: keeps the newest `keep` ended executions of each webhook policy (with their tasks and
/// logs) and deletes the older ones, as Harbor's execution sweeper does, so a busy project's delivery records do not
/// grow without bound. Runs on a schedule; executions still running are left alone.
public struct SweepWebhookExecutionsJob: JobHandler {
    /// The job kind.
    public static let kind = "sweep_webhook_executions"
    public var kind: String { Self.kind }

    let store: SQLWebhookStore
    let keep: Int
    let logger: Logger

    /// Creates the handler; `keep` executions stay per policy.
    public init(store: SQLWebhookStore, keep: Int, logger: Logger) {
        self.store = store
        self.keep = keep
        self.logger = logger
    }

    public func run(_ job: JobRecord) async throws {
        var removed = 0
        // Batches of their own transactions, so a large backlog never holds the database for long.
        while true {
            let count = try await store.sweepExecutions(keep: keep, limit: 1000)
            removed += count
            if count < 1000 { break }
        }
        if removed > 0 { logger.info("old webhook executions swept", metadata: ["executions": "\(removed)", "kept per policy": "\(keep)"]) }
    }
}
