/// Builds an image's `Inventory` from its layers, read from the top layer down as streams: each visible file of
/// interest (package databases, `os-release`, language metadata, executables that may be Go binaries) is read from
/// the layer that shows it, parsed as soon as its content has passed and then dropped, so memory holds at most one
/// such file (bounded by `maximumFileSize`) whatever the image's size.
public struct ImageIndexer {
    /// The largest file kept in memory to be parsed (a package database); larger ones are skipped with a warning.
    public let maximumFileSize: Int
    /// The most uncompressed bytes one layer may hold.
    public let maximumLayerSize: Int64

    private var visible = VisibleFiles()
    private var reader: LayerReader?
    private var current = Current.ignored
    private var symlinks: [String: String] = [:]
    private var osReleases: [String: String] = [:]
    private var packages: [InstalledPackage] = []
    private var warnings: [String] = []
    private var layersRead = 0

    /// What is done with the entry being read.
    private enum Current {
        case ignored
        case collecting(path: String, role: FileRole, content: [UInt8])
        case tooLarge
        case goBinary(path: String, finder: GoBuildInfo.Finder)
    }

    /// An indexer before its first (top) layer.
    public init(maximumFileSize: Int = 128 << 20, maximumLayerSize: Int64 = 1 << 36) {
        self.maximumFileSize = maximumFileSize
        self.maximumLayerSize = maximumLayerSize
    }

    /// Starts the next layer down (the first call starts the top layer).
    public mutating func beginLayer() {
        if layersRead > 0 { visible.nextLayer() }
        layersRead += 1
        reader = LayerReader(maximumOutput: maximumLayerSize)
        current = .ignored
    }

    /// Reads the next bytes of the current layer's blob.
    public mutating func feed(_ chunk: some Collection<UInt8>) throws {
        guard var reader else { preconditionFailure("feed before beginLayer") }
        defer { self.reader = reader }
        try reader.feed(chunk) { event in try self.handle(event) }
    }

    /// Ends the current layer, checking that its blob was complete.
    public mutating func endLayer() throws {
        guard var reader else { preconditionFailure("endLayer before beginLayer") }
        defer { self.reader = nil }
        try reader.finish { event in try self.handle(event) }
    }

    /// The inventory of everything read.
    public func inventory() -> Inventory {
        var operatingSystem: OperatingSystem?
        // `etc/os-release` wins over `usr/lib/os-release`; either may be a symlink to the other.
        for path in ["etc/os-release", "usr/lib/os-release"] {
            var target = path
            for _ in 0..<8 {
                guard let link = symlinks[target], let resolved = Self.resolve(link, from: target) else { break }
                target = resolved
            }
            if let text = osReleases[target], let parsed = OSRelease.parse(text) {
                operatingSystem = parsed
                break
            }
        }
        return Inventory(operatingSystem: operatingSystem, packages: packages, warnings: warnings)
    }

    private mutating func handle(_ event: TarReader.Event) throws {
        switch event {
        case .entry(let entry):
            guard let path = visible.visit(entry) else { current = .ignored; return }
            switch entry.kind {
            case .symlink:
                symlinks[path] = entry.linkTarget
                current = .ignored
            case .file:
                current = start(path: path, entry: entry)
            default:
                current = .ignored
            }
        case .data(let bytes):
            switch current {
            case .ignored, .tooLarge: return
            case .collecting(let path, let role, var content):
                current = .ignored  // Drops the reference so the append does not copy.
                content += bytes
                current = .collecting(path: path, role: role, content: content)
            case .goBinary(let path, var finder):
                current = .ignored
                finder.feed(bytes[...])
                current = finder.isDone && finder.block == nil ? .ignored : .goBinary(path: path, finder: finder)
            }
        case .end:
            let finished = current
            current = .ignored
            switch finished {
            case .collecting(let path, let role, let content): parse(content, role: role, path: path)
            case .goBinary(let path, let finder):
                if let block = finder.block {
                    if let info = GoBuildInfo.parse(block) {
                        packages += info.packages(location: path)
                    } else {
                        warnings.append("\(path): a Go binary whose build information is in the pre-1.18 layout or damaged")
                    }
                }
            case .ignored, .tooLarge: return
            }
        }
    }

    private mutating func start(path: String, entry: TarEntry) -> Current {
        if let role = FileRole.of(path) {
            let limit = role == .javaArchive ? min(maximumFileSize, JavaArchive.maximumNested) : maximumFileSize
            guard entry.size <= Int64(limit) else {
                warnings.append("\(path): \(entry.size) bytes is more than the \(limit) bytes the indexer reads; skipped")
                return .tooLarge
            }
            return .collecting(path: path, role: role, content: [])
        }
        if entry.mode & 0o111 != 0 && entry.size >= 1024 { return .goBinary(path: path, finder: GoBuildInfo.Finder()) }
        return .ignored
    }

    private mutating func parse(_ content: [UInt8], role: FileRole, path: String) {
        switch role {
        case .osRelease: osReleases[path] = String(decoding: content, as: UTF8.self)
        case .dpkgStatus: packages += DpkgStatus.packages(String(decoding: content, as: UTF8.self), location: path)
        case .apkInstalled: packages += ApkInstalled.packages(String(decoding: content, as: UTF8.self), location: path)
        case .pythonMetadata:
            if let package = PythonMetadata.package(String(decoding: content, as: UTF8.self), location: path) { packages.append(package) }
        case .npmManifest:
            if let package = NpmPackage.package(content, location: path) { packages.append(package) }
        case .rpmDatabase:
            let found = RpmDatabase.packages(content, location: path)
            packages += found.packages
            warnings += found.warnings
        case .javaArchive:
            let found = JavaArchive.packages(content, location: path)
            packages += found.packages
            warnings += found.warnings
        }
    }

    /// The normalised path a symlink at `path` pointing to `link` names (`..` stops at the image's root, as it does
    /// inside a container), or nil when it names the root itself.
    static func resolve(_ link: String, from path: String) -> String? {
        var segments: [Substring] = link.hasPrefix("/") ? [] : LayerPath.parent(path).split(separator: "/")
        for segment in link.split(separator: "/") {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        return segments.isEmpty ? nil : segments.joined(separator: "/")
    }
}

/// The files the indexer reads, by path.
enum FileRole: Sendable {
    case osRelease, dpkgStatus, apkInstalled, rpmDatabase, pythonMetadata, npmManifest, javaArchive

    /// The role of the file at normalised `path`, if it has one.
    static func of(_ path: String) -> FileRole? {
        switch path {
        case "etc/os-release", "usr/lib/os-release": return .osRelease
        case "var/lib/dpkg/status": return .dpkgStatus
        case "lib/apk/db/installed": return .apkInstalled
        case "var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite": return .rpmDatabase
        default: break
        }
        if LayerPath.parent(path) == "var/lib/dpkg/status.d" && !path.hasSuffix(".md5sums") { return .dpkgStatus }
        if PythonMetadata.isMetadata(path) { return .pythonMetadata }
        if NpmPackage.isPackageManifest(path) { return .npmManifest }
        if JavaArchive.isArchive(path) { return .javaArchive }
        return nil
    }
}
