import Logging
import Management
import ServiceLifecycle

/// Writes queued audit entries about once a second, and once more when the server shuts down.
struct AuditFlushService: Service {
    let audit: AuditTrail
    let interval: Duration

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                try await gracefulShutdownAwareSleep(interval)
            } catch {
                break
            }
            await audit.flush()
        }
        await audit.flush()
    }
}
