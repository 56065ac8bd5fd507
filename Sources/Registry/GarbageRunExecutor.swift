import Foundation
import Logging
import Metadata
import NIOConcurrencyHelpers

/// Carries a recorded garbage-collection run to its end: waits until no other run holds the lock (one collection at a
/// time across instances), runs the collector, and records its progress, counts and log as it goes, so the API and
/// the portal can follow it and an operator can stop it. A run whose worker died is carried on by the next one (the
/// job is leased again): it starts over, which is safe because every removal re-checks its conditions.
public struct GarbageRunExecutor: Sendable {
    let runs: SQLGarbageRunStore
    let collector: GarbageCollector
    let graceMilliseconds: Int64
    let logger: Logger
    /// How long the lock lasts without a checkpoint renewing it.
    static let leaseMilliseconds: Int64 = 60_000

    /// An executor running `collector` with the given grace period.
    public init(runs: SQLGarbageRunStore, collector: GarbageCollector, graceMilliseconds: Int64, logger: Logger) {
        self.runs = runs
        self.collector = collector
        self.graceMilliseconds = graceMilliseconds
        self.logger = logger
    }

    /// The log and counts not yet written, and whether a stop was asked for.
    struct Pending {
        var lines: [String] = []
        var report = GarbageCollectionReport()
        var phase = "starting"
        var lastWrite: Int64 = 0
        /// When the progress was last written; a run that cannot write it for half a lease gives up.
        var lastSuccess = Clock.nowMilliseconds()
        /// Whether the run has taken the lock (from then on, losing it ends the run).
        var collecting = false
        var stopRequested = false
        var stamp = (second: Int64(-1), text: "")
    }

