import ArgumentParser
import BerthServer
import Foundation
import Registry

/// `berth gc`: garbage collection from the command line, with its progress on standard error.
struct GarbageCollect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove what no repository uses: untagged manifests (when asked), unused links and unlinked blob files older than the grace period.")
    @OptionGroup var options: ServerOptions
    @Flag(name: .customLong("dry-run"), help: "Report what would be removed without removing it.") var dryRun = false
    @Flag(name: .customLong("delete-untagged"), help: "Also remove untagged manifests (not an index's platforms, not signatures of kept images).")
    var deleteUntagged = false
    @Option(name: .customLong("grace-seconds"), help: "Keep links touched, and files written, within this many seconds (default gc.graceSeconds, 7200).")
    var graceSeconds: Int64?
    @Option(name: .long, help: "Storage deletions side by side, 1 to 5 (default 1).")
    var workers = 1
    @Flag(name: .long, help: "Show every blob and link as it is removed, not only the steps and a line per 10,000 files.")
    var verbose = false

    func validate() throws {
        if let graceSeconds, !(0 ... 31_536_000).contains(graceSeconds) { throw ValidationError("--grace-seconds must be between 0 and 31536000") }
        guard (1 ... 5).contains(workers) else { throw ValidationError("--workers must be between 1 and 5") }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let configuration = try options.configuration()
        let (record, report) = try await GarbageAdministration.run(
            configuration: configuration,
            options: GarbageCollectionOptions(deleteUntagged: deleteUntagged, dryRun: dryRun,
                                              graceMilliseconds: (graceSeconds ?? configuration.gc.graceSeconds) * 1000, workers: workers),
            logger: Advisories.quietLogger()) { [verbose, started] step in
                // The run's log (GET /system/gc/{id}/log) always has every line; the terminal gets the steps.
                let perItem = ["deleted blob ", "would delete blob ", "removed link ", "would remove link ", "deleted untagged manifest ",
                               "would delete untagged manifest "].contains { step.hasPrefix($0) }
                let elapsed = (ContinuousClock.now - started).components
                let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
                if verbose || !perItem { FileHandle.standardError.write(Data(String(format: "[%6.1fs] %@\n", seconds, step).utf8)) }
            }
        if dryRun { for digest in report.deletedDigests { print(digest) } }
        print("garbage collection \(record.id): \(record.status); \(dryRun ? "would remove" : "removed") \(report.manifestsDeleted) untagged manifests, "
            + "\(report.linksRemoved) unused links and \(report.blobsDeleted) files (\(report.bytesFreed) bytes) in \(ContinuousClock.now - started)")
        if record.status != "Success" { throw ExitCode(1) }
    }
}
