import Foundation

/// A real S3 server for end-to-end tests: `rclone serve s3` (it checks SigV4 signatures) over a temporary
/// directory, with one bucket already created.
final class TestS3Server: @unchecked Sendable {
    static let accessKey = "berth-e2e"
    static let secretKey = "berth-e2e-secret"

    let port: Int
    let bucket: String
    private let process: Process
    private let directory: TemporaryDirectory

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The `BERTH_*` variables that point a `berth` instance at this server's bucket under `prefix`.
    func environment(prefix: String = "registry", redirect: Bool = false) -> [String: String] {
        ["BERTH_STORAGE_DRIVER": "s3", "BERTH_S3_ENDPOINT": endpoint, "BERTH_S3_BUCKET": bucket, "BERTH_S3_PREFIX": prefix,
         "BERTH_S3_ACCESS_KEY": Self.accessKey, "BERTH_S3_SECRET_KEY": Self.secretKey, "BERTH_S3_REDIRECT": redirect ? "true" : "false"]
    }

    /// Keys in the bucket under `prefix`, listed through the S3 API by boto3 (an independent client).
    func keys(under prefix: String) async throws -> [String] {
        let script = """
            import boto3, sys
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], region_name="us-east-1")
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=sys.argv[4], Prefix=sys.argv[5]):
                for item in page.get("Contents", []):
                    print(item["Key"])
            """
        let listed = try await ProcessRunner.run(["python3", "-c", script, endpoint, Self.accessKey, Self.secretKey, bucket, prefix])
        guard listed.succeeded else { throw TestFailure("listing the bucket failed: \(listed.stderr)") }
        return listed.stdout.split(separator: "\n").map(String.init)
    }

    static func start(bucket: String = "berth") async throws -> TestS3Server {
        let directory = try TemporaryDirectory("rclone-s3")
        try FileManager.default.createDirectory(atPath: directory.file("data/\(bucket)"), withIntermediateDirectories: true)
        let port = try TestLDAPServer.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["rclone", "serve", "s3", "--addr", "127.0.0.1:\(port)", "--auth-key", "\(accessKey),\(secretKey)",
                             "--vfs-cache-mode", "writes", "--cache-dir", directory.file("cache"), "--config", "/dev/null", directory.file("data")]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let server = TestS3Server(port: port, bucket: bucket, process: process, directory: directory)
        for _ in 0 ..< 200 {
            if (try? await RegistryHTTP(base: server.endpoint).request(.GET, "/")) != nil { return server }
            try await Task.sleep(for: .milliseconds(50))
        }
        server.stop()
        throw TestFailure("rclone serve s3 did not start on port \(port)")
    }

    private init(port: Int, bucket: String, process: Process, directory: TemporaryDirectory) {
        self.port = port
        self.bucket = bucket
        self.process = process
        self.directory = directory
    }

    /// Kills the server and removes its files.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        directory.remove()
    }
}
