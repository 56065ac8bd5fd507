import Foundation

/// The CNCF distribution registry (`docker-registry` 2.8, the registry Harbor wraps), anonymous, on a temporary
/// directory: the remote registry end-to-end tests pull from and copy to.
final class TestDistribution: @unchecked Sendable {
    let port: Int
    private let helper: HelperProcess

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var hostPort: String { "127.0.0.1:\(port)" }

    static func start() async throws -> TestDistribution {
        let directory = try TemporaryDirectory("distribution")
        let port = try TestLDAPServer.freePort()
        let config = """
            version: 0.1
            log:
              level: error
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: \(directory.file("data"))
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:\(port)
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: directory.file("config.yml")))
        let base = "http://127.0.0.1:\(port)"
        let helper = try await HelperProcess.start(["/usr/bin/docker-registry", "serve", directory.file("config.yml")], directory: directory,
                                                   name: "docker-registry on port \(port)") {
            (try? await RegistryHTTP(base: base).request(.GET, "/v2/"))?.status == 200
        }
        return TestDistribution(port: port, helper: helper)
    }

    private init(port: Int, helper: HelperProcess) {
        self.port = port
        self.helper = helper
    }

    /// Kills the registry and removes its files.
    func stop() { helper.stop() }
}
