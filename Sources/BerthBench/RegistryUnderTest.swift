import AsyncHTTPClient
import Foundation
import HummingbirdBcrypt
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
    /// Whether clients must authenticate (with `Self.basicAuthorization`).
    let authenticated: Bool

    /// The benchmark user: a developer of project `bench` on Berth, an htpasswd entry (bcrypt cost 4) on distribution.
    static let user = "bench"
    static let password = "Bench-Pass-1234"
    static let basicAuthorization = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    static let berthAdminPassword = "Bench-Admin-1234"

    /// Whether the registry serves HTTPS.
    let secure: Bool
    var baseURL: String { "\(secure ? "https" : "http")://127.0.0.1:\(port)" }

    private init(kind: RegistryKind, directory: String, port: Int, process: Process, startupSeconds: Double, authenticated: Bool, secure: Bool) {
        self.secure = secure
        self.kind = kind
        self.directory = directory
        self.port = port
        self.process = process
        self.startupSeconds = startupSeconds
        self.authenticated = authenticated
    }

    /// The HTTP client for this registry, with credentials when it requires them.
    func http(_ client: HTTPClient) -> BenchHTTP {
        BenchHTTP(client: client, base: baseURL, authorization: authenticated ? Self.basicAuthorization : nil)
    }

    /// Starts `kind` on `backend` and waits for its first 200 on `/v2/`; Berth gets `berthEnvironment` on top of its own.
    static func start(_ kind: RegistryKind, berthBinary: String, distributionBinary: String, client: HTTPClient,
                      authenticated: Bool = false, backend: BenchBackend = .embedded, tls: BenchTLS? = nil,
                      pinning: CPUPinning? = nil, berthEnvironment: [String: String] = [:]) async throws -> RegistryUnderTest {
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
            environment["BERTH_AUTH_ENABLED"] = authenticated ? "true" : "false"
            environment["BERTH_ADMIN_PASSWORD"] = berthAdminPassword
            environment.merge(berthEnvironment) { _, given in given }
            if let tls { process.arguments! += ["--tls-certificate", tls.certificate, "--tls-key", tls.key] }
            if case .scaled(let scaled) = backend {
                environment["BERTH_DATABASE"] = scaled.databaseURL
                environment["BERTH_STORAGE_DRIVER"] = "s3"
                environment["BERTH_S3_ENDPOINT"] = scaled.s3Endpoint
                environment["BERTH_S3_BUCKET"] = ScaledBackend.bucket
                environment["BERTH_S3_PREFIX"] = "berth"
                environment["BERTH_S3_ACCESS_KEY"] = ScaledBackend.accessKey
                environment["BERTH_S3_SECRET_KEY"] = ScaledBackend.secretKey
            }
        case .distribution:
            let storage: String
            switch backend {
            case .embedded:
                storage = """
                      filesystem:
                        rootdirectory: \(directory)/data
                    """
            case .scaled(let scaled):
                storage = """
                      s3:
                        region: us-east-1
                        regionendpoint: \(scaled.s3Endpoint)
                        bucket: \(ScaledBackend.bucket)
                        rootdirectory: /distribution
                        accesskey: \(ScaledBackend.accessKey)
                        secretkey: \(ScaledBackend.secretKey)
                        secure: false
                        v4auth: true
                      redirect:
                        disable: true
                    """
            }
            let config = """
                version: 0.1
                log:
                  level: warn
                  accesslog:
                    disabled: true
                storage:
                \(storage)
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
                """ + (tls.map { """

                  tls:
                    certificate: \($0.certificate)
                    key: \($0.key)
                """ } ?? "") + (authenticated ? """

                auth:
                  htpasswd:
                    realm: benchmark
                    path: \(directory)/htpasswd
                """ : "")
            if authenticated {
                try "\(user):\(Bcrypt.hash(password, cost: 4))\n".write(toFile: directory + "/htpasswd", atomically: true, encoding: .utf8)
            }
            try config.write(toFile: directory + "/config.yml", atomically: true, encoding: .utf8)
            process.executableURL = URL(fileURLWithPath: distributionBinary)
            process.arguments = ["serve", directory + "/config.yml"]
            environment.removeValue(forKey: "AWS_CA_BUNDLE")
        }
        if let pinning, let binary = process.executableURL?.path {
            // taskset execs the registry, so the process (and its pid for memory and CPU readings) stays the same.
            process.arguments = ["-c", pinning.server, binary] + (process.arguments ?? [])
            process.executableURL = URL(fileURLWithPath: pinning.taskset)
        }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        process.standardInput = FileHandle.nullDevice
        let start = ContinuousClock.now
        try process.run()
        while true {
            var request = HTTPClientRequest(url: "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)/v2/")
            request.method = .GET
            if authenticated {
                let credentials = kind == .berth ? "admin:\(berthAdminPassword)" : "\(user):\(password)"
                request.headers.add(name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
            }
            if let response = try? await client.execute(request, timeout: .milliseconds(200)), response.status == .ok {
                _ = try? await response.body.collect(upTo: 1 << 16)
                break
            }
            guard process.isRunning, seconds(since: start) < 30 else {
                throw BenchError("\(kind.label) did not start within 30 s")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        let registry = RegistryUnderTest(kind: kind, directory: directory, port: port, process: process, startupSeconds: seconds(since: start),
                                         authenticated: authenticated, secure: tls != nil)
        if authenticated, kind == .berth { try await registry.createBenchUser(client) }
        return registry
    }

    /// On Berth: the user `bench`, the private project `bench`, and `bench` as its developer.
    private func createBenchUser(_ client: HTTPClient) async throws {
        let admin = "Basic " + Data("admin:\(Self.berthAdminPassword)".utf8).base64EncodedString()
        let calls: [(String, String)] = [
            ("/api/v2.0/users", #"{"username":"\#(Self.user)","password":"\#(Self.password)"}"#),
            ("/api/v2.0/projects", #"{"project_name":"bench","metadata":{"public":"false"}}"#),
            ("/api/v2.0/projects/bench/members", #"{"role_id":2,"member_user":{"username":"\#(Self.user)"}}"#),
        ]
        for (path, body) in calls {
            var request = HTTPClientRequest(url: baseURL + path)
            request.method = .POST
            request.headers.add(name: "Authorization", value: admin)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 16)
            guard response.status == .created else { throw BenchError("Berth setup \(path) answered \(response.status.code)") }
        }
    }

    /// Resident set size now and at its peak, in bytes.
    /// CPU seconds (user + system) the registry process has used so far.
    func cpuSeconds() -> Double { processCPUSeconds(process.processIdentifier) }

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

/// CPU seconds (user + system) process `pid` has used so far (`/proc/<pid>/stat`), NaN when it cannot be read.
func processCPUSeconds(_ pid: Int32) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let end = text.lastIndex(of: ")") else { return .nan }
    let fields = text[text.index(after: end)...].split(separator: " ")
    // After the command name: state is field 3, utime and stime are fields 14 and 15.
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}
