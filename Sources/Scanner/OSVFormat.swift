import Foundation

/// Reads advisories in the OSV format (ossf.github.io/osv-schema, 1.x): the Go vulnerability database, GitHub's
/// advisories, osv.dev's exports for PyPI, npm, Maven, Debian, Ubuntu, Alpine, Rocky and AlmaLinux.
public enum OSVFormat {
    private struct Record: Decodable {
        struct Severity: Decodable { var type: String?; var score: String? }
        struct Package: Decodable { var ecosystem: String?; var name: String? }
        struct Event: Decodable { var introduced: String?; var fixed: String?; var last_affected: String?; var limit: String? }
        struct Range: Decodable { var type: String?; var events: [Event]? }
        struct DatabaseSpecific: Decodable { var severity: String? }
        struct Affected: Decodable {
            var package: Package?
            var ranges: [Range]?
            var versions: [String]?
            var severity: [Severity]?
            var database_specific: DatabaseSpecific?
        }
        struct Reference: Decodable { var url: String? }

        var id: String
        var modified: String?
        var withdrawn: String?
        var aliases: [String]?
        var summary: String?
        var details: String?
        var severity: [Severity]?
        var affected: [Affected]?
        var references: [Reference]?
        var database_specific: DatabaseSpecific?
    }

    /// The advisory in one OSV JSON document named `file`; nil for a withdrawn one. Throws when the JSON is malformed
    /// or a required field is missing, naming the field.
    public static func advisory(_ json: [UInt8], file: String) throws -> Advisory? {
        let record: Record
        do {
            record = try JSONDecoder().decode(Record.self, from: Data(json))
        } catch let error as DecodingError {
            throw AdvisoryFormatError(file: file, reason: DecodingErrorText.describe(error))
        }
        guard !record.id.isEmpty else { throw AdvisoryFormatError(file: file, reason: "field id: empty") }
        if let withdrawn = record.withdrawn, !withdrawn.isEmpty { return nil }
        let vectors = (record.severity ?? []) + (record.affected ?? []).flatMap { $0.severity ?? [] }
        let vector = vectors.first { ($0.type ?? "").hasPrefix("CVSS_V3") }?.score
        let named = ([record.database_specific?.severity] + (record.affected ?? []).map { $0.database_specific?.severity })
            .compactMap { $0.flatMap(Severity.named) }.max()
        let severity = named ?? vector.flatMap(CVSS3.baseScore).map(Severity.fromScore) ?? .unknown
        var affected: [AffectedPackage] = []
        for (index, entry) in (record.affected ?? []).enumerated() {
            guard let ecosystemName = entry.package?.ecosystem, let name = entry.package?.name, !name.isEmpty else {
                throw AdvisoryFormatError(file: file, reason: "field affected[\(index)].package: needs an ecosystem and a name")
            }
            guard let (ecosystem, namespace) = Self.ecosystem(ecosystemName) else { continue }
            var ranges: [[RangeEvent]] = []
            for range in entry.ranges ?? [] where range.type == "SEMVER" || range.type == "ECOSYSTEM" {
                let events: [RangeEvent] = (range.events ?? []).compactMap { event in
                    if let version = event.introduced { return .introduced(version) }
                    if let version = event.fixed { return .fixed(version) }
                    if let version = event.last_affected { return .lastAffected(version) }
                    return nil
                }
                if !events.isEmpty { ranges.append(events) }
            }
            let versions = entry.versions ?? []
            guard !ranges.isEmpty || !versions.isEmpty else { continue }
            affected.append(AffectedPackage(ecosystem: ecosystem, namespace: namespace,
                                            name: ecosystem == .pypi ? PythonMetadata.normalizedName(name) : name,
                                            ranges: ranges, versions: versions))
        }
        return Advisory(id: record.id, aliases: record.aliases ?? [], summary: record.summary ?? "", details: record.details ?? "",
                        severity: severity, cvssVector: vector, links: (record.references ?? []).compactMap(\.url),
                        modified: record.modified ?? "", affected: affected)
    }

    /// Berth's ecosystem and distribution namespace for an OSV ecosystem name, or nil for one Berth does not inventory.
    public static func ecosystem(_ name: String) -> (Ecosystem, String)? {
        let parts = name.split(separator: ":", maxSplits: 1).map(String.init)
        let release = parts.count == 2 ? parts[1] : ""
        switch parts[0] {
        case "Go": return (.go, "")
        case "PyPI": return (.pypi, "")
        case "npm": return (.npm, "")
        case "Maven": return (.maven, "")
        case "Debian": return release.isEmpty ? nil : (.deb, "debian:" + release)
        case "Ubuntu":
            // `Ubuntu:22.04:LTS`, `Ubuntu:Pro:18.04:LTS`: the release is the part with digits.
            guard let version = release.split(separator: ":").first(where: { $0.first?.isNumber == true }) else { return nil }
            return (.deb, "ubuntu:" + version)
        case "Alpine":
            guard !release.isEmpty else { return nil }
            return (.apk, "alpine:" + (release.hasPrefix("v") ? String(release.dropFirst()) : release))
        case "Rocky Linux": return release.isEmpty ? nil : (.rpm, "rocky:" + release)
        case "AlmaLinux": return release.isEmpty ? nil : (.rpm, "almalinux:" + release)
        default: return nil
        }
    }
}

/// Words for a JSON decoding error that name the field or the place in the text.
enum DecodingErrorText {
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let components = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            return components.hasPrefix(".") ? String(components.dropFirst()) : components
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "field \(parent.isEmpty ? "" : parent + ".")\(key.stringValue): missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "field \(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            let place = path(context)
            return (place.isEmpty ? "" : "field \(place): ") + (underlying ?? context.debugDescription)
        @unknown default:
            return "\(error)"
        }
    }
}
