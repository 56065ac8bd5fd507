import Foundation

/// A real HTTP receiver for webhooks (Python's `http.server`, `Scripts/webhook_receiver.py`): records every request
/// it gets; how it answers depends on the path (`/ok/…`, `/flaky/…`, `/slow/…`, `/never/…`, `/hold-first/…`).
final class WebhookReceiver: @unchecked Sendable {
    let port: Int
    private let helper: HelperProcess

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
        let arguments = ["python3", HelperProcess.script("webhook_receiver.py"), String(port), directory.file("received.jsonl")]
            + (certificate.map { [$0.chain, $0.key] } ?? [])
        let helper = try await HelperProcess.start(arguments, directory: directory, name: "the webhook receiver on port \(port)") {
            HelperProcess.listening(port)
        }
        return WebhookReceiver(port: port, helper: helper, scheme: certificate == nil ? "http" : "https")
    }

    private init(port: Int, helper: HelperProcess, scheme: String) {
        self.scheme = scheme
        self.port = port
        self.helper = helper
    }

    /// Everything received so far, in order.
    func deliveries() -> [Delivery] {
        guard let text = try? String(contentsOfFile: helper.directory.file("received.jsonl"), encoding: .utf8) else { return [] }
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
    func stop() { helper.stop() }
}
