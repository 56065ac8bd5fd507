import Foundation

/// The CNCF distribution registry (`docker-registry` 2.8, the registry Harbor wraps), anonymous, on a temporary
/// directory: the remote registry end-to-end tests pull from and copy to.
final class TestDistribution: @unchecked Sendable {
    let port: Int
    private let process: Process
    private let directory: TemporaryDirectory

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
        process.arguments = ["serve", directory.file("config.yml")]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let server = TestDistribution(port: port, process: process, directory: directory)
        for _ in 0 ..< 200 {
            if let answer = try? await RegistryHTTP(base: server.baseURL).request(.GET, "/v2/"), answer.status == 200 { return server }
            try await Task.sleep(for: .milliseconds(50))
        }
        server.stop()
        throw TestFailure("docker-registry did not start on port \(port)")
    }

    private init(port: Int, process: Process, directory: TemporaryDirectory) {
        self.port = port
        self.process = process
        self.directory = directory
    }

    /// Kills the registry and removes its files.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        directory.remove()
    }
}
