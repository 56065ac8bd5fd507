import Foundation
import OCI

/// The scanner's figures (Berth only): importing an advisory store of synthetic entries plus the real Go vulnerability
/// database with `berth advisories import`, then indexing a real Debian bookworm image (debootstrap's minbase, when
/// debootstrap can run here) and matching it against that store with `berth scan`. Each command's time and peak
/// memory are its own process's (measured by a Python wrapper through `getrusage`).
struct ScanningWorkload {
    let berth: String
    let advisories: Int
    let log: (String) -> Void

    /// A command's standard output, wall time and peak resident memory.
    struct Run {
        let output: String
        let seconds: Double
        let peakMB: Double
    }

    func measure() async throws -> RoundResult {
        var result: RoundResult = [:]
        let work = NSTemporaryDirectory() + "berth-bench-scan-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let data = work + "/data"

        log("  writing \(advisories) synthetic OSV advisories")
        try Self.syntheticArchive(count: advisories, to: work + "/synthetic.tar")
        let synthetic = try run([berth, "advisories", "import", "--data-dir", data, "--source", "synthetic", work + "/synthetic.tar"])
        let goDatabase = "Tests/Fixtures/go-vulndb.tar.gz"
        let go = try run([berth, "advisories", "import", "--data-dir", data, "--source", "go-vulndb", goDatabase])
        log("  imported \(advisories) synthetic advisories in \(String(format: "%.2f", synthetic.seconds)) s (peak \(Int(synthetic.peakMB)) MB), "
            + "the Go database in \(String(format: "%.2f", go.seconds)) s")
        result["scan_import_s"] = synthetic.seconds
        result["scan_import_rss_mb"] = synthetic.peakMB
        result["scan_import_go_s"] = go.seconds

        guard let layout = try bookwormLayout(in: work) else {
            log("  no bookworm image (debootstrap needs root and the Debian mirror apt uses): index and match rows skipped")
            return result
        }
        var index: [Double] = [], match: [Double] = [], rss: [Double] = []
        var packages = 0, findings = 0
        for _ in 0..<3 {
            let scan = try run([berth, "scan", "--data-dir", data, "--format", "json", layout + ":bookworm"])
            guard let object = try JSONSerialization.jsonObject(with: Data(scan.output.utf8)) as? [String: Any] else { continue }
            index.append(object["index_ms"] as? Double ?? 0)
            match.append(object["match_ms"] as? Double ?? 0)
            rss.append(scan.peakMB)
            packages = object["packages"] as? Int ?? 0
            findings = (object["vulnerabilities"] as? [Any])?.count ?? 0
        }
        guard !index.isEmpty else { return result }
        log("  bookworm: \(packages) packages, \(findings) findings; index \(index.map { Int($0) }) ms, match \(match.map { Int($0) }) ms, peak \(rss.map { Int($0) }) MB")
        result["scan_index_ms"] = index.sorted()[index.count / 2]
        result["scan_match_ms"] = match.sorted()[match.count / 2]
        result["scan_peak_rss_mb"] = rss.max()
        result["scan_packages"] = Double(packages)
        return result
    }

