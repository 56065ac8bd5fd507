/// The package ecosystems the scanner inventories; each has its own version order (`PackageVersions.VersionScheme`).
public enum Ecosystem: String, Codable, Sendable, Hashable, CaseIterable {
    case deb, rpm, apk, pypi, npm, go, maven
    /// A package an external scanner reported without saying its ecosystem (never indexed or matched by Berth).
    case other
}

/// One installed package, as the image's own records (a package database, metadata files, a binary's build
/// information) name it.
public struct InstalledPackage: Codable, Sendable, Hashable {
    /// Which ecosystem it belongs to.
    public var ecosystem: Ecosystem
    /// Its name as the ecosystem spells it (`libssl3`, `requests`, `golang.org/x/net`, `org.yaml:snakeyaml`).
    public var name: String
    /// The installed version, unaltered (`3.0.11-1~deb12u2`, `1:2.38.1-5`, `v0.17.0`).
    public var version: String
    /// The source package it was built from where the ecosystem has one (Debian `Source`, Alpine origin, rpm
    /// source rpm name); advisories of distributions name source packages.
    public var sourceName: String?
    /// The source package's version when it differs from the binary's (Debian `Source: name (version)`).
    public var sourceVersion: String?
    /// The architecture the package database records.
    public var architecture: String?
    /// Where in the image it was found: the database, metadata file or binary.
    public var location: String

    /// A package as found at `location`.
    public init(ecosystem: Ecosystem, name: String, version: String, sourceName: String? = nil, sourceVersion: String? = nil,
                architecture: String? = nil, location: String) {
        self.ecosystem = ecosystem
        self.name = name
        self.version = version
        self.sourceName = sourceName
        self.sourceVersion = sourceVersion
        self.architecture = architecture
        self.location = location
    }
}

/// The distribution an image is built on, from its `os-release` file.
public struct OperatingSystem: Codable, Sendable, Hashable {
    /// `ID` (`debian`, `alpine`, `rocky`, …).
    public var id: String
    /// `VERSION_ID` (`12`, `3.19.1`, `9.3`), empty when absent (Debian testing).
    public var versionID: String
    /// `VERSION_CODENAME` (`bookworm`), empty when absent.
    public var codename: String
    /// `PRETTY_NAME`, for people.
    public var prettyName: String

    /// A distribution as `os-release` names it.
    public init(id: String, versionID: String, codename: String, prettyName: String) {
        self.id = id
        self.versionID = versionID
        self.codename = codename
        self.prettyName = prettyName
    }
}

/// What an image holds: its distribution and every package found, in a stable order. It is stored per manifest
/// digest, and matched against advisories again whenever they change without reading a layer.
public struct Inventory: Codable, Sendable, Equatable {
    /// The version of the indexer that made it (a newer indexer indexes again).
    public var indexerVersion: Int
    /// The distribution, when the image has an `os-release`.
    public var operatingSystem: OperatingSystem?
    /// The packages, sorted by ecosystem, name, version and location.
    public var packages: [InstalledPackage]
    /// Things the indexer could not read (a damaged database, an archive too large), for the scan log.
    public var warnings: [String]

    /// The indexer's current version.
    public static let currentIndexerVersion = 1

    /// An inventory of `packages` (sorted here) on `operatingSystem`.
    public init(operatingSystem: OperatingSystem?, packages: [InstalledPackage], warnings: [String] = [],
                indexerVersion: Int = Inventory.currentIndexerVersion) {
        self.indexerVersion = indexerVersion
        self.operatingSystem = operatingSystem
        self.packages = Array(Set(packages)).sorted {
            ($0.ecosystem.rawValue, $0.name, $0.version, $0.location) < ($1.ecosystem.rawValue, $1.name, $1.version, $1.location)
        }
        self.warnings = warnings
    }
}
