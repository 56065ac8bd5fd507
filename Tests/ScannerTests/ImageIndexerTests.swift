import Foundation
import Scanner
import Testing

/// Inventories of images made of real layers (GNU tar, gzip, zstd): the distribution from `os-release` through its
/// symlink, dpkg and apk databases, Python and npm metadata, a Go binary's build information, and the layers'
/// whiteouts and replacements deciding what is read.
@Suite("Image indexer")
struct ImageIndexerTests {
    static let bookworm = """
        PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
        NAME="Debian GNU/Linux"
        VERSION_ID="12"
        VERSION="12 (bookworm)"
        VERSION_CODENAME=bookworm
        ID=debian
        HOME_URL="https://www.debian.org/"
        """

    static let dpkgStatus = """
        Package: base-files
        Status: install ok installed
        Priority: required
        Essential: yes
        Architecture: amd64
        Version: 12.4+deb12u5
        Description: Debian base system miscellaneous files
         This package contains the basic filesystem hierarchy of a Debian system.

        Package: libssl3
        Status: install ok installed
        Architecture: amd64
        Multi-Arch: same
        Source: openssl
        Version: 3.0.11-1~deb12u2

        Package: tzdata
        Status: deinstall ok config-files
        Architecture: all
        Version: 2024a-0+deb12u1

        Package: zlib1g
        Status: install ok installed
        Architecture: amd64
        Source: zlib (1:1.2.13.dfsg-1)
        Version: 1:1.2.13.dfsg-1+b1

        """

    /// An ELF-looking executable with a Go 1.18+ build-information block at a 16-aligned offset.
    static func goBinary(version: String, modules: String) -> [UInt8] {
        func varint(_ value: Int) -> [UInt8] {
            var value = value, bytes: [UInt8] = []
            repeat {
                var byte = UInt8(value & 0x7F)
                value >>= 7
                if value > 0 { byte |= 0x80 }
                bytes.append(byte)
            } while value > 0
            return bytes
        }
        var binary: [UInt8] = [0x7F, 0x45, 0x4C, 0x46] + [UInt8](repeating: 0, count: 8188)
        // A magic at an unaligned offset is not build information.
        binary.replaceSubrange(4097..<(4097 + 14), with: GoBuildInfo.magic)
        let sentinel = [UInt8](repeating: 0xA5, count: 16)
        let moduleBytes = sentinel + Array(modules.utf8) + sentinel
        binary += GoBuildInfo.magic + [8, 2] + [UInt8](repeating: 0, count: 16)
        binary += varint(version.utf8.count) + Array(version.utf8) + varint(moduleBytes.count) + moduleBytes
        return binary + [UInt8](repeating: 0x90, count: 100_000)
    }

    static func index(_ layers: [[UInt8]], pieces: Int = 4096) throws -> Inventory {
        var indexer = ImageIndexer()
        for layer in layers {
            indexer.beginLayer()
            for piece in LayerFixture.pieces(layer, size: pieces) { try indexer.feed(piece) }
            try indexer.endLayer()
        }
        return indexer.inventory()
    }