    /// Runs `run` to its end and returns how it ended with what it removed (nothing when it had ended already or was
    /// stopped before it began); `echo` hears each log line as well (the CLI's progress).
    public func execute(_ run: GarbageRunRecord, echo: (@Sendable (String) -> Void)? = nil) async throws
        -> (record: GarbageRunRecord, report: GarbageCollectionReport) {
        guard ["Pending", "Running"].contains(run.status) else { return (run, GarbageCollectionReport()) }
        let pending = NIOLockedValueBox(Pending())
        let runs = self.runs, id = run.id
        let note: @Sendable (String) -> Void = { message in
            echo?(message)
            pending.withLockedValue { state in
                let now = Clock.nowMilliseconds()
                if now / 1000 != state.stamp.second { state.stamp = (now / 1000, Self.timestamp(now)) }
                state.lines.append("\(state.stamp.text) [INFO] \(message)")
            }
        }
        // Writes what is pending (at most once a second unless forced or much is buffered); answers whether to go on.
        // A failed write keeps its lines for the next one; the run ends once it has not been able to write (and so to
        // renew its lock) for half a lease, or when it finds another run holds the lock, before two runs could collect.
        let logger = self.logger
        let flush: @Sendable (Bool) async throws -> Bool = { force in
            let now = Clock.nowMilliseconds()
            let taken: (lines: [String], report: GarbageCollectionReport, phase: String)? = pending.withLockedValue { state in
                guard force || (state.lines.count >= 2_000 && now - state.lastWrite >= 100) || now - state.lastWrite >= 1_000 else { return nil }
                state.lastWrite = now
                defer { state.lines = [] }
                return (state.lines, state.report, state.phase)
            }
            guard let taken else { return !pending.withLockedValue { $0.stopRequested } }
            let answer: GarbageCheckpointAnswer
            do {
                answer = try await runs.checkpoint(id: id, phase: taken.phase, counts: taken.report.counts, lines: taken.lines, now: now,
                                                   leaseMilliseconds: Self.leaseMilliseconds)
            } catch {
                let (silent, stop) = pending.withLockedValue { state in
                    state.lines = taken.lines + state.lines
                    return (now - state.lastSuccess, state.stopRequested)
                }
                if silent >= Self.leaseMilliseconds / 2 { throw GarbageRunInterruption.progressUnwritable(milliseconds: silent, reason: "\(error)") }
                logger.warning("garbage collection could not record its progress; trying again", metadata: ["run": "\(id)", "error": "\(error)"])
                return !stop
            }
            let collecting = pending.withLockedValue { state in
                state.stopRequested = answer.stopRequested
                state.lastSuccess = now
                return state.collecting
            }
            if collecting && !answer.holdsLock { throw GarbageRunInterruption.lockLost }
            return !answer.stopRequested
        }

        if run.stopRequested {
            try await runs.finish(id: id, status: "Stopped", phase: "stopped", counts: run.counts, lines: [], now: Clock.nowMilliseconds())
            return (try await runs.run(id: id) ?? run, GarbageCollectionReport())
        }
        // Wait for the lock, telling once whom this run waits for.
        var waitingFor: Int64? = nil
        while let holder = try await runs.acquireLock(runID: id, now: Clock.nowMilliseconds(), leaseMilliseconds: Self.leaseMilliseconds) {
            if holder != waitingFor {
                waitingFor = holder
                note("waiting for garbage collection \(holder) to finish")
            }
            pending.withLockedValue { $0.phase = "waiting for garbage collection \(holder)" }
            guard try await flush(true) else {
                try await runs.finish(id: id, status: "Stopped", phase: "stopped while waiting", counts: GarbageRunCounts(),
                                      lines: pending.withLockedValue { $0.lines }, now: Clock.nowMilliseconds())
                return (try await runs.run(id: id) ?? run, GarbageCollectionReport())
            }
            try await Task.sleep(for: .seconds(2))
        }
        if run.startedAt != nil { note("started again: the worker that ran it before stopped before it finished") }
        pending.withLockedValue { state in
            state.phase = "collecting"
            state.collecting = true
        }
        guard try await runs.start(id: id, phase: "collecting", now: Clock.nowMilliseconds()) else {
            try await runs.finish(id: id, status: "Stopped", phase: "stopped before it started", counts: GarbageRunCounts(),
                                  lines: pending.withLockedValue { $0.lines } + ["stopped before it started"], now: Clock.nowMilliseconds())
            return (try await runs.run(id: id) ?? run, GarbageCollectionReport())
        }
        let options = GarbageCollectionOptions(deleteUntagged: run.parameters.deleteUntagged, dryRun: run.parameters.dryRun,
                                               graceMilliseconds: graceMilliseconds, workers: run.parameters.workers)
        let status: String
        let report: GarbageCollectionReport
        do {
            let collector = self.collector
            report = try await withThrowingTaskGroup(of: GarbageCollectionReport?.self) { group in
                // The lock is renewed every 15 s even while one step (a large listing, a long transaction) runs.
                group.addTask {
                    while true {
                        try await Task.sleep(for: .seconds(15))
                        _ = try await flush(true)
                    }
                }
                group.addTask {
                    try await collector.run(options, now: Clock.nowMilliseconds(), progress: { note($0) }, checkpoint: { report in
                        pending.withLockedValue { $0.report = report }
                        return try await flush(false)
                    })
                }
                while let finished = try await group.next() {
                    if let finished {
                        group.cancelAll()
                        return finished
                    }
                }
                throw CancellationError()
            }
            status = pending.withLockedValue { $0.stopRequested } ? "Stopped" : "Success"
            note(status == "Stopped" ? "stopped by request: what was removed stays removed" : Self.summary(report, dryRun: options.dryRun))
        } catch {
            report = pending.withLockedValue { $0.report }
            status = "Error"
            note("failed: \(error)")
            logger.error("garbage collection failed", metadata: ["run": "\(id)", "error": "\(error)"])
        }
        let (lines, phase) = pending.withLockedValue { state in (state.lines, status == "Success" ? "done" : status.lowercased()) }
        try await runs.finish(id: id, status: status, phase: phase, counts: report.counts, lines: lines, now: Clock.nowMilliseconds())
        logger.info("garbage collection ended", metadata: ["run": "\(id)", "status": "\(status)", "files": "\(report.blobsDeleted)",
                                                           "bytes": "\(report.bytesFreed)", "dry_run": "\(options.dryRun)"])
        return (try await runs.run(id: id) ?? run, report)
    }

    /// The last line of a run's log.
    static func summary(_ report: GarbageCollectionReport, dryRun: Bool) -> String {
        "\(dryRun ? "dry run done, would free" : "done, freed") \(report.bytesFreed) bytes: \(report.blobsDeleted) files, \(report.linksRemoved) links, "
            + "\(report.manifestsDeleted) untagged manifests\(dryRun ? "" : ", \(report.uploadsPurged) abandoned uploads")"
    }

    /// RFC 3339 time of `milliseconds`, to the second, UTC.
    static func timestamp(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}

/// Why a run ended before its collector did.
enum GarbageRunInterruption: Error, CustomStringConvertible {
    /// Its progress (and so its lock's renewal) could not be written for this long.
    case progressUnwritable(milliseconds: Int64, reason: String)
    /// Its lock lapsed and another run took it over.
    case lockLost

    var description: String {
        switch self {
        case let .progressUnwritable(milliseconds, reason):
            "could not record progress for \(milliseconds / 1000) s (\(reason)); stopped before the lock could lapse"
        case .lockLost:
            "another garbage collection took the lock over after this run's lease lapsed; stopped so that only one collects"
        }
    }
}
