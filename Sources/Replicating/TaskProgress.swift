import Foundation
import Metadata

/// A running task's bytes, log and resume state, written to the task row at most once a second (and at once when
/// asked); each write also learns whether the execution was asked to stop.
actor TaskProgress {
    let taskID: Int64
    let store: SQLReplicationStore
    private(set) var bytesDone: Int64
    private(set) var bytesTotal: Int64
    private var lines: [String]
    private(set) var resume: String
    private var lastWrite = ContinuousClock.now
    /// Log lines kept (the first ones and the latest ones) so a huge artifact's log stays readable.
    static let maximumLines = 2000

    init(taskID: Int64, store: SQLReplicationStore, bytesDone: Int64, bytesTotal: Int64, log: String, resume: String) {
        self.taskID = taskID
        self.store = store
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
        self.lines = log.isEmpty ? [] : log.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        self.resume = resume
    }

    /// Adds a timestamped line to the log.
    func log(_ line: String) {
        lines.append("\(Self.timestamp()) \(line)")
        if lines.count > Self.maximumLines { lines.remove(at: Self.maximumLines / 2) }
    }

    /// The log so far.
    var text: String { lines.joined(separator: "\n") }

    /// Counts bytes to move.
    func expect(_ bytes: Int64) { bytesTotal = bytesTotal.addingReportingOverflow(max(0, bytes)).partialValue }

    /// Counts bytes moved (or found at the destination already).
    func moved(_ bytes: Int64) async throws { bytesDone = bytesDone.addingReportingOverflow(max(0, bytes)).partialValue; try await save(force: false) }

    /// Sets the resume state (empty when no upload is in flight) and saves it at once.
    func setResume(_ state: String) async throws {
        resume = state
        try await save(force: true)
    }

    /// Writes the progress when a second has passed (or `force`); throws `ReplicationStopped` when the execution is stopping.
    func save(force: Bool) async throws {
        guard force || ContinuousClock.now - lastWrite >= .seconds(1) else { return }
        lastWrite = ContinuousClock.now
        let keepGoing = try await store.recordProgress(taskID: taskID, bytesDone: bytesDone, bytesTotal: max(bytesTotal, bytesDone), resume: resume, log: text)
        if !keepGoing { throw ReplicationStopped() }
    }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}

/// The execution was asked to stop.
struct ReplicationStopped: Error, CustomStringConvertible {
    var description: String { "stopped on request" }
}
