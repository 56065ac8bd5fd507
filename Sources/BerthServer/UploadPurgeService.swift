import Logging
import Registry
import ServiceLifecycle

/// Purges abandoned upload sessions at start and then every `interval`, until the server shuts down.
struct UploadPurgeService: Service {
    let uploads: UploadService
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                try await uploads.purgeStale()
            } catch {
                logger.error("upload purge failed", metadata: ["error": "\(error)"])
            }
            do {
                try await gracefulShutdownAwareSleep(interval)
            } catch {
                return
            }
        }
    }
}

/// Sleeps for `duration`, returning early (by throwing) when graceful shutdown begins.
func gracefulShutdownAwareSleep(_ duration: Duration) async throws {
    try await cancelWhenGracefulShutdown {
        try await Task.sleep(for: duration)
    }
}
