import Events
import Foundation
import Jobs
import Logging
import Metadata
import ServiceLifecycle

/// Runs this instance's event dispatcher until the server shuts down; its last pass hands over what is waiting.
struct EventDispatchService: Service {
    let dispatcher: EventDispatcher

    func run() async throws {
        await withGracefulShutdownHandler {
            await dispatcher.run()
        } onGracefulShutdown: {
            dispatcher.stop()
        }
    }
}

/// `purge_events`: removes events that were dispatched more than a day ago, in bounded batches.
struct PurgeEventsJob: JobHandler {
    let outbox: EventOutbox
    let logger: Logger
    var kind: String { Self.kind }
    static let kind = "purge_events"
    /// How long dispatched events stay in the outbox (for inspection and duplicate checks).
    static let keepMilliseconds: Int64 = 86_400_000

    func run(_ job: JobRecord) async throws {
        let before = Clock.nowMilliseconds() - Self.keepMilliseconds
        var removed = 0
        while true {
            let count = try await outbox.purgeDispatched(before: before, limit: 10_000)
            removed += count
            if count < 10_000 { break }
        }
        if removed > 0 { logger.info("dispatched events purged", metadata: ["events": "\(removed)"]) }
    }
}
