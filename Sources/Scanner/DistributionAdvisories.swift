import Foundation

/// The Debian security tracker's JSON export (security-tracker.debian.org/tracker/data/json): source package →
/// CVE → `releases` → codename → `status`, `fixed_version`, `urgency`.
public enum DebianTrackerFormat {
    /// Whether a decoded top-level JSON value looks like the tracker's export.
    static func recognizes(_ object: [String: Any]) -> Bool {
        guard let (_, first) = object.first(where: { _ in true }), let cves = first as? [String: Any] else { return false }
        return cves.values.contains { ($0 as? [String: Any])?["releases"] != nil } || cves.isEmpty
    }

    /// The advisories of the export (one per CVE, affecting each source package in each release it names).
    public static func advisories(_ object: [String: Any], file: String) throws -> [Advisory] {
        var byID: [String: Advisory] = [:]
        for (package, value) in object {
            guard let cves = value as? [String: Any] else { throw AdvisoryFormatError(file: file, reason: "field \(package): expected an object of CVEs") }
            for (cve, entry) in cves {
                guard let entry = entry as? [String: Any] else { throw AdvisoryFormatError(file: file, reason: "field \(package).\(cve): expected an object") }
                guard let releases = entry["releases"] as? [String: Any] else {
                    throw AdvisoryFormatError(file: file, reason: "field \(package).\(cve).releases: missing or not an object")
                }
                var advisory = byID[cve] ?? Advisory(
                    id: cve, aliases: cve.hasPrefix("CVE-") ? [cve] : [],
                    summary: String(((entry["description"] as? String) ?? "").prefix { $0 != "\n" }),
                    details: (entry["description"] as? String) ?? "", severity: .unknown,
                    links: ["https://security-tracker.debian.org/tracker/\(cve)"], affected: [])
                for (codename, release) in releases {
                    let place = "\(package).\(cve).releases.\(codename)"
                    guard let release = release as? [String: Any] else { throw AdvisoryFormatError(file: file, reason: "field \(place): expected an object") }
                    guard let status = release["status"] as? String else { throw AdvisoryFormatError(file: file, reason: "field \(place).status: missing or not a string") }
                    if let urgency = release["urgency"], !(urgency is String) {
                        throw AdvisoryFormatError(file: file, reason: "field \(place).urgency: expected a string")
                    }
                    if let fixed = release["fixed_version"], !(fixed is String) {
                        throw AdvisoryFormatError(file: file, reason: "field \(place).fixed_version: expected a string")
                    }
                    guard let version = DebianReleases.version(ofCodename: codename) else { continue }
                    let fixed = release["fixed_version"] as? String
                    let events: [RangeEvent]
                    switch status {
                    case "resolved":
                        // Fixed in "0": this release never had the vulnerable code.
                        guard let fixed, !fixed.isEmpty, fixed != "0" else { continue }
                        events = [.introduced("0"), .fixed(fixed)]
                    case "open", "undetermined":
                        events = [.introduced("0")]
                    default:
                        throw AdvisoryFormatError(file: file, reason: "field \(place).status: unknown status \"\(status)\"")
                    }
                    if let urgency = (release["urgency"] as? String).flatMap(Severity.named), urgency > advisory.severity {
                        advisory.severity = urgency
                    }
                    advisory.affected.append(AffectedPackage(ecosystem: .deb, namespace: "debian:" + version, name: package, ranges: [events]))
                }
                byID[cve] = advisory
            }
        }
        return byID.values.filter { !$0.affected.isEmpty }.sorted { $0.id < $1.id }
    }
}

/// Alpine's security database (secdb.alpinelinux.org/<branch>/<repository>.json): for each source package, the
/// CVEs each release fixed (`secfixes`: version → identifiers; version "0" means never affected).
public enum AlpineSecdbFormat {
    /// Whether a decoded top-level JSON value looks like a secdb file.
    static func recognizes(_ object: [String: Any]) -> Bool { object["packages"] != nil && object["distroversion"] != nil }

