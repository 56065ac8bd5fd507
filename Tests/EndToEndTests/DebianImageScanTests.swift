import Foundation
import OCI
import Scanner
import Testing

/// A real Debian bookworm system made by debootstrap (minbase) from the Debian mirror apt uses here: its one layer is
/// inventoried with exactly the packages and versions `dpkg-query` reports for the same root, and the image pushed with
/// skopeo is scanned through Harbor's API against a Debian tracker export written for its real package versions.
@Suite("Debian bookworm image")
struct DebianImageScanTests {
    /// The first non-security Debian mirror apt is configured with.
    static func mirror() throws -> String {
        var texts: [String] = []
        if let classic = try? String(contentsOfFile: "/etc/apt/sources.list", encoding: .utf8) { texts.append(classic) }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/etc/apt/sources.list.d")) ?? [] where name.hasSuffix(".sources") || name.hasSuffix(".list") {
            if let text = try? String(contentsOfFile: "/etc/apt/sources.list.d/" + name, encoding: .utf8) { texts.append(text) }
        }
        for text in texts {
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ")
                guard words.count >= 2, words[0] == "URIs:" || words[0] == "deb" else { continue }
                let url = String(words[words[0] == "deb" && words[1].hasPrefix("[") ? 2 : 1])
                if url.contains("debian") && !url.contains("security") { return url }
            }
        }
        throw MirrorMissing()
    }

    struct MirrorMissing: Error {}

    @Test("debootstrap's bookworm: the inventory equals dpkg-query's, and the pushed image's scan reports the tracker's findings for its real versions",
          .timeLimit(.minutes(10)))
    func bookworm() async throws {
        let work = try TemporaryDirectory("bookworm")
        defer { work.remove() }
        let root = work.file("rootfs")
        let cache = NSTemporaryDirectory() + "berth-debootstrap-cache"
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        let bootstrap = try await ProcessRunner.run(["debootstrap", "--variant=minbase", "--cache-dir=\(cache)", "bookworm", root, try Self.mirror()],
                                                    timeout: 480)
        try #require(bootstrap.succeeded, "debootstrap failed: \(bootstrap.combined.suffix(2000))")
        // What dpkg itself says is installed, with source packages and versions.
        let query = try await ProcessRunner.run(["dpkg-query", "--admindir=\(root)/var/lib/dpkg", "-W",
                                                 "-f=${db:Status-Status}\t${Package}\t${Version}\t${source:Package}\t${source:Version}\n"])
        try #require(query.succeeded, "\(query.stderr)")
        let installed = query.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
            .filter { $0.count == 5 && $0[0] == "installed" }
        #expect(installed.count > 80)
        // Runtimes make /dev; image builders leave it empty.
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: root + "/dev")) ?? [] { try? FileManager.default.removeItem(atPath: root + "/dev/" + entry) }
        let tar = try OCILayoutWriter.tarDirectory(root)

        // The layer as it is pushed, read by the indexer: exactly dpkg's packages and versions.
        let layout = try OCILayoutWriter.write(to: work.file("layout"), tag: "bookworm", layerTars: [tar])
        var indexer = ImageIndexer()
        indexer.beginLayer()
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work.file("layout") + "/blobs/sha256/" + layout.topDigest.hex))) as? [String: Any]
        let layerDigest = try #require(((manifest?["layers"] as? [[String: Any]])?.first?["digest"] as? String)?.dropFirst("sha256:".count))
        let handle = try #require(FileHandle(forReadingAtPath: work.file("layout") + "/blobs/sha256/" + layerDigest))
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { try indexer.feed(chunk) }
        try handle.close()
        try indexer.endLayer()
        let inventory = indexer.inventory()
        #expect(inventory.operatingSystem?.id == "debian" && inventory.operatingSystem?.codename == "bookworm" && inventory.operatingSystem?.versionID == "12")
        let found = Set(inventory.packages.filter { $0.ecosystem == .deb }.map { "\($0.name) \($0.version) \($0.sourceName ?? "") \($0.sourceVersion ?? "")" })
        #expect(found == Set(installed.map { "\($0[1]) \($0[2]) \($0[3]) \($0[4])" }))

        // A tracker export for two real source packages: glibc fixed after its installed version (reported with the
        // fix), zlib fixed long before it (not reported).
        let glibc = try #require(installed.first { $0[3] == "glibc" })
        let zlib = try #require(installed.first { $0[3] == "zlib" })
        let tracker = """
            {"glibc": {"CVE-2099-1000": {"description": "test advisory for glibc", "releases": {"bookworm": {"status": "resolved", "fixed_version": "\(glibc[4])+berth1", "urgency": "high"}}}},
             "zlib": {"CVE-2099-1001": {"description": "test advisory for zlib", "releases": {"bookworm": {"status": "resolved", "fixed_version": "1:1.2.0-1", "urgency": "high"}}}}}
            """
        try Data(tracker.utf8).write(to: URL(fileURLWithPath: work.file("tracker.json")))
        let data = work.file("data")
        let imported = try await ProcessRunner.run([BerthInstance.binaryPath, "advisories", "import", "--data-dir", data, work.file("tracker.json")])
        #expect(imported.succeeded, "\(imported.combined)")

        let server = try await BerthInstance.start(dataDirectory: data)
        do {
            let http = RegistryHTTP(base: server.baseURL)
            let push = try await ProcessRunner.run(["skopeo", "copy", "--dest-tls-verify=false", "oci:\(work.file("layout")):bookworm",
                                                    "docker://\(server.hostPort)/library/debian:bookworm"])
            try #require(push.succeeded, "\(push.stderr)")
            let artifact = "/api/v2.0/projects/library/repositories/debian/artifacts/bookworm"
            #expect(try await http.request(.POST, artifact + "/scan").status == 202)
            let reportType = "application/vnd.security.vulnerability.report; version=1.1"
            var status = ""
            #expect(try await eventually(timeout: .seconds(120)) {
                let overview = (try await http.request(.GET, artifact + "?with_scan_overview=true").json()["scan_overview"] as? [String: Any])?[reportType]
                status = (overview as? [String: Any])?["scan_status"] as? String ?? ""
                return status == "Success" || status == "Error"
            })
            #expect(status == "Success")
            let report = try await http.request(.GET, artifact + "/additions/vulnerabilities").json()
            let vulnerabilities = ((report[reportType] as? [String: Any])?["vulnerabilities"] as? [[String: Any]]) ?? []
            let glibcBinaries = Set(installed.filter { $0[3] == "glibc" }.map { $0[1] })
            let reported = vulnerabilities.filter { $0["id"] as? String == "CVE-2099-1000" }
            #expect(Set(reported.compactMap { $0["package"] as? String }) == glibcBinaries)
            #expect(reported.allSatisfy { $0["fix_version"] as? String == "\(glibc[4])+berth1" && $0["severity"] as? String == "High" })
            #expect(!vulnerabilities.contains { $0["id"] as? String == "CVE-2099-1001" })
        } catch {
            await server.destroy()
            throw error
        }
        await server.destroy()
    }
}
