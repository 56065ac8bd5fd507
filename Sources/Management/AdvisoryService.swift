import Auth
import Foundation
import Metadata
import Scanner
import Scanning

/// The advisory store through the management API (Berth's own endpoints, beside Harbor's): list the sources, import
/// an offline bundle uploaded by a system administrator, remove a source. Imports and removals queue a re-match of
/// every finished report.
public struct AdvisoryService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    private func parts() throws -> (SQLVulnerabilityStore, any JobStore) { try env.scanningStores() }

    /// Every source.
    public func sources(_ caller: Caller) async throws -> [AdvisorySourceView] {
        try env.requireSystem(Permission(.scanner, .list), caller)
        return try await parts().0.sources().map(AdvisorySourceView.init)
    }

    /// Imports the bundle at `path` (an uploaded file) as the source `name`, replacing what it held; a malformed file
    /// refuses the import with 400 naming the file and the field or line, and changes nothing.
    public func importBundle(named name: String, path: String, _ caller: Caller) async throws -> AdvisoryImportView {
        try env.requireSystem(Permission(.scanner, .create), caller)
        guard AdvisoryImportService.isValidSourceName(name) else { throw APIError.badRequest("source must be 1-64 letters, digits, '.', '_' or '-'") }
        let (store, jobs) = try parts()
        let outcome: AdvisoryImportService.Outcome
        do {
            outcome = try await AdvisoryImportService(store: store, logger: env.logger).importSource(named: name, from: [path])
        } catch let error as AdvisoryFormatError {
            // The file is the caller's upload; name the member inside it, not the temporary path.
            let file = error.file.hasPrefix(path) ? "upload" + error.file.dropFirst(path.count) : error.file
            throw APIError.badRequest("import refused, nothing changed: \(file): \(error.reason)")
        }
        let now = Clock.nowMilliseconds()
        _ = try await jobs.enqueue(kind: RematchJob.kind, payload: "{}", runAt: now, maxAttempts: 3, now: now)
        await env.recordChange(caller, "create", "advisory_source", "\(name) (\(outcome.source.advisories) advisories)")
        return AdvisoryImportView(source: AdvisorySourceView(outcome.source), documents: outcome.documents, skipped: outcome.skipped)
    }

    /// Removes a source; 404 when there is none of that name.
    public func delete(named name: String, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.scanner, .delete), caller)
        let (store, jobs) = try parts()
        guard try await store.deleteSource(named: String(name.prefix(64))) else { throw APIError.notFound("advisory source \(name.prefix(64))") }
        let now = Clock.nowMilliseconds()
        _ = try await jobs.enqueue(kind: RematchJob.kind, payload: "{}", runAt: now, maxAttempts: 3, now: now)
        await env.recordChange(caller, "delete", "advisory_source", String(name.prefix(64)))
    }
}

/// An advisory source as the API shows it.
public struct AdvisorySourceView: Codable, Sendable {
    /// Its name.
    public var name: String
    /// Its format (`osv`, `debian-tracker`, `alpine-secdb`).
    public internal(set) var format: String
    var origin: String
    /// How many advisories it holds.
    public var advisories: Int64
    /// When it was imported (RFC 3339).
    public internal(set) var importTime: String
    /// The newest modification date among its advisories.
    public internal(set) var newestModified: String

    init(_ record: AdvisorySourceRecord) {
        name = record.name
        format = record.format
        origin = record.origin
        advisories = record.advisories
        importTime = APITime.string(record.importedAt)
        newestModified = record.newestModified
    }
}

/// What an import did.
public struct AdvisoryImportView: Codable, Sendable {
    /// The source as stored.
    public var source: AdvisorySourceView
    var documents: Int
    var skipped: Int
}