    /// The advisories of the file (one per identifier, with each package it was fixed in).
    public static func advisories(_ object: [String: Any], file: String) throws -> [Advisory] {
        guard let branch = object["distroversion"] as? String, !branch.isEmpty else {
            throw AdvisoryFormatError(file: file, reason: "field distroversion: missing or not a string")
        }
        guard let packages = object["packages"] as? [Any] else { throw AdvisoryFormatError(file: file, reason: "field packages: expected an array") }
        let namespace = "alpine:" + (branch.hasPrefix("v") ? String(branch.dropFirst()) : branch)
        var advisories: [String: Advisory] = [:]
        for (index, entry) in packages.enumerated() {
            guard let package = (entry as? [String: Any])?["pkg"] as? [String: Any] else {
                throw AdvisoryFormatError(file: file, reason: "field packages[\(index)].pkg: missing or not an object")
            }
            guard let name = package["name"] as? String, !name.isEmpty else {
                throw AdvisoryFormatError(file: file, reason: "field packages[\(index)].pkg.name: missing or not a string")
            }
            guard let secfixes = (package["secfixes"] ?? [String: Any]()) as? [String: Any] else {
                throw AdvisoryFormatError(file: file, reason: "field packages[\(index)].pkg.secfixes: expected an object")
            }
            for (version, identifiers) in secfixes {
                guard let identifiers = identifiers as? [Any] else {
                    throw AdvisoryFormatError(file: file, reason: "field packages[\(index)].pkg.secfixes.\(version): expected an array")
                }
                guard version != "0" else { continue }
                for case let text as String in identifiers {
                    // An entry may carry several identifiers ("CVE-2021-1234 ALPINE-13661").
                    let ids = text.split(separator: " ").map(String.init)
                    guard let id = ids.first else { continue }
                    // One advisory per identifier, affecting every package that fixed it.
                    let key = id
                    var advisory = advisories[key] ?? Advisory(
                        id: id, aliases: ids.filter { $0.hasPrefix("CVE-") }, summary: "", severity: .unknown,
                        links: id.hasPrefix("CVE-") ? ["https://security.alpinelinux.org/vuln/\(id)"] : [], affected: [])
                    advisory.affected.append(AffectedPackage(ecosystem: .apk, namespace: namespace, name: name,
                                                             ranges: [[.introduced("0"), .fixed(version)]]))
                    advisories[key] = advisory
                }
            }
        }
        return advisories.values.sorted { ($0.id, $0.affected.first?.name ?? "") < ($1.id, $1.affected.first?.name ?? "") }
    }
}

/// One advisory file of any supported format, told by its content.
public enum AdvisoryDocument {
    /// The advisories in `bytes` (OSV, the Debian tracker's export or an Alpine secdb file) read from `file`.
    /// Throws naming the file and the field or the place of a syntax error.
    public static func advisories(_ bytes: [UInt8], file: String) throws -> [Advisory] {
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            let reason = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? "not valid JSON"
            throw AdvisoryFormatError(file: file, reason: JSONPosition.withLine(reason, in: bytes))
        }
        guard let object = value as? [String: Any] else { throw AdvisoryFormatError(file: file, reason: "expected a JSON object at the top level") }
        if object["id"] != nil && (object["affected"] != nil || object["modified"] != nil || object["schema_version"] != nil) {
            return try OSVFormat.advisory(bytes, file: file).map { [$0] } ?? []
        }
        if AlpineSecdbFormat.recognizes(object) { return try AlpineSecdbFormat.advisories(object, file: file) }
        if DebianTrackerFormat.recognizes(object) { return try DebianTrackerFormat.advisories(object, file: file) }
        throw AdvisoryFormatError(file: file, reason: "not an OSV advisory, a Debian security tracker export or an Alpine secdb file")
    }
}

/// Turns a JSON parser's "around character N" into a line and column, which is what a person fixing the file needs.
enum JSONPosition {
    /// `reason` with "(line L, column C)" added when it names a character offset in `bytes`.
    static func withLine(_ reason: String, in bytes: [UInt8]) -> String {
        guard let range = reason.range(of: "character "),
              let offset = Int(reason[range.upperBound...].prefix { $0.isNumber }), offset >= 0, offset <= bytes.count else { return reason }
        var line = 1, column = 1
        for byte in bytes[..<offset] {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return "\(reason) (line \(line), column \(column))"
    }
}
