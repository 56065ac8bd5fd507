import Foundation
import Scanner

/// An external scanner's report in Harbor's vulnerability report format, read into Berth's findings so it is stored,
/// summarised, allowlisted and enforced like the built-in scanner's. Read tolerantly: scanners add their own vendor
/// attributes (nested objects, numbers) and leave optional fields out.
public enum ExternalReport {
    /// The most findings read from one report.
    public static let maximumFindings = 100_000

    /// The findings of `report`, highest severity first.
    public static func findings(from report: Data) throws -> [Finding] {
        guard let object = try? JSONSerialization.jsonObject(with: report) as? [String: Any] else {
            throw ScannerAdapterClientError(description: "the scanner's report is not a JSON object")
        }
        let items = object["vulnerabilities"] as? [[String: Any]] ?? []
        guard items.count <= maximumFindings else {
            throw ScannerAdapterClientError(description: "the scanner's report lists \(items.count) vulnerabilities, more than \(maximumFindings)")
        }
        var findings: [Finding] = []
        for item in items {
            guard let id = text(item["id"]), !id.isEmpty, let name = text(item["package"]), !name.isEmpty else { continue }
            let vendor = item["vendor_attributes"] as? [String: Any] ?? [:]
            let ecosystem = text(vendor["ecosystem"]).flatMap(Ecosystem.init(rawValue:)) ?? .other
            let package = InstalledPackage(ecosystem: ecosystem, name: name, version: text(item["version"]) ?? "", sourceName: text(vendor["source_package"]),
                                           location: text(vendor["location"]) ?? "")
            let cvss = (item["preferred_cvss"] as? [String: Any]).flatMap { text($0["vector_v3"]) }.flatMap { $0.isEmpty ? nil : $0 }
            let fixed = text(item["fix_version"]).flatMap { $0.isEmpty ? nil : $0 }
            let severity = text(item["severity"]).flatMap { Severity(rawValue: $0.prefix(1).uppercased() + $0.dropFirst().lowercased()) }
                ?? (text(item["severity"])?.lowercased() == "negligible" ? .low : .unknown)
            let links = (item["links"] as? [Any] ?? []).compactMap(text).prefix(20)
            findings.append(Finding(package: package, advisoryID: text(vendor["advisory"]) ?? id, aliases: id.hasPrefix("CVE-") ? [id] : [],
                                    severity: severity, cvssVector: cvss, fixedVersion: fixed, summary: String((text(item["description"]) ?? "").prefix(4000)),
                                    links: Array(links)))
        }
        return findings.sorted { ($0.severity, $1.advisoryID) > ($1.severity, $0.advisoryID) }
    }

    private static func text(_ value: Any?) -> String? {
        switch value {
        case let string as String: return String(string.prefix(1000))
        case let number as NSNumber: return number.stringValue
        default: return nil
        }
    }
}
