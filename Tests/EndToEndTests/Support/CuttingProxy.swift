import Foundation

/// A TCP proxy that cuts one connection once a given number of bytes went through it toward the server
/// (`Scripts/cutting_proxy.py`), and reports the bytes it forwarded: a dropped connection in the middle of a transfer.
final class CuttingProxy: @unchecked Sendable {
    let port: Int
    private let helper: HelperProcess

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// A proxy to `targetPort` that cuts after `cutAfter` bytes toward it.
    static func start(to targetPort: Int, cutAfter: Int) async throws -> CuttingProxy {
        let directory = try TemporaryDirectory("cutting-proxy")
        let port = try TestLDAPServer.freePort()
        let helper = try await HelperProcess.start(["python3", HelperProcess.script("cutting_proxy.py"), String(port), String(targetPort), String(cutAfter),
                                                    directory.file("state.json")],
                                                   directory: directory, name: "the cutting proxy on port \(port)") { HelperProcess.listening(port) }
        return CuttingProxy(port: port, helper: helper)
    }

    private init(port: Int, helper: HelperProcess) {
        self.port = port
        self.helper = helper
    }

    /// Bytes forwarded toward the server and back so far, and whether the cut happened.
    func state() -> (upstreamBytes: Int, downstreamBytes: Int, cut: Bool) {
        guard let data = FileManager.default.contents(atPath: helper.directory.file("state.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return (0, 0, false) }
        return (object["upstream_bytes"] as? Int ?? 0, object["downstream_bytes"] as? Int ?? 0, object["cut"] as? Bool ?? false)
    }

    /// Stops the proxy and removes its files.
    func stop() { helper.stop() }
}
