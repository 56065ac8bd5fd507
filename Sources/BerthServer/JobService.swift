import Foundation
import Jobs
import Logging
import Metadata
import Registry
import ServiceLifecycle

/// Runs the durable job queue in this instance: every second (and whenever a job ends) it fires due schedules and
/// starts due jobs in free slots, until the server shuts down. Every instance runs one; the database decides which instance gets each job.
struct JobService: Service {
    let queue: JobQueue
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await queue.runContinuously(keepGoing: { !Task.isCancelled })
        }
    }
}

/// `purge_uploads`: removes abandoned upload sessions.
struct PurgeUploadsJob: JobHandler {
    let uploads: UploadService
    var kind: String { Self.kind }
    static let kind = "purge_uploads"

    func run(_ job: JobRecord) async throws { try await uploads.purgeStale() }
}

/// A cron expression that fires every `seconds` (rounded to what cron can say: seconds dividing a minute,
/// minutes dividing an hour, or hours).
func cronExpression(everySeconds seconds: Int64) -> String {
    if seconds <= 1 { return "* * * * * *" }
    if seconds < 60 { return 60 % seconds == 0 ? "*/\(seconds) * * * * *" : "* * * * * *" }
    if seconds < 3600 {
        let minutes = seconds / 60
        return 60 % minutes == 0 ? "0 */\(minutes) * * * *" : "0 * * * * *"
    }
    let hours = max(1, seconds / 3600)
    return hours < 24 && 24 % hours == 0 ? "0 0 */\(hours) * * *" : "0 0 0 * * *"
}

/// Sleeps for `duration`, returning early (by throwing) when graceful shutdown begins.
func gracefulShutdownAwareSleep(_ duration: Duration) async throws {
    try await cancelWhenGracefulShutdown {
        try await Task.sleep(for: duration)
    }
}
