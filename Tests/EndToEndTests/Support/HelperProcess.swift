import Foundation

/// A helper program a test runs next to Berth (a registry, a proxy, a webhook receiver): started with its output
/// discarded, waited for until it answers, and killed with its working directory removed.
final class HelperProcess: @unchecked Sendable {
    private let process: Process
    /// The helper's working directory (its configuration, data and state files).
    let directory: TemporaryDirectory

    /// The path of a script in `Tests/EndToEndTests/Scripts`.
    static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scripts/\(name)").path
    }

    /// Runs `arguments` (a program path, or `python3` and a script, found on the PATH) and waits until `ready` says
    /// it answers; `name` is for the error when it never does.
    static func start(_ arguments: [String], directory: TemporaryDirectory, name: String,
                      ready: () async -> Bool) async throws -> HelperProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let helper = HelperProcess(process: process, directory: directory)
        for _ in 0 ..< 200 {
            if await ready() {
                // A helper that lost its port to another process exits at once while that one answers the probe.
                try await Task.sleep(for: .milliseconds(100))
                guard process.isRunning else { break }
                return helper
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        helper.stop()
        throw TestFailure("\(name) did not start")
    }

    /// Waits until something accepts connections on `port`.
    static func listening(_ port: Int) -> Bool { (try? RawConnection(port: port)) != nil }

    private init(process: Process, directory: TemporaryDirectory) {
        self.process = process
        self.directory = directory
    }

    /// Kills the helper (once) and removes its directory.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        directory.remove()
    }
}