    @Test("a Debian image: os-release through its symlink, the upper dpkg status, Python, npm and Go packages, whiteouts applied", arguments: [1000, 65_536])
    func debianImage(pieces: Int) throws {
        let modules = "path\texample.com/tool\nmod\texample.com/tool\t(devel)\t\ndep\tgolang.org/x/net\tv0.7.0\th1:abc=\n"
            + "dep\tgithub.com/old/lib\tv1.0.0\th1:x=\n=>\tgithub.com/new/lib\tv1.2.0\th1:y=\nbuild\t-compiler=gc\n"
        let bottom = try LayerFixture.layer([
            "usr/lib/os-release": .file(Self.bookworm),
            "etc/os-release": .symlink("../usr/lib/os-release"),
            "var/lib/dpkg/status": .file("Package: old\nStatus: install ok installed\nVersion: 1\n"),
            "usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA": .file("Metadata-Version: 2.1\nName: requests\nVersion: 2.28.1\nSummary: HTTP\n\nName: not-this\n"),
            "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA": .file("Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n"),
            "usr/lib/python3/dist-packages/PyYAML-6.0.egg-info": .file("Metadata-Version: 1.1\nName: PyYAML\nVersion: 6.0\n"),
            "app/package.json": .file(#"{"name": "the-app", "version": "1.0.0"}"#),
            "app/node_modules/lodash/package.json": .file(#"{"name": "lodash", "version": "4.17.20", "main": "lodash.js"}"#),
            "app/node_modules/@babel/core/package.json": .file(#"{"name": "@babel/core", "version": "7.22.5"}"#),
            "app/node_modules/broken/package.json": .file("{ not json"),
            "usr/local/bin/tool": .executable(Self.goBinary(version: "go1.19.8", modules: modules)),
            "usr/local/bin/script": .executable(Array(("#!/bin/sh\n" + String(repeating: "echo \\xff Go buildinf:\n", count: 100)).utf8)),
        ])
        let top = try LayerFixture.layer([
            "var/lib/dpkg/status": .file(Self.dpkgStatus),
            "usr/lib/python3/dist-packages/.wh.six-1.16.0.dist-info": .file(""),
        ], compression: LayerCompression.zstdAvailable ? "zstd" : "gzip")
        let inventory = try Self.index([top, bottom], pieces: pieces)

        #expect(inventory.operatingSystem == OperatingSystem(id: "debian", versionID: "12", codename: "bookworm", prettyName: "Debian GNU/Linux 12 (bookworm)"))
        let found = inventory.packages.map { "\($0.ecosystem.rawValue) \($0.name) \($0.version) \($0.location)" }
        #expect(found == [
            "deb base-files 12.4+deb12u5 var/lib/dpkg/status",
            "deb libssl3 3.0.11-1~deb12u2 var/lib/dpkg/status",
            "deb zlib1g 1:1.2.13.dfsg-1+b1 var/lib/dpkg/status",
            "go example.com/tool (devel) usr/local/bin/tool",
            "go github.com/new/lib v1.2.0 usr/local/bin/tool",
            "go golang.org/x/net v0.7.0 usr/local/bin/tool",
            "go stdlib 1.19.8 usr/local/bin/tool",
            "npm @babel/core 7.22.5 app/node_modules/@babel/core/package.json",
            "npm lodash 4.17.20 app/node_modules/lodash/package.json",
            "pypi PyYAML 6.0 usr/lib/python3/dist-packages/PyYAML-6.0.egg-info",
            "pypi requests 2.28.1 usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA",
        ])
        let libssl = try #require(inventory.packages.first { $0.name == "libssl3" })
        #expect(libssl.sourceName == "openssl" && libssl.sourceVersion == "3.0.11-1~deb12u2" && libssl.architecture == "amd64")
        let zlib = try #require(inventory.packages.first { $0.name == "zlib1g" })
        #expect(zlib.sourceName == "zlib" && zlib.sourceVersion == "1:1.2.13.dfsg-1")
        #expect(inventory.warnings.isEmpty)
    }

    @Test("an Alpine image's apk database; a deleted database is not reported")
    func alpineImage() throws {
        let installed = """
            C:Q1abc=
            P:musl
            V:1.2.4_git20230717-r4
            A:x86_64
            o:musl
            F:lib
            R:libc.musl-x86_64.so.1

            C:Q1def=
            P:busybox-binsh
            V:1.36.1-r15
            A:x86_64
            o:busybox

            """
        let base = try LayerFixture.layer([
            "etc/os-release": .file("NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine Linux v3.19\"\n"),
            "lib/apk/db/installed": .file(installed),
        ], compression: nil)
        let inventory = try Self.index([base])
        #expect(inventory.operatingSystem?.id == "alpine" && inventory.operatingSystem?.versionID == "3.19.1")
        #expect(inventory.packages.map { "\($0.name) \($0.version) \($0.sourceName ?? "")" } == ["busybox-binsh 1.36.1-r15 busybox", "musl 1.2.4_git20230717-r4 musl"])

        let deleting = try LayerFixture.layer(["lib/apk/db/.wh.installed": .file("")])
        #expect(try Self.index([deleting, base]).packages.isEmpty)
        let opaque = try LayerFixture.layer(["lib/apk/.wh..wh..opq": .file(""), "lib/apk/README": .file("x")])
        #expect(try Self.index([opaque, base]).packages.isEmpty)
    }

    @Test("a file larger than the indexer reads is skipped with a warning; a damaged layer is an error")
    func limits() throws {
        let big = try LayerFixture.layer(["var/lib/dpkg/status": .file(Self.dpkgStatus + String(repeating: "#\n", count: 10_000))])
        var indexer = ImageIndexer(maximumFileSize: 4096)
        indexer.beginLayer()
        try indexer.feed(big)
        try indexer.endLayer()
        #expect(indexer.inventory().packages.isEmpty)
        #expect(indexer.inventory().warnings.first?.contains("var/lib/dpkg/status") == true)

        #expect(throws: (any Error).self) { try Self.index([Array(big.dropLast(50))]) }
        #expect(throws: (any Error).self) { try Self.index([Array("this is not a layer at all, just text".utf8)]) }
    }

    @Test("os-release values: quotes, escapes, comments")
    func osRelease() {
        let fields = OSRelease.fields("# comment\nID=rocky\nNAME='Rocky Linux'\nPRETTY_NAME=\"Rocky \\\"9\\\"\"\nBAD KEY=x\n")
        #expect(fields == ["ID": "rocky", "NAME": "Rocky Linux", "PRETTY_NAME": "Rocky \"9\""])
        #expect(OSRelease.parse("NAME=x\n") == nil)
    }
}

/// Java archives made by Python's zipfile (deflated and stored entries), a war with a nested jar.
@Suite("Java archives")
struct JavaArchiveTests {
    /// A war holding its own pom.properties (deflated) and WEB-INF/lib/snakeyaml-1.33.jar (stored) with another.
    static func war() throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("app-\(UUID().uuidString).war").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = """
            import io, sys, zipfile
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, "w", zipfile.ZIP_STORED) as jar:
                jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\\n")
                jar.writestr("META-INF/maven/org.yaml/snakeyaml/pom.properties", "#Generated by Maven\\ngroupId=org.yaml\\nartifactId=snakeyaml\\nversion=1.33\\n")
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as war:
                war.writestr("META-INF/maven/com.example/app/pom.properties", "version=2.0.1\\ngroupId=com.example\\nartifactId=app\\n")
                war.writestr("WEB-INF/lib/snakeyaml-1.33.jar", inner.getvalue(), compress_type=zipfile.ZIP_STORED)
                war.writestr("index.html", "<p>hello</p>" * 1000)
            """
        try LayerFixture.run("/usr/bin/python3", ["-c", script, path])
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test("Maven coordinates of a war and the jar nested in it, read from a layer")
    func nestedJar() throws {
        let layer = try LayerFixture.layer(["opt/app/app.war": .bytes(try Self.war())])
        var indexer = ImageIndexer()
        indexer.beginLayer()
        try indexer.feed(layer)
        try indexer.endLayer()
        let inventory = indexer.inventory()
        #expect(inventory.packages.map { "\($0.name) \($0.version) \($0.location)" } == [
            "com.example:app 2.0.1 opt/app/app.war",
            "org.yaml:snakeyaml 1.33 opt/app/app.war!WEB-INF/lib/snakeyaml-1.33.jar",
        ])
        #expect(inventory.warnings.isEmpty)
    }

    @Test("damaged archives give warnings, not crashes")
    func damaged() throws {
        var war = try Self.war()
        #expect(JavaArchive.packages(Array(war.prefix(100)), location: "a.jar").warnings.count == 1)
        // A central directory that points past the archive.
        if let end = (0..<(war.count - 3)).reversed().first(where: { war[$0] == 0x50 && war[$0 + 1] == 0x4B && war[$0 + 2] == 0x05 && war[$0 + 3] == 0x06 }) {
            war[end + 16] = 0xFF; war[end + 17] = 0xFF; war[end + 18] = 0xFF; war[end + 19] = 0x7F
        }
        #expect(!JavaArchive.packages(war, location: "b.war").warnings.isEmpty)
        #expect(JavaArchive.packages([UInt8](repeating: 0x50, count: 5000), location: "c.jar").packages.isEmpty)
        // A Zip64 locator right before a short archive's end record (offsets that would go below zero).
        let locator: [UInt8] = [0x50, 0x4B, 0x06, 0x07] + [UInt8](repeating: 0, count: 16)
        let end: [UInt8] = [0x50, 0x4B, 0x05, 0x06, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0xFF, count: 8) + [0, 0]
        #expect(throws: ZipError.self) { _ = try ZipArchive(locator + end) }
        // A deflated entry that claims a huge size is not believed before it is inflated.
        var lying = try Self.war()
        let name = Array("META-INF/maven/com.example".utf8)
        if let central = (0..<(lying.count - 46 - name.count)).first(where: {
            lying[$0] == 0x50 && lying[$0 + 1] == 0x4B && lying[$0 + 2] == 0x01 && lying[$0 + 3] == 0x02 && Array(lying[($0 + 46)..<($0 + 46 + name.count)]) == name
        }) {
            lying[central + 24] = 0xFF; lying[central + 25] = 0xFF; lying[central + 26] = 0xFF; lying[central + 27] = 0x0F
        }
        #expect(JavaArchive.packages(lying, location: "d.war").warnings.count >= 1)
    }
}
