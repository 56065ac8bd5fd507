import Foundation
import Scanner
import Testing

/// Python packages as pip installs them: wheels built in the test (with the name and version spellings PEP 503 and
/// PEP 440 allow) installed by the real pip into a directory, archived as a layer; the inventory must list exactly
/// what `pip list --path` lists there.
/// A command that did not succeed.
struct CommandFailed: Error, CustomStringConvertible {
    let command: String
    var description: String { "failed: \(command)" }
}

@Suite("pip-installed Python packages")
struct PipLayerTests {
    /// Writes minimal wheels (`name==version` each) into `directory`.
    static let wheelMaker = """
        import base64, hashlib, sys, zipfile
        out = sys.argv[1]
        for spec in sys.argv[2:]:
            name, version = spec.split("==")
            dist = name.replace("-", "_")
            files = {dist.lower() + "/__init__.py": b"",
                     f"{dist}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\nSummary: made by the test\\n".encode(),
                     f"{dist}-{version}.dist-info/WHEEL": b"Wheel-Version: 1.0\\nGenerator: berth-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
            record = ""
            for path, data in files.items():
                digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                record += f"{path},sha256={digest},{len(data)}\\n"
            record += f"{dist}-{version}.dist-info/RECORD,,\\n"
            with zipfile.ZipFile(f"{out}/{dist}-{version}-py3-none-any.whl", "w") as archive:
                for path, data in files.items():
                    archive.writestr(path, data)
                archive.writestr(f"{dist}-{version}.dist-info/RECORD", record)
        """

    /// Runs a command on a thread of its own (waiting for pip must not hold one of the few threads every test shares)
    /// and returns its output.
    static func output(_ executable: String, _ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try blockingOutput(executable, arguments) })
            }
        }
    }

    static func blockingOutput(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // Output goes to a file, read once the command ended: Foundation's pipe reads trap on EINTR/EAGAIN.
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)").path
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try? output.close()
        let data = try Data(contentsOf: URL(fileURLWithPath: outputPath))
        guard process.terminationStatus == 0 else { throw CommandFailed(command: "\(executable) \(arguments.joined(separator: " "))") }
        return String(decoding: data, as: UTF8.self)
    }

    @Test("the inventory of a layer pip installed into equals pip list --path of it")
    func pipInstalledPackages() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("pip-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        try FileManager.default.createDirectory(atPath: work + "/wheels", withIntermediateDirectories: true)
        let specs = ["Berth-Demo==1.2.3", "second.pkg==0.9rc1", "third_one==2024.1.post2", "Fourth==1!2.0.dev3"]
        _ = try await Self.output("/usr/bin/env", ["python3", "-c", Self.wheelMaker, work + "/wheels"] + specs)
        let wheels = try FileManager.default.contentsOfDirectory(atPath: work + "/wheels").map { work + "/wheels/" + $0 }
        let site = work + "/root/usr/local/lib/python3.11/site-packages"
        _ = try await Self.output("/usr/bin/env", ["python3", "-m", "pip", "install", "--quiet", "--no-index", "--disable-pip-version-check", "--target", site] + wheels)
        let listed = try await Self.output("/usr/bin/env", ["python3", "-m", "pip", "list", "--disable-pip-version-check", "--path", site, "--format", "json"])
        let pip = try #require(try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [[String: String]])
        let expected = Set(pip.map { "\($0["name"] ?? "")==\($0["version"] ?? "")" })
        #expect(expected.count == specs.count, "\(listed)")

        _ = try await Self.output("/usr/bin/tar", ["--format=pax", "-czf", work + "/layer.tar.gz", "-C", work + "/root", "."])
        let layer = Array(try Data(contentsOf: URL(fileURLWithPath: work + "/layer.tar.gz")))
        let inventory = try ImageIndexerTests.index([layer])
        let python = inventory.packages.filter { $0.ecosystem == .pypi }
        #expect(Set(python.map { "\($0.name)==\($0.version)" }) == expected, "\(python)")
        #expect(python.allSatisfy { $0.location.hasPrefix("usr/local/lib/python3.11/site-packages/") && $0.location.hasSuffix(".dist-info/METADATA") },
                "\(python.map(\.location))")
    }
}