    /// Runs a command; its time and peak memory come from a Python parent that waits for it.
    func run(_ arguments: [String]) throws -> Run {
        let wrapper = """
            import resource, subprocess, sys, time
            started = time.monotonic()
            done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)
            elapsed = time.monotonic() - started
            sys.stderr.write("%f %d\\n" % (elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
            sys.stdout.buffer.write(done.stdout)
            sys.exit(done.returncode)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", wrapper] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let last = errors.split(separator: "\n").last else {
            throw BenchError("\(arguments.joined(separator: " ")) failed: \(errors.suffix(500))")
        }
        let fields = last.split(separator: " ")
        return Run(output: String(decoding: output, as: UTF8.self), seconds: Double(fields.first ?? "") ?? 0,
                   peakMB: (Double(fields.last ?? "") ?? 0) / 1024)
    }

    /// A tar archive of `count` OSV documents: mostly made-up npm, PyPI and Go packages, and 2% on real bookworm
    /// source packages (so the bookworm match has work to do, about 50 advisories per such package).
    static func syntheticArchive(count: Int, to path: String) throws {
        let realSources = ["glibc", "zlib", "openssl", "systemd", "util-linux", "coreutils", "bash", "perl", "gcc-12", "ncurses", "xz-utils",
                           "bzip2", "tar", "gzip", "sed", "grep", "dpkg", "apt", "libgcrypt20", "gnutls28", "shadow", "pam", "libzstd", "lz4",
                           "libseccomp", "libselinux", "pcre2", "sqlite3", "e2fsprogs", "findutils", "diffutils", "debconf", "acl", "attr",
                           "audit", "libcap2", "libxcrypt", "gmp", "nettle", "p11-kit"]
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let file = FileHandle(forWritingAtPath: path) else { throw BenchError("cannot write \(path)") }
        defer { try? file.close() }
        var buffer: [UInt8] = []
        for index in 0..<count {
            let document: String
            if index % 50 == 0 {
                let source = realSources[(index / 50) % realSources.count]
                document = #"{"id":"SYN-\#(index)","modified":"2026-01-01T00:00:00Z","summary":"synthetic advisory \#(index)","aliases":["CVE-2099-\#(index)"],"affected":[{"package":{"ecosystem":"Debian:12","name":"\#(source)"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"\#(index % 3 == 0 ? "99:1.0-1" : "0.1-1")"}]}]}]}"#
            } else {
                let ecosystem = ["npm", "PyPI", "Go"][index % 3]
                document = #"{"id":"SYN-\#(index)","modified":"2026-01-01T00:00:00Z","summary":"synthetic advisory \#(index)","aliases":["CVE-2098-\#(index)"],"affected":[{"package":{"ecosystem":"\#(ecosystem)","name":"synthetic-package-\#(index % 20_000)"},"ranges":[{"type":"\#(ecosystem == "PyPI" ? "ECOSYSTEM" : "SEMVER")","events":[{"introduced":"0"},{"fixed":"1.\#(index % 50).0"}]}]}]}"#
            }
            buffer += TarWriter.entry(name: "advisories/SYN-\(index).json", contents: Array(document.utf8))
            if buffer.count > 1 << 20 {
                file.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        buffer += [UInt8](repeating: 0, count: 1024)
        file.write(Data(buffer))
    }

    /// An OCI layout holding debootstrap's bookworm (minbase) as one gzip layer, tagged `bookworm`; the root
    /// file system is kept between runs. Nil when debootstrap cannot run here.
    func bookwormLayout(in work: String) throws -> String? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/debootstrap"), getuid() == 0 else { return nil }
        let root = NSTemporaryDirectory() + "berth-bench-bookworm"
        if !FileManager.default.fileExists(atPath: root + "/var/lib/dpkg/status") {
            let mirror = (try? String(contentsOfFile: "/etc/apt/sources.list.d/debian.sources", encoding: .utf8))?
                .split(separator: "\n").first { $0.hasPrefix("URIs:") }.map { String($0.dropFirst(5)).trimmingCharacters(in: .whitespaces) }
                ?? "http://deb.debian.org/debian"
            log("  debootstrap bookworm (minbase) from \(mirror)")
            try shell("debootstrap --variant=minbase bookworm '\(root)' '\(mirror)' > '\(work)/debootstrap.log' 2>&1 && rm -rf '\(root)'/dev/*")
        }
        let layout = work + "/layout"
        try FileManager.default.createDirectory(atPath: layout + "/blobs/sha256", withIntermediateDirectories: true)
        try shell("tar --format=pax -C '\(root)' -cf '\(work)/layer.tar' . && gzip -n -c '\(work)/layer.tar' > '\(work)/layer.tar.gz'")
        let diffID = Digest.compute(of: try Data(contentsOf: URL(fileURLWithPath: work + "/layer.tar")))
        let layerBytes = try Data(contentsOf: URL(fileURLWithPath: work + "/layer.tar.gz"))
        let layerDigest = Digest.compute(of: layerBytes)
        try FileManager.default.moveItem(atPath: work + "/layer.tar.gz", toPath: layout + "/blobs/sha256/" + layerDigest.hex)
        try? FileManager.default.removeItem(atPath: work + "/layer.tar")
        func store(_ object: Any) throws -> (Digest, Int) {
            let bytes = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            let digest = Digest.compute(of: bytes)
            try bytes.write(to: URL(fileURLWithPath: layout + "/blobs/sha256/" + digest.hex))
            return (digest, bytes.count)
        }
        let (config, configSize) = try store(["architecture": "amd64", "os": "linux", "rootfs": ["type": "layers", "diff_ids": [diffID.description]]])
        let (manifest, manifestSize) = try store([
            "schemaVersion": 2, "mediaType": MediaType.ociManifest,
            "config": ["mediaType": "application/vnd.oci.image.config.v1+json", "digest": config.description, "size": configSize],
            "layers": [["mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layerDigest.description, "size": layerBytes.count]],
        ] as [String: Any])
        let index: [String: Any] = ["schemaVersion": 2, "manifests": [["mediaType": MediaType.ociManifest, "digest": manifest.description, "size": manifestSize,
                                                                        "annotations": ["org.opencontainers.image.ref.name": "bookworm"]]]]
        try JSONSerialization.data(withJSONObject: index).write(to: URL(fileURLWithPath: layout + "/index.json"))
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: layout + "/oci-layout"))
        return layout
    }

    private func shell(_ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("\(command) failed (\(process.terminationStatus))") }
    }
}

/// Writes ustar entries (names up to 100 bytes, regular files).
enum TarWriter {
    static func entry(name: String, contents: [UInt8]) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (i, byte) in text.utf8.enumerated() { header[offset + i] = byte } }
        put(String(name.prefix(100)), at: 0)
        put("0000644\0", at: 100)
        put("0000000\0", at: 108)
        put("0000000\0", at: 116)
        put(String(String(contents.count, radix: 8).leftPad(11)) + "\0", at: 124)
        put("00000000000\0", at: 136)
        put("        ", at: 148)
        header[156] = UInt8(ascii: "0")
        put("ustar\0", at: 257)
        put("00", at: 263)
        let checksum = header.reduce(0) { $0 + Int($1) }
        put(String(String(checksum, radix: 8).leftPad(6)) + "\0 ", at: 148)
        return header + contents + [UInt8](repeating: 0, count: (512 - contents.count % 512) % 512)
    }
}

extension String {
    /// Left-padded with zeros to `width`.
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
