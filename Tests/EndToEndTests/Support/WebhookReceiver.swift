import Foundation

/// A real HTTP receiver for webhooks (Python's `http.server`, `Scripts/webhook_receiver.py`): records every request
/// it gets; how it answers depends on the path (`/ok/…`, `/flaky/…`, `/slow/…`, `/never/…`).
final class WebhookReceiver: @unchecked Sendable {
    let port: Int
    private let process: Process
    private let directory: TemporaryDirectory

    /// One received request.
    struct Delivery {
        let path: String
        let headers: [String: String]
        let body: [String: Any]
        let receivedAt: Double
    }

    let scheme: String

    /// The base URL targets point at.
    var url: String { "\(scheme)://127.0.0.1:\(port)" }

    /// Starts a receiver; with `certificate` (a chain file and its key) it speaks HTTPS.
    static func start(certificate: (chain: String, key: String)? = nil) async throws -> WebhookReceiver {
        let directory = try TemporaryDirectory("webhook-receiver")
        let port = try TestLDAPServer.freePort()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scripts/webhook_receiver.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, String(port), directory.file("received.jsonl")] + (certificate.map { [$0.chain, $0.key] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let receiver = WebhookReceiver(port: port, process: process, directory: directory, scheme: certificate == nil ? "http" : "https")
        for _ in 0 ..< 200 {
            if (try? RawConnection(port: port)) != nil { return receiver }
            try await Task.sleep(for: .milliseconds(50))
        }
        receiver.stop()
        throw TestFailure("the webhook receiver did not start on port \(port)")
    }

    private init(port: Int, process: Process, directory: TemporaryDirectory, scheme: String) {
        self.scheme = scheme
        self.port = port
        self.process = process
        self.directory = directory
    }

    /// Everything received so far, in order.
    func deliveries() -> [Delivery] {
        guard let text = try? String(contentsOfFile: directory.file("received.jsonl"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let path = object["path"] as? String, let bodyText = object["body"] as? String else { return nil }
            let body = (try? JSONSerialization.jsonObject(with: Data(bodyText.utf8)) as? [String: Any]) ?? [:]
            return Delivery(path: path, headers: object["headers"] as? [String: String] ?? [:], body: body,
                            receivedAt: object["received_at"] as? Double ?? 0)
        }
    }

    /// The requests received on paths starting with `prefix`.
    func deliveries(under prefix: String) -> [Delivery] { deliveries().filter { $0.path.hasPrefix(prefix) } }

    /// Kills the receiver and removes its files.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        directory.remove()
    }
}
