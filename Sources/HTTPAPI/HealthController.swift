import Hummingbird
import NIOCore

/// `GET /health`: 200 with `{"status":"healthy"}` while the server runs.
public struct HealthController: Sendable {
    /// Creates the controller.
    public init() {}

    /// Registers the route.
    public func register(on router: Router<BerthRequestContext>) {
        router.get("/health") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"healthy"}"#)))
        }
    }
}
