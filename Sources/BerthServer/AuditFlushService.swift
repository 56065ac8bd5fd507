import Logging
import Management
import ServiceLifecycle

import Registry

/// Writes queued audit entries and pull statistics about once a second, and once more when the server shuts down.
struct AuditFlushService: Service {
    let audit: AuditTrail
    let pulls: PullStatistics
    let interval: Duration

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                try await gracefulShutdownAwareSleep(interval)
            } catch {
                break
            }
            await audit.flush()
            await pulls.flush()
        }
        await audit.flush()
        await pulls.flush()
    }
}
