import Foundation
import Scanner
import Testing

/// An rpm database made by Debian's `rpm` and `rpmbuild` (SQLite backend, as RHEL 9, Rocky and Fedora use), read from
/// an image layer: the packages `rpm -qa` lists, with epochs, releases, architectures and source rpms.
@Suite("rpm database")
struct RpmDatabaseTests {
    /// Builds `packages` (name, version, release, epoch or nil) with rpmbuild and records them in a new database
    /// with `rpm --justdb`; returns the database directory and what `rpm -qa` says.
    static func database(_ packages: [(String, String, String, Int?)]) throws -> (directory: String, query: [String]) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rpm-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/top/SPECS", withIntermediateDirectories: true)
        for (name, version, release, epoch) in packages {
            let spec = "Name: \(name)\nVersion: \(version)\nRelease: \(release)\n" + (epoch.map { "Epoch: \($0)\n" } ?? "")
                + "Summary: test package\nLicense: MIT\nBuildArch: noarch\n%description\ntest\n%files\n"
            try Data(spec.utf8).write(to: URL(fileURLWithPath: root + "/top/SPECS/\(name).spec"))
            try LayerFixture.run("/usr/bin/rpmbuild", ["-bb", "--quiet", "--define", "_topdir \(root)/top", root + "/top/SPECS/\(name).spec"])
        }
        let rpms = try FileManager.default.contentsOfDirectory(atPath: root + "/top/RPMS/noarch").map { root + "/top/RPMS/noarch/" + $0 }
        try LayerFixture.run("/usr/bin/rpm", ["--dbpath", root + "/db", "--initdb"])
        try LayerFixture.run("/usr/bin/rpm", ["--dbpath", root + "/db", "-i", "--justdb", "--nodeps", "--noscripts", "--ignorearch"] + rpms)
        let query = Process()
        let output = Pipe()
        query.executableURL = URL(fileURLWithPath: "/usr/bin/rpm")
        query.arguments = ["--dbpath", root + "/db", "-qa", "--qf", "%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM}\\n"]
        query.standardOutput = output
        try query.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        query.waitUntilExit()
        return (root, text.split(separator: "\n").map(String.init).sorted())
    }

    @Test("the packages rpm itself lists, from usr/lib/sysimage/rpm/rpmdb.sqlite in a layer; a matcher finds Rocky advisories by binary name")
    func rockyImage() throws {
        try #require(RpmDatabase.available, "libsqlite3.so.0 is needed")
        let (root, query) = try Self.database([("hello", "2.10", "8.el9", nil), ("openssl-libs", "3.0.7", "27.el9", 1), ("bash", "5.1.8", "9.el9", nil)])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let layer = try LayerFixture.layer([
            "etc/os-release": .file("NAME=\"Rocky Linux\"\nID=\"rocky\"\nVERSION_ID=\"9.3\"\nPRETTY_NAME=\"Rocky Linux 9.3 (Blue Onyx)\"\n"),
            "usr/lib/sysimage/rpm/rpmdb.sqlite": .bytes(Array(try Data(contentsOf: URL(fileURLWithPath: root + "/db/rpmdb.sqlite")))),
            "var/lib/rpm": .symlink("../../usr/lib/sysimage/rpm"),
        ])
        var indexer = ImageIndexer()
        indexer.beginLayer()
        for piece in LayerFixture.pieces(layer, size: 50_000) { try indexer.feed(piece) }
        try indexer.endLayer()
        let inventory = indexer.inventory()
        #expect(inventory.warnings.isEmpty, "\(inventory.warnings)")
        let found = inventory.packages.map { "\($0.name) \($0.version) \($0.architecture ?? "") \($0.sourceName ?? "")" }.sorted()
        #expect(found == query.map { line in
            // rpm prints the source rpm file; the inventory keeps its package name.
            let parts = line.split(separator: " ")
            return "\(parts[0]) \(parts[1]) \(parts[2]) \(parts[3].dropLast(".src.rpm".count).split(separator: "-").dropLast(2).joined(separator: "-"))"
        }.sorted())
        #expect(found.contains("openssl-libs 1:3.0.7-27.el9 noarch openssl-libs"))

        let advisory = try #require(try OSVFormat.advisory(Array("""
            {"id": "RLSA-2099:1", "aliases": ["CVE-2099-7"], "affected": [{"package": {"ecosystem": "Rocky Linux:9", "name": "openssl-libs"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:3.0.7-28.el9"}]}]}]}
            """.utf8), file: "rlsa.json"))
        let findings = AdvisoryMatcher([advisory]).match(inventory)
        #expect(findings.map { "\($0.package.name) \($0.fixedVersion ?? "")" } == ["openssl-libs 1:3.0.7-28.el9"])
    }

    @Test("a file that is not an rpm database gives a warning")
    func notADatabase() {
        let result = RpmDatabase.packages(Array(repeating: 7, count: 4096), location: "var/lib/rpm/rpmdb.sqlite")
        #expect(result.packages.isEmpty && result.warnings.count == 1)
    }
}
