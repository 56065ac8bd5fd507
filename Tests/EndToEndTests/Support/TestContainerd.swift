import Foundation

/// A containerd daemon of its own (root, state and socket in a temporary directory, CRI off), driven with `ctr`, as
/// Kubernetes nodes pull.
final class TestContainerd: @unchecked Sendable {
    let directory: TemporaryDirectory
    private let process: Process
    var socket: String { directory.file("containerd.sock") }

    private init(directory: TemporaryDirectory, process: Process) {
        self.directory = directory
        self.process = process
    }

    /// Starts containerd and waits for its socket.
    static func start() async throws -> TestContainerd {
        let directory = try TemporaryDirectory("ctrd")
        let config = """
            version = 2
            root = "\(directory.file("root"))"
            state = "\(directory.file("state"))"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "\(directory.file("containerd.sock"))"
            [ttrpc]
              address = "\(directory.file("containerd.ttrpc.sock"))"
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: directory.file("config.toml")))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["containerd", "--config", directory.file("config.toml")]
        FileManager.default.createFile(atPath: directory.file("containerd.log"), contents: nil)
        let log = FileHandle(forWritingAtPath: directory.file("containerd.log"))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let daemon = TestContainerd(directory: directory, process: process)
        for _ in 0 ..< 200 {
            if FileManager.default.fileExists(atPath: daemon.socket),
               (try? await daemon.ctr(["version"]))?.succeeded == true { return daemon }
            try await Task.sleep(for: .milliseconds(50))
        }
        let text = (try? String(contentsOfFile: directory.file("containerd.log"), encoding: .utf8)) ?? ""
        await daemon.stop()
        throw TestFailure("containerd did not start: \(text.suffix(1000))")
    }

    /// Runs `ctr` against this daemon.
    func ctr(_ arguments: [String]) async throws -> CommandResult {
        try await ProcessRunner.run(["ctr", "-a", socket] + arguments, timeout: 120)
    }

    /// Stops the daemon and removes its directory.
    func stop() async {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, kill(process.processIdentifier, 0) == 0 {
            if ContinuousClock.now > deadline { kill(process.processIdentifier, SIGKILL) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        // Snapshots are plain directories with the overlay or native snapshotter; nothing stays mounted after ctr pull.
        directory.remove()
    }
}
