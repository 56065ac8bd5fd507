import Foundation

/// The outcome of running a command to completion.
struct CommandResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String

    var succeeded: Bool { status == 0 }
    var combined: String { stdout + stderr }
}

/// Runs external programs (skopeo, buildah, python3) the way a user would.
enum ProcessRunner {
    /// Runs `arguments[0]` (looked up on PATH) and waits for it, without standard input.
    static func run(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil, timeout: TimeInterval = 600) async throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        async let outData = readAll(out.fileHandleForReading)
        async let errData = readAll(err.fileHandleForReading)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline { process.terminate() }
            try await Task.sleep(for: .milliseconds(20))
        }
        let stdout = String(decoding: await outData, as: UTF8.self)
        let stderr = String(decoding: await errData, as: UTF8.self)
        return CommandResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// Whether a program is on PATH.
    static func available(_ program: String) -> Bool {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }
    }

    /// Reads a pipe to its end with `read(2)` on a thread of its own. Foundation's `readDataToEndOfFile` traps when a
    /// read is interrupted (EINTR, as SIGCHLD from many children at once does) and took the whole test process down
    /// when twenty skopeo processes ran side by side; here an interrupted read is simply tried again.
    private static func readAll(_ handle: FileHandle) async -> Data {
        let fd = handle.fileDescriptor
        return await onOwnThread {
            var data = Data()
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    data.append(contentsOf: buffer[0 ..< count])
                } else if count == 0 {
                    break
                } else if errno == EINTR {
                    continue
                } else if errno == EAGAIN {
                    usleep(10_000)
                } else {
                    break
                }
            }
            return data
        }
    }
}
