import Foundation

/// A TCP proxy that cuts one connection once a given number of bytes went through it toward the server
/// (`Scripts/cutting_proxy.py`), and reports the bytes it forwarded: a dropped connection in the middle of a transfer.
final class CuttingProxy: @unchecked Sendable {
    let port: Int
    private let process: Process
    private let directory: TemporaryDirectory

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// A proxy to `targetPort` that cuts after `cutAfter` bytes toward it.
    static func start(to targetPort: Int, cutAfter: Int) async throws -> CuttingProxy {
        let directory = try TemporaryDirectory("cutting-proxy")
        let port = try TestLDAPServer.freePort()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scripts/cutting_proxy.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, String(port), String(targetPort), String(cutAfter), directory.file("state.json")]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let proxy = CuttingProxy(port: port, process: process, directory: directory)
        for _ in 0 ..< 200 {
            if (try? RawConnection(port: port)) != nil { return proxy }
            try await Task.sleep(for: .milliseconds(50))
        }
        proxy.stop()
        throw TestFailure("the cutting proxy did not start on port \(port)")
    }

    private init(port: Int, process: Process, directory: TemporaryDirectory) {
        self.port = port
        self.process = process
        self.directory = directory
    }

    /// Bytes forwarded toward the server and back so far, and whether the cut happened.
    func state() -> (upstreamBytes: Int, downstreamBytes: Int, cut: Bool) {
        guard let data = FileManager.default.contents(atPath: directory.file("state.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return (0, 0, false) }
        return (object["upstream_bytes"] as? Int ?? 0, object["downstream_bytes"] as? Int ?? 0, object["cut"] as? Bool ?? false)
    }

    /// Stops the proxy and removes its files.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        directory.remove()
    }
}
