import Foundation
import Testing

/// The real `berth` binary, started on a free port with its own data directory.
final class BerthInstance: @unchecked Sendable {
    let dataDirectory: String
    private(set) var port: Int = 0
    private var process: Process?
    private var stderrHandle: FileHandle?
    let logPath: String

    /// `https` when the server speaks TLS.
    private(set) var scheme = "http"
    var baseURL: String { "\(scheme)://127.0.0.1:\(port)" }
    /// The CA fingerprint the server printed at start (TLS with a CA to hand out).
    var caFingerprint: String? {
        startupOutput.first { $0.hasPrefix("berth CA fingerprint ") }.map { String($0.dropFirst("berth CA fingerprint ".count)) }
    }
    /// `127.0.0.1:PORT`, as skopeo and friends want it.
    var hostPort: String { "127.0.0.1:\(port)" }
    var pid: Int32 { process?.processIdentifier ?? 0 }

    /// The binary built next to the test bundle (or `BERTH_BINARY`).
    static var binaryPath: String {
        if let path = ProcessInfo.processInfo.environment["BERTH_BINARY"] { return path }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        for _ in 0 ..< 4 {
            let candidate = dir.appendingPathComponent("berth").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/berth").path
    }

    /// The admin password given to servers started with authentication.
    static let adminPassword = "Berth-Admin-12345"

    /// Starts a server on `dataDirectory` (a new temporary one when nil). Without `authentication` the server runs
    /// as an open registry (`auth.enabled: false`); with it, the `admin` user gets `adminPassword`.
    static func start(dataDirectory: String? = nil, authentication: Bool = false, extraArguments: [String] = [],
                      environment: [String: String] = [:]) async throws -> BerthInstance {
        let dir = try dataDirectory ?? TemporaryDirectory("berth-data").path
        let instance = BerthInstance(dataDirectory: dir)
        var env = ["BERTH_AUTH_ENABLED": authentication ? "true" : "false", "BERTH_ADMIN_PASSWORD": adminPassword, "BERTH_AUTH_BCRYPT_COST": "6"]
        for (k, v) in environment { env[k] = v }
        do {
            try await instance.launch(extraArguments: extraArguments, environment: env)
        } catch {
            // A server that did not start (its error and log are in the thrown failure) leaves nothing behind.
            _ = await instance.stop()
            if dataDirectory == nil { try? FileManager.default.removeItem(atPath: dir) }
            try? FileManager.default.removeItem(atPath: instance.logPath)
            throw error
        }
        return instance
    }

    private init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
        self.logPath = dataDirectory + "/../" + URL(fileURLWithPath: dataDirectory).lastPathComponent + ".log"
    }

    private func launch(extraArguments: [String], environment: [String: String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binaryPath)
        process.arguments = ["serve", "--port", "0", "--data-dir", dataDirectory, "--log-level", "warning"] + extraArguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardError = log
        stderrHandle = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        (port, startupOutput, scheme) = try await Self.readPort(from: out.fileHandleForReading, process: process, logPath: logPath)
    }

    /// Lines the server printed on standard output before it listened (a generated admin password, say).
    private(set) var startupOutput: [String] = []

    private static func readPort(from handle: FileHandle, process: Process, logPath: String) async throws -> (Int, [String], String) {
        let fd = handle.fileDescriptor
        let lines: [String] = await onOwnThread {
            var buffer = Data()
            var bytes = [UInt8](repeating: 0, count: 4096)
            while true {
                // read(2), not FileHandle: Foundation traps on an interrupted read (EINTR from SIGCHLD).
                let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return [] }
                buffer.append(contentsOf: bytes[0 ..< count])
                if let text = String(data: buffer, encoding: .utf8), text.contains("berth listening on") {
                    let lines = text.split(separator: "\n").map(String.init)
                    if lines.contains(where: { $0.hasPrefix("berth listening on") }) && text.hasSuffix("\n") { return lines }
                }
            }
        }
        let line = lines.first { $0.hasPrefix("berth listening on") }
        guard let line, let colon = line.lastIndex(of: ":"), let port = Int(line[line.index(after: colon)...]) else {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw TestFailure("berth did not start: \(line ?? "no output")\n\(log.suffix(2000))")
        }
        return (port, lines.filter { !$0.hasPrefix("berth listening on") }, line.contains("https://") ? "https" : "http")
    }

    /// Sends SIGTERM and waits for a clean exit; returns the exit status.
    @discardableResult
    func stop() async -> Int32 {
        guard let process else { return 0 }
        if process.isRunning { process.terminate() }
        // A server that crashed (or hangs in shutdown) must not hang the suite: after 20 s it is killed, and a process
        // that no longer exists counts as stopped even if Foundation has not noticed yet.
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning, Foundation.kill(process.processIdentifier, 0) == 0 {
            if ContinuousClock.now > deadline { Foundation.kill(process.processIdentifier, SIGKILL) }
            try? await Task.sleep(for: .milliseconds(10))
        }
        // Foundation notices the exit a moment later.
        for _ in 0 ..< 300 where process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        self.process = nil
        try? stderrHandle?.close()
        return process.isRunning ? -1 : process.terminationStatus
    }

    /// Kills the server with SIGKILL, as a crash would.
    func kill() async {
        guard let process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        self.process = nil
        try? stderrHandle?.close()
    }

    /// Resident set size of the server in bytes (VmRSS), and its peak (VmHWM).
    func memory() -> (rss: Int, peak: Int) {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Int {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return (Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0) * 1024
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    /// The end of the server's log (warnings and errors; the level is `warning`), for a failing test to show.
    func logTail(_ characters: Int = 6000) -> String {
        String(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(characters))
    }

    /// Stops the server and deletes its data.
    func destroy() async {
        // A server that does not exit cleanly on SIGTERM (a crash while shutting down) fails the test that ran it.
        let status = await stop()
        if status != 0 {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            Issue.record("berth exited with status \(status) on SIGTERM; the end of its log:\n\(log.suffix(6000))")
        }
        try? FileManager.default.removeItem(atPath: dataDirectory)
        try? FileManager.default.removeItem(atPath: logPath)
    }
}

/// A failure inside test support code.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
