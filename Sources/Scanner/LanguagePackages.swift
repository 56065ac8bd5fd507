import Foundation

/// Python distributions: the `METADATA` of a `*.dist-info` directory (wheels, pip) or the `PKG-INFO` of an
/// `*.egg-info` (setuptools; a directory, or a file of that name). Both start with email-style headers.
public enum PythonMetadata {
    /// Whether `path` is a file this reader understands.
    public static func isMetadata(_ path: String) -> Bool {
        let name = LayerPath.name(path), parent = LayerPath.name(LayerPath.parent(path))
        return (name == "METADATA" && parent.hasSuffix(".dist-info")) || (name == "PKG-INFO" && parent.hasSuffix(".egg-info"))
            || name.hasSuffix(".egg-info")
    }

    /// The distribution `text` describes, found at `location`.
    public static func package(_ text: String, location: String) -> InstalledPackage? {
        // Only the header block matters; the description after it can be long.
        let headerEnd = text.range(of: "\n\n").map { text[..<$0.lowerBound] } ?? text[...]
        guard let fields = ControlFile.paragraphs(String(headerEnd), limit: 1).first,
              let name = fields["Name"], !name.isEmpty, let version = fields["Version"], !version.isEmpty else { return nil }
        return InstalledPackage(ecosystem: .pypi, name: name, version: version, location: location)
    }

    /// PEP 503's normalised form of a project name (`Foo.Bar_baz` → `foo-bar-baz`), as advisories key them.
    public static func normalizedName(_ name: String) -> String {
        var result = ""
        var lastWasSeparator = false
        for character in name.lowercased() {
            if character == "-" || character == "_" || character == "." {
                if !lastWasSeparator { result.append("-") }
                lastWasSeparator = true
            } else {
                result.append(character)
                lastWasSeparator = false
            }
        }
        return result
    }
}

/// npm packages: the `package.json` of each directory under a `node_modules` (`node_modules/name/package.json` or
/// `node_modules/@scope/name/package.json`).
public enum NpmPackage {
    /// Whether `path` is a package's manifest inside `node_modules`.
    public static func isPackageManifest(_ path: String) -> Bool {
        guard LayerPath.name(path) == "package.json" else { return false }
        let directories = path.split(separator: "/").dropLast()
        guard directories.count >= 2 else { return false }
        if directories[directories.endIndex - 2] == "node_modules" { return !directories.last!.hasPrefix("@") }
        return directories.count >= 3 && directories[directories.endIndex - 3] == "node_modules"
            && directories[directories.endIndex - 2].hasPrefix("@")
    }

    private struct Manifest: Decodable {
        var name: String?
        var version: String?
    }

    /// The package `json` describes, found at `location`; nil when it is not a package manifest with a name and version.
    public static func package(_ json: [UInt8], location: String) -> InstalledPackage? {
        guard let manifest = try? JSONDecoder().decode(Manifest.self, from: Data(json)),
              let name = manifest.name, !name.isEmpty, let version = manifest.version, !version.isEmpty else { return nil }
        return InstalledPackage(ecosystem: .npm, name: name, version: version, location: location)
    }
}
