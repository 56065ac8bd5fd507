import Scanner
import Testing

/// Which files an image shows when its layers are read from the top down: whiteouts, opaque directories, replaced
/// files and files that replace a directory; and how layer paths are normalised.
@Suite("Visible files")
struct VisibleFilesTests {
    static func file(_ path: String) -> TarEntry { TarEntry(path: path, kind: .file, size: 1, linkTarget: "", mode: 0o644) }
    static func directory(_ path: String) -> TarEntry { TarEntry(path: path, kind: .directory, size: 0, linkTarget: "", mode: 0o755) }

    @Test("a whiteout deletes, an opaque directory hides, an upper file replaces, a file over a directory blocks it")
    func whiteouts() {
        var files = VisibleFiles()
        // The top layer: deletes the dpkg status, replaces os-release, makes /opt opaque and puts a file where usr/lib was.
        let top = [Self.directory("./var/lib/dpkg/"), Self.file("./var/lib/dpkg/.wh.status"), Self.file("./etc/os-release"),
                   Self.file("./opt/.wh..wh..opq"), Self.file("./opt/new"), Self.file("./usr/lib"), Self.file("./.wh.gone")]
        #expect(top.compactMap { files.visit($0) } == ["var/lib/dpkg", "etc/os-release", "opt/new", "usr/lib"])
        files.nextLayer()
        let bottom = [Self.file("./var/lib/dpkg/status"), Self.file("./var/lib/dpkg/status-old"), Self.file("./etc/os-release"),
                      Self.file("./opt/app/bin"), Self.file("./opt/new"), Self.file("./usr/lib/python3/METADATA"), Self.file("./gone"),
                      Self.file("./gone-not"), Self.file("home/user/.profile")]
        #expect(bottom.compactMap { files.visit($0) } == ["var/lib/dpkg/status-old", "gone-not", "home/user/.profile"])
    }

    @Test("an opaque directory hides only the layers below it, not its own layer")
    func opaqueOwnLayer() {
        var files = VisibleFiles()
        #expect(files.visit(Self.file("etc/apk/.wh..wh..opq")) == nil)
        #expect(files.visit(Self.file("etc/apk/world")) == "etc/apk/world")
        files.nextLayer()
        #expect(files.visit(Self.file("etc/apk/repositories")) == nil)
        #expect(files.visit(Self.file("etc/apkx")) == "etc/apkx")
    }

    @Test("layer paths are normalised, and paths that climb out are refused")
    func paths() {
        #expect(LayerPath.normalized("./var//lib/./dpkg/") == "var/lib/dpkg")
        #expect(LayerPath.normalized("/etc/os-release") == "etc/os-release")
        #expect(LayerPath.normalized("../etc/passwd") == nil && LayerPath.normalized("a/../../b") == nil)
        #expect(LayerPath.normalized("./") == nil && LayerPath.normalized("") == nil)
        var files = VisibleFiles()
        #expect(files.visit(Self.file("../../etc/shadow")) == nil)
    }
}
