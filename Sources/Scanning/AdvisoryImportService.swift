import Foundation
import Logging
import Metadata
import Scanner

/// Imports advisory data into a named source: reads every document of the given paths (files, directories, tar
/// archives), checks them all, and then replaces the source's advisories in one transaction — a malformed file
/// refuses the whole import, naming the file and the field, and leaves what was there before.
public struct AdvisoryImportService: Sendable {
    let store: SQLVulnerabilityStore
    let logger: Logger

    /// A service storing into `store`.
    public init(store: SQLVulnerabilityStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// What an import did.
    public struct Outcome: Sendable, Equatable {
        /// The source as stored.
        public var source: AdvisorySourceRecord
        /// Documents read.
        public var documents: Int
        /// Documents that held nothing Berth matches (withdrawn, or ecosystems it does not inventory).
        public var skipped: Int
    }

    /// A source name: letters, digits, `.`, `_` and `-`, 1–64 characters.
    public static func isValidSourceName(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    /// The source name an import of `path` gets when none is given (`go-vulndb.tar.gz` → `go-vulndb`).
    public static func defaultSourceName(for path: String) -> String {
        var name = URL(fileURLWithPath: path).lastPathComponent
        for suffix in [".tar.gz", ".tar.zst", ".tar.zstd", ".tgz", ".tar", ".zip", ".json"] where name.hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count))
            break
        }
        let cleaned = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "-" }.prefix(64))
        return cleaned.isEmpty ? "advisories" : cleaned
    }

    /// Imports `paths` as the source `name`, replacing what it held. `progress` is told how far the reading got.
    public func importSource(named name: String, from paths: [String], progress: (String) -> Void = { _ in }) async throws -> Outcome {
        guard Self.isValidSourceName(name) else {
            throw AdvisoryFormatError(file: name, reason: "a source name has 1–64 letters, digits, '.', '_' or '-'")
        }
        let started = ContinuousClock.now
        var byID: [String: Advisory] = [:]
        var order: [String] = []
        var formats: Set<String> = []
        var newest = ""
        var documents = 0, skipped = 0
        for path in paths {
            try AdvisoryFiles.documents(at: path) { file, bytes in
                let advisories = try AdvisoryDocument.advisories(bytes, file: file)
                documents += 1
                if advisories.isEmpty { skipped += 1 }
                for advisory in advisories where !advisory.affected.isEmpty {
                    formats.insert(Self.format(of: advisory))
                    // Go's zero time ("0001-01-01T00:00:00Z") means the source gave no date.
                    if !advisory.modified.hasPrefix("0001-") { newest = max(newest, advisory.modified) }
                    // The same identifier again (a CVE fixed in several Alpine packages or repositories, a file in two
                    // bundles): one advisory affecting everything each of them names.
                    if var known = byID[advisory.id] {
                        let affected = known.affected
                        known = advisory
                        known.affected = affected + advisory.affected.filter { !affected.contains($0) }
                        byID[advisory.id] = known
                    } else {
                        byID[advisory.id] = advisory
                        order.append(advisory.id)
                    }
                }
                if documents % 1000 == 0 { progress("read \(documents) documents, \(byID.count) advisories") }
            }
        }
        let encoder = JSONEncoder()
        let rows = try order.compactMap { byID[$0] }.map { advisory in
            AdvisoryRow(id: advisory.id, json: String(decoding: try encoder.encode(advisory), as: UTF8.self),
                        packages: advisory.affected.map { AdvisoryPackageKey(ecosystem: $0.ecosystem.rawValue, namespace: $0.namespace, name: $0.name) })
        }
        progress("read \(documents) documents, \(rows.count) advisories; storing")
        let source = AdvisorySourceRecord(name: name, format: formats.sorted().joined(separator: "+"), origin: paths.joined(separator: " "),
                                          advisories: Int64(rows.count), importedAt: Clock.nowMilliseconds(), newestModified: newest)
        try await store.replaceSource(source, advisories: rows)
        logger.info("advisories imported", metadata: [
            "source": "\(name)", "advisories": "\(rows.count)", "documents": "\(documents)",
            "seconds": "\(String(format: "%.2f", (ContinuousClock.now - started).seconds))",
        ])
        return Outcome(source: source, documents: documents, skipped: skipped)
    }

    /// The format an advisory came in, from where its identifier and links point.
    static func format(of advisory: Advisory) -> String {
        if advisory.links.first?.hasPrefix("https://security-tracker.debian.org/") == true { return "debian-tracker" }
        if advisory.links.first?.hasPrefix("https://security.alpinelinux.org/") == true || advisory.affected.first?.ecosystem == .apk && advisory.summary.isEmpty {
            return "alpine-secdb"
        }
        return "osv"
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
