import Certificates
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Keeps the served certificate current without a restart: operator files are read again when they change (checked
/// every `interval`) and at once on SIGHUP; a generated certificate is renewed when half its lifetime has passed.
/// New connections get the new certificate; open ones keep theirs. A file that cannot be used is reported and the
/// previous certificate stays.
struct CertificateRefreshService: Service {
    let security: TransportSecurity
    let interval: Duration
    let logger: Logger

    func run() async throws {
        let refresher = Refresher(security: security, logger: logger)
        try await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) { await refresher.refresh(reason: "SIGHUP", force: true) }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        await refresher.refresh(reason: "check", force: false)
                    }
                }
                await group.waitForAll()
            }
        }
    }

    /// One refresh at a time, remembering what the files looked like at the last load.
    actor Refresher {
        let security: TransportSecurity
        let logger: Logger
        var stamp: String?

        init(security: TransportSecurity, logger: Logger) {
            self.security = security
            self.logger = logger
            stamp = security.source.fileStamp()
        }

        func refresh(reason: String, force: Bool) {
            let source = security.source
            let current = source.fileStamp()
            guard force || current != stamp || source.isDue(security.certificates.identity) else { return }
            stamp = current
            do {
                let identity = try source.load()
                try security.certificates.replace(with: identity)
                logger.notice("serving a new TLS certificate", metadata: [
                    "reason": "\(reason)", "expires": "\(ISO8601DateFormatter().string(from: identity.expires))",
                    "subject": "\(identity.leaf.subject)"])
            } catch {
                logger.error("cannot load the new TLS certificate; still serving the previous one", metadata: ["error": "\(error)"])
            }
        }
    }
}
