import PackageVersions

/// A vulnerability found in an image: which package, which advisory, and the version that fixes it.
public struct Finding: Codable, Sendable, Hashable {
    /// The affected package as the inventory records it.
    public var package: InstalledPackage
    /// The advisory's identifier.
    public var advisoryID: String
    /// The advisory's aliases (CVE identifiers first).
    public var aliases: [String]
    /// The severity.
    public var severity: Severity
    /// The CVSS v3 vector, when known.
    public var cvssVector: String?
    /// The lowest version above the installed one that fixes it, or nil when no fix is known.
    public var fixedVersion: String?
    /// The advisory's one-line summary.
    public var summary: String
    /// Links for people.
    public var links: [String]

    /// A finding.
    public init(package: InstalledPackage, advisoryID: String, aliases: [String], severity: Severity, cvssVector: String?,
                fixedVersion: String?, summary: String, links: [String]) {
        self.package = package
        self.advisoryID = advisoryID
        self.aliases = aliases
        self.severity = severity
        self.cvssVector = cvssVector
        self.fixedVersion = fixedVersion
        self.summary = summary
        self.links = links
    }
}

/// Matches inventories against advisories held in memory, indexed by ecosystem, distribution release and package
/// name, so matching an image costs a lookup per package and a version comparison per affected range.
public struct AdvisoryMatcher: Sendable {
    /// Where an affected package is looked up.
    struct Key: Hashable, Sendable {
        var ecosystem: Ecosystem
        var namespace: String
        var name: String
    }

    private var index: [Key: [(advisory: Int, affected: AffectedPackage)]] = [:]
    private var advisories: [Advisory] = []

    /// A matcher over `advisories`.
    public init(_ advisories: [Advisory] = []) {
        for advisory in advisories { add(advisory) }
    }

    /// How many advisories it holds.
    public var count: Int { advisories.count }

    /// Adds one advisory.
    public mutating func add(_ advisory: Advisory) {
        let position = advisories.count
        advisories.append(advisory)
        for affected in advisory.affected {
            index[Key(ecosystem: affected.ecosystem, namespace: affected.namespace, name: affected.name), default: []].append((position, affected))
        }
    }

    /// The distribution namespace advisories use for `os` (`debian:12`, `ubuntu:22.04`, `alpine:3.19`, `rocky:9`), or
    /// nil for a distribution with no advisories here.
    public static func namespace(for os: OperatingSystem) -> String? {
        switch os.id {
        case "debian":
            let version = os.versionID.isEmpty ? DebianReleases.version(ofCodename: os.codename) ?? "" : os.versionID
            return version.isEmpty ? nil : "debian:" + version
        case "ubuntu": return os.versionID.isEmpty ? nil : "ubuntu:" + os.versionID
        case "alpine":
            // Advisories name the branch (3.19), images the point release (3.19.1).
            let parts = os.versionID.split(separator: ".")
            return parts.count >= 2 ? "alpine:\(parts[0]).\(parts[1])" : nil
        case "rocky", "almalinux":
            guard let major = os.versionID.split(separator: ".").first else { return nil }
            return "\(os.id):\(major)"
        default: return nil
        }
    }

    /// The findings for `inventory`, sorted by severity (highest first), then package and advisory.
    public func match(_ inventory: Inventory) -> [Finding] {
        let namespace = inventory.operatingSystem.flatMap(Self.namespace(for:))
        var findings: Set<Finding> = []
        for package in inventory.packages {
            let distribution = [.deb, .rpm, .apk].contains(package.ecosystem)
            guard !distribution || namespace != nil else { continue }
            // Distribution advisories name source packages and their versions; language ones the package itself.
            let name: String
            let version: String
            switch package.ecosystem {
            case .deb, .apk:
                name = package.sourceName ?? package.name
                version = package.sourceVersion ?? package.version
            case .rpm:
                // Red Hat, Rocky and Alma advisories list binary packages.
                name = package.name
                version = package.version
            case .pypi:
                name = PythonMetadata.normalizedName(package.name)
                version = package.version
            default:
                name = package.name
                version = package.version
            }
            let key = Key(ecosystem: package.ecosystem, namespace: distribution ? namespace! : "", name: name)
            var matched: Set<Int> = []
            for (position, affected) in index[key] ?? [] where !matched.contains(position) {
                let scheme = package.ecosystem.versionScheme
                guard let fixed = Self.affects(affected, version: version, scheme: scheme) else { continue }
                let advisory = advisories[position]
                matched.insert(position)
                findings.insert(Finding(package: package, advisoryID: advisory.id, aliases: advisory.aliases, severity: advisory.severity,
                                        cvssVector: advisory.cvssVector, fixedVersion: fixed.isEmpty ? nil : fixed,
                                        summary: advisory.summary, links: advisory.links))
            }
        }
        return findings.sorted {
            ($1.severity, $0.package.name, $0.package.location, $0.advisoryID) < ($0.severity, $1.package.name, $1.package.location, $1.advisoryID)
        }
    }

    /// Whether `version` is affected: nil when it is not, else the fixing version ("" when none is known).
    static func affects(_ affected: AffectedPackage, version: String, scheme: VersionScheme) -> String? {
        if affected.versions.contains(version) { return fixedAbove(affected, version: version, scheme: scheme) ?? "" }
        for range in affected.ranges where rangeAffects(range, version: version, scheme: scheme) {
            return fixedAbove([range], version: version, scheme: scheme) ?? ""
        }
        return nil
    }

    /// OSV's evaluation: events in version order; an introduced at or below the version turns it affected, a fixed at
    /// or below (or a last-affected below) turns it back.
    static func rangeAffects(_ events: [RangeEvent], version: String, scheme: VersionScheme) -> Bool {
        let sorted = events.sorted { order($0.version, $1.version, scheme) < 0 }
        var affected = false
        for event in sorted {
            switch event {
            case .introduced(let start): if order(start, version, scheme) <= 0 { affected = true }
            case .fixed(let fix): if order(fix, version, scheme) <= 0 { affected = false }
            case .lastAffected(let last): if order(last, version, scheme) < 0 { affected = false }
            }
        }
        return affected
    }

    private static func fixedAbove(_ affected: AffectedPackage, version: String, scheme: VersionScheme) -> String? {
        fixedAbove(affected.ranges, version: version, scheme: scheme)
    }

    private static func fixedAbove(_ ranges: [[RangeEvent]], version: String, scheme: VersionScheme) -> String? {
        ranges.flatMap { $0 }.compactMap { if case .fixed(let fix) = $0, order(fix, version, scheme) > 0 { fix } else { nil } }
            .min { order($0, $1, scheme) < 0 }
    }

    /// The version order, with OSV's "0" (the beginning of time) below every version.
    static func order(_ a: String, _ b: String, _ scheme: VersionScheme) -> Int {
        if a == b { return 0 }
        if a == "0" { return -1 }
        if b == "0" { return 1 }
        return scheme.compare(a, b)
    }
}

extension Ecosystem {
    /// The version order of this ecosystem.
    public var versionScheme: VersionScheme {
        switch self {
        case .deb: return .dpkg
        case .rpm: return .rpm
        case .apk: return .apk
        case .pypi: return .pep440
        case .npm, .go, .other: return .semver
        case .maven: return .maven
        }
    }
}

/// Debian's release codenames and version numbers (the security tracker uses codenames, OSV and os-release numbers).
public enum DebianReleases {
    /// Codename → major version.
    public static let versions = ["buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13", "forky": "14", "duke": "15"]

    /// The version of a codename, or nil for one not known (sid has none).
    public static func version(ofCodename codename: String) -> String? { versions[codename] }
}
