import AsyncHTTPClient
import Foundation
import NIOCore

/// Which registry a run measures.
enum RegistryKind: String, CaseIterable, Sendable {
    case berth
    case distribution

    var label: String { self == .berth ? "Berth" : "distribution" }
}

/// A registry process started in a fresh temporary directory on a free port.
final class RegistryUnderTest: @unchecked Sendable {
    let kind: RegistryKind
    let directory: String
    let port: Int
    let process: Process
    /// Seconds from spawning the process to the first 200 on `/v2/`.
    let startupSeconds: Double

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(kind: RegistryKind, directory: String, port: Int, process: Process, startupSeconds: Double) {
        self.kind = kind
        self.directory = directory
        self.port = port
        self.process = process
        self.startupSeconds = startupSeconds
    }

    static func start(_ kind: RegistryKind, berthBinary: String, distributionBinary: String, client: HTTPClient) async throws -> RegistryUnderTest {
        let directory = NSTemporaryDirectory() + "berth-bench-\(kind.rawValue)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let port = try freePort()
        let process = Process()
        var environment = ProcessInfo.processInfo.environment
        switch kind {
        case .berth:
            process.executableURL = URL(fileURLWithPath: berthBinary)
            process.arguments = ["serve", "--port", String(port), "--data-dir", directory + "/data", "--log-level", "warning"]
            environment["BERTH_ACCESS_LOG"] = "false"
            environment["BERTH_AUTH_ENABLED"] = "false"
        case .distribution:
            let config = """
                version: 0.1
                log:
                  level: warn
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: \(directory)/data
                  delete:
                    enabled: true
                  cache:
                    blobdescriptor: inmemory
                  maintenance:
                    uploadpurging:
                      enabled: false
                http:
                  addr: 127.0.0.1:\(port)
                  secret: benchmark-secret
                """
            try config.write(toFile: directory + "/config.yml", atomically: true, encoding: .utf8)
            process.executableURL = URL(fileURLWithPath: distributionBinary)
            process.arguments = ["serve", directory + "/config.yml"]
            environment.removeValue(forKey: "AWS_CA_BUNDLE")
        }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        process.standardInput = FileHandle.nullDevice
        let start = ContinuousClock.now
        try process.run()
        while true {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v2/")
            request.method = .GET
            if let response = try? await client.execute(request, timeout: .milliseconds(200)), response.status == .ok {
                _ = try? await response.body.collect(upTo: 1 << 16)
                break
            }
            guard process.isRunning, seconds(since: start) < 30 else {
                throw BenchError("\(kind.label) did not start within 30 s")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        return RegistryUnderTest(kind: kind, directory: directory, port: port, process: process, startupSeconds: seconds(since: start))
    }

    /// Resident set size now and at its peak, in bytes.
    func memory() -> (rss: Double, peak: Double) {
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8) else { return (.nan, .nan) }
        func field(_ name: String) -> Double {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
                  let kb = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return .nan }
            return kb * 1024
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    /// Stops the process. Its directory stays until `removeData()`: deleting gigabytes of files makes the
    /// next registry's file creations slow for about 30 s on ext4 (it skips recently freed inodes), which
    /// would penalise whichever registry runs next.
    func stop() async {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Deletes the registry's data directory.
    func removeData() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A TCP port nobody listens on right now.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { ptr in
        ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw BenchError("cannot find a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A benchmark that could not run.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
