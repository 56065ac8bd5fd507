import ArgumentParser
import BerthServer
import Foundation
import Scanner

/// `berth scan`: an image in an OCI layout, scanned against the advisory store without a server.
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan an image in an OCI image layout (skopeo copy … oci:DIR:TAG) against the imported advisories.")
    @OptionGroup var options: ServerOptions
    @Option(name: .long, help: "table (default) or json.") var format = "table"
    @Argument(help: "The layout directory, with :TAG to pick one image.") var image: String

    func run() async throws {
        guard ["table", "json"].contains(format) else { throw ValidationError("--format is table or json") }
        var directory = image, tag: String?
        if let colon = image.lastIndex(of: ":"), !image[image.index(after: colon)...].contains("/") {
            directory = String(image[..<colon])
            tag = String(image[image.index(after: colon)...])
        }
        let outcome = try await ImageLayoutScan.scan(directory: directory, tag: tag, configuration: try options.configuration(), logger: Advisories.quietLogger())
        let indexMS = Double(outcome.indexDuration.components.seconds) * 1000 + Double(outcome.indexDuration.components.attoseconds) / 1e15
        let matchMS = Double(outcome.matchDuration.components.seconds) * 1000 + Double(outcome.matchDuration.components.attoseconds) / 1e15
        if format == "json" {
            let object: [String: Any] = [
                "distribution": outcome.inventory.operatingSystem?.prettyName ?? "", "packages": outcome.inventory.packages.count,
                "layers": outcome.layers, "index_ms": indexMS, "match_ms": matchMS,
                "vulnerabilities": outcome.findings.map {
                    ["id": $0.aliases.first { $0.hasPrefix("CVE-") } ?? $0.advisoryID, "advisory": $0.advisoryID, "package": $0.package.name,
                     "version": $0.package.version, "fix_version": $0.fixedVersion ?? "", "severity": $0.severity.rawValue, "location": $0.package.location]
                },
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self))
            return
        }
        print("\(outcome.inventory.operatingSystem?.prettyName ?? "no distribution found"): \(outcome.inventory.packages.count) packages in \(outcome.layers) layers")
        for finding in outcome.findings {
            let id = finding.aliases.first { $0.hasPrefix("CVE-") } ?? finding.advisoryID
            print([finding.severity.rawValue, id, finding.package.name, finding.package.version, finding.fixedVersion ?? "-"].joined(separator: "\t"))
        }
        print("\(outcome.findings.count) vulnerabilities; indexed in \(String(format: "%.0f", indexMS)) ms, matched in \(String(format: "%.1f", matchMS)) ms")
    }
}
