/// The build information the Go toolchain (1.18 and later) embeds in every executable: the Go version, the main
/// module and each dependency module with its version. It sits in a block that starts with the 14-byte magic
/// `\xff Go buildinf:` at a 16-byte aligned offset; `Finder` spots it while the file streams past.
public enum GoBuildInfo {
    /// The block's magic.
    public static let magic: [UInt8] = [0xFF] + Array(" Go buildinf:".utf8)
    /// How much of the block is kept after the magic (the version and module strings; real ones are a few KiB).
    public static let maximumBlock = 256 * 1024

    /// What a binary's build information says.
    public struct Info: Sendable, Equatable {
        /// The toolchain's version as Go writes it (`go1.19.8`).
        public var goVersion: String
        /// The main package's path (`path` line).
        public var mainPath: String
        /// The main module and every dependency: path and version (replacements applied).
        public var modules: [(path: String, version: String)]

        /// Build information with these fields.
        public init(goVersion: String, mainPath: String, modules: [(path: String, version: String)]) {
            self.goVersion = goVersion
            self.mainPath = mainPath
            self.modules = modules
        }

        /// Equal when every field is.
        public static func == (lhs: Info, rhs: Info) -> Bool {
            lhs.goVersion == rhs.goVersion && lhs.mainPath == rhs.mainPath
                && lhs.modules.map(\.path) == rhs.modules.map(\.path) && lhs.modules.map(\.version) == rhs.modules.map(\.version)
        }

        /// The packages this binary holds, found at `location`: `stdlib` at the toolchain's version, then its modules.
        public func packages(location: String) -> [InstalledPackage] {
            var packages: [InstalledPackage] = []
            let toolchain = GoBuildInfo.semanticVersion(ofToolchain: goVersion)
            if !toolchain.isEmpty { packages.append(InstalledPackage(ecosystem: .go, name: "stdlib", version: toolchain, location: location)) }
            for module in modules where !module.path.isEmpty && !module.version.isEmpty {
                packages.append(InstalledPackage(ecosystem: .go, name: module.path, version: module.version, location: location))
            }
            return packages
        }
    }

    /// Watches an executable's bytes go by and keeps the build-information block when it passes. Only ELF files
    /// are searched; memory stays at one block.
    public struct Finder: Sendable {
        private var offset: Int64 = 0
        private var carry: [UInt8] = []
        private var header: [UInt8] = []
        private var gaveUp = false
        /// The block from its magic on (at most `maximumBlock` bytes), once found.
        public private(set) var block: [UInt8]?

        /// A finder at the start of a file.
        public init() {}

        /// Whether the rest of the file is of no interest (not ELF, or the block is complete).
        public var isDone: Bool { gaveUp || (block?.count ?? 0) >= GoBuildInfo.maximumBlock }

        /// Looks at the file's next bytes.
        public mutating func feed(_ chunk: ArraySlice<UInt8>) {
            guard !isDone, !chunk.isEmpty else { return }
            if header.count < 4 {
                header += chunk.prefix(4 - header.count)
                if header.count == 4 && header != [0x7F, 0x45, 0x4C, 0x46] { gaveUp = true; return }
            }
            if block != nil {
                block! += chunk.prefix(GoBuildInfo.maximumBlock - block!.count)
                return
            }
            let window = carry + chunk
            let base = offset - Int64(carry.count)
            offset += Int64(chunk.count)
            let magic = GoBuildInfo.magic
            // The first 16-aligned position in the window.
            var position = Int((16 - base % 16) % 16)
            while position + magic.count <= window.count {
                if window[position] == 0xFF && window[position..<(position + magic.count)].elementsEqual(magic) {
                    block = Array(window[position...].prefix(GoBuildInfo.maximumBlock))
                    carry = []
                    return
                }
                position += 16
            }
            carry = Array(window.suffix(magic.count - 1))
        }
    }

    /// A toolchain version (`go1.21.3`, `go1.20`, `go1.21rc2`, `go1.22.0 X:nocoverageredesign`) as the semantic
    /// version advisories use for `stdlib` (`1.21.3`, `1.20.0`, `1.21.0-rc.2`); empty when it is not one.
    public static func semanticVersion(ofToolchain version: String) -> String {
        var text = Substring(version.split(separator: " ").first ?? "")
        guard text.hasPrefix("go") else { return "" }
        text = text.dropFirst(2)
        let core = text.prefix { $0.isNumber || $0 == "." }
        let suffix = text.dropFirst(core.count)
        var numbers = core.split(separator: ".", omittingEmptySubsequences: false)
        guard !numbers.isEmpty, numbers.count <= 3, numbers.allSatisfy({ !$0.isEmpty }) else { return "" }
        while numbers.count < 3 { numbers.append("0") }
        let release = numbers.joined(separator: ".")
        guard !suffix.isEmpty else { return release }
        // `rc2`, `beta1`: a pre-release with a numeric identifier.
        let word = suffix.prefix { $0.isLetter }, number = suffix.dropFirst(word.count)
        guard !word.isEmpty, !number.isEmpty, number.allSatisfy(\.isNumber) else { return "" }
        return "\(release)-\(word).\(number)"
    }

    /// Reads a build-information block (from its magic on). Nil for the pre-1.18 layout, which points into the
    /// binary's data instead of holding the strings, and for anything malformed.
    public static func parse(_ block: [UInt8]) -> Info? {
        guard block.count >= 32, block.starts(with: magic) else { return nil }
        let flags = block[15]
        guard flags & 0x2 != 0 else { return nil }
        var position = 32
        guard let version = readString(block, &position), let rawModules = readString(block, &position) else { return nil }
        var moduleText = rawModules
        // The module text is wrapped in 16-byte sentinels.
        if moduleText.count >= 33, moduleText[moduleText.count - 17] == UInt8(ascii: "\n") {
            moduleText = Array(moduleText[16..<(moduleText.count - 16)])
        }
        var mainPath = ""
        var modules: [(path: String, version: String)] = []
        for line in String(decoding: moduleText, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            switch fields.first {
            case "path" where fields.count >= 2: mainPath = fields[1]
            case "mod" where fields.count >= 3, "dep" where fields.count >= 3: modules.append((fields[1], fields[2]))
            case "=>" where fields.count >= 3:
                // A replacement of the module before it; a local directory replacement has no version.
                if !modules.isEmpty, !fields[2].isEmpty { modules[modules.count - 1] = (fields[1], fields[2]) }
            default: continue
            }
        }
        return Info(goVersion: String(decoding: version, as: UTF8.self), mainPath: mainPath, modules: modules)
    }

    /// A length-prefixed (unsigned LEB128) string at `position`, or nil when it runs past the block.
    private static func readString(_ bytes: [UInt8], _ position: inout Int) -> [UInt8]? {
        var length = 0, shift = 0
        while true {
            guard position < bytes.count, shift <= 28 else { return nil }
            let byte = bytes[position]
            position += 1
            length |= Int(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        guard length <= bytes.count - position else { return nil }
        defer { position += length }
        return Array(bytes[position..<(position + length)])
    }
}
