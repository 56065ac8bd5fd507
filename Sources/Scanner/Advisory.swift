/// How bad a vulnerability is, in Harbor's words and order (`None` lowest, `Critical` highest).
public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
    case none = "None", unknown = "Unknown", low = "Low", medium = "Medium", high = "High", critical = "Critical"

    private var rank: Int { Severity.allCases.firstIndex(of: self)! }

    /// Lower severities first.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    /// The severity a CVSS base score stands for (CVSS v3's bands: 0.1–3.9 low, 4–6.9 medium, 7–8.9 high, 9–10 critical).
    public static func fromScore(_ score: Double) -> Severity {
        switch score {
        case 9...: return .critical
        case 7..<9: return .high
        case 4..<7: return .medium
        case 0.1..<4: return .low
        case 0: return .none
        default: return .unknown
        }
    }

    /// The severity a source's own word names (`HIGH`, `moderate`, `important`, …), or nil for one not known.
    public static func named(_ word: String) -> Severity? {
        var word = word.lowercased()
        // The Debian tracker marks urgencies it guessed with a trailing `*`.
        while word.hasSuffix("*") { word.removeLast() }
        switch word {
        case "critical": return .critical
        case "high", "important": return .high
        case "medium", "moderate": return .medium
        case "low", "unimportant", "negligible": return .low
        case "none": return Severity.none
        case "unknown", "not yet assigned": return .unknown
        default: return nil
        }
    }
}

/// One step of an affected range, in OSV's terms: the range starts being affected at `introduced` and stops at
/// `fixed` (not affected) or after `lastAffected`.
public enum RangeEvent: Codable, Sendable, Hashable {
    case introduced(String), fixed(String), lastAffected(String)

    /// The version the event names.
    public var version: String {
        switch self {
        case .introduced(let version), .fixed(let version), .lastAffected(let version): return version
        }
    }
}

/// A package an advisory affects: in which ecosystem and distribution release, and which of its versions.
public struct AffectedPackage: Codable, Sendable, Hashable {
    /// The ecosystem (its version order decides the ranges).
    public var ecosystem: Ecosystem
    /// The distribution release for distribution packages (`debian:12`, `alpine:3.19`), empty for language packages.
    public var namespace: String
    /// The package's name: the source package for distributions, the module, project or artifact otherwise.
    public var name: String
    /// Affected ranges, each a list of events.
    public var ranges: [[RangeEvent]]
    /// Versions listed as affected one by one.
    public var versions: [String]

    /// An affected package.
    public init(ecosystem: Ecosystem, namespace: String, name: String, ranges: [[RangeEvent]], versions: [String] = []) {
        self.ecosystem = ecosystem
        self.namespace = namespace
        self.name = name
        self.ranges = ranges
        self.versions = versions
    }
}

/// One vulnerability record from an advisory source.
public struct Advisory: Codable, Sendable, Hashable {
    /// The source's identifier (`GO-2023-1571`, `CVE-2024-2511` in the Debian tracker).
    public var id: String
    /// Other identifiers of the same vulnerability (CVE, GHSA).
    public var aliases: [String]
    /// One line saying what it is.
    public var summary: String
    /// The longer description.
    public var details: String
    /// The severity the source gives, else the one its CVSS score stands for, else `unknown`.
    public var severity: Severity
    /// The CVSS v3 vector, when the source gives one.
    public var cvssVector: String?
    /// Links for people (the advisory, the fix, the report).
    public var links: [String]
    /// When the source last changed it (ISO 8601, as given).
    public var modified: String
    /// The affected packages.
    public var affected: [AffectedPackage]

    /// An advisory.
    public init(id: String, aliases: [String] = [], summary: String = "", details: String = "", severity: Severity = .unknown,
                cvssVector: String? = nil, links: [String] = [], modified: String = "", affected: [AffectedPackage]) {
        self.id = id
        self.aliases = aliases
        self.summary = summary
        self.details = details
        self.severity = severity
        self.cvssVector = cvssVector
        self.links = links
        self.modified = modified
        self.affected = affected
    }
}

/// Why advisory data could not be imported, naming the file and, where known, the field.
public struct AdvisoryFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or archive member) that is wrong.
    public let file: String
    /// What is wrong, naming the field.
    public let reason: String

    /// An error about `file`.
    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    /// The file and the reason.
    public var description: String { "\(file): \(reason)" }
}
