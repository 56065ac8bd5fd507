import SQLKit

/// Per-project figures for the metrics endpoint (Harbor exporter's `harbor_project_*` families), read in a few
/// aggregate queries over the whole database, so they are the same whichever instance is scraped.
public struct ExporterStatistics: Sendable {
    /// One project's figures.
    public struct Project: Sendable, Equatable {
        /// The project's name.
        public var name: String
        /// Whether it is public.
        public var isPublic: Bool
        /// Repositories in it.
        public var repositories: Int
        /// Artifacts (manifests) in its repositories.
        public var artifacts: Int
        /// Members (users and groups).
        public var members: Int
        /// Bytes of the distinct blobs its repositories link (a blob shared by two repositories counted once).
        public var usageBytes: Int64
    }

    let provider: any SQLDatabaseProvider

    /// Reads from the given database.
    public init(provider: any SQLDatabaseProvider) { self.provider = provider }

    /// Every project's figures, by name.
    public func projects() async throws -> [Project] {
        try await provider.read { db in
            var projects: [String: Project] = [:]
            for row in try await db.raw("SELECT name, public FROM projects").all() {
                let name = try row.decode(column: "name", as: String.self)
                projects[name] = Project(name: name, isPublic: try row.decode(column: "public", as: Int.self) != 0, repositories: 0, artifacts: 0,
                                         members: 0, usageBytes: 0)
            }
            for row in try await db.raw("SELECT project_name, COUNT(*) AS n FROM repositories GROUP BY project_name").all() {
                projects[try row.decode(column: "project_name", as: String.self)]?.repositories = try row.decode(column: "n", as: Int.self)
            }
            for row in try await db.raw("""
                SELECT r.project_name, COUNT(*) AS n FROM manifests m JOIN repositories r ON r.id = m.repository_id GROUP BY r.project_name
                """).all() {
                projects[try row.decode(column: "project_name", as: String.self)]?.artifacts = try row.decode(column: "n", as: Int.self)
            }
            for row in try await db.raw("""
                SELECT p.name, COUNT(*) AS n FROM project_members m JOIN projects p ON p.id = m.project_id GROUP BY p.name
                """).all() {
                projects[try row.decode(column: "name", as: String.self)]?.members = try row.decode(column: "n", as: Int.self)
            }
            for row in try await db.raw("""
                SELECT project_name, CAST(SUM(size) AS BIGINT) AS bytes FROM (
                    SELECT DISTINCT r.project_name, b.digest, b.size FROM repository_blobs b JOIN repositories r ON r.id = b.repository_id
                ) AS linked GROUP BY project_name
                """).all() {
                projects[try row.decode(column: "project_name", as: String.self)]?.usageBytes = try row.decode(column: "bytes", as: Int64?.self) ?? 0
            }
            return projects.values.sorted { $0.name < $1.name }
        }
    }

    /// Webhook tasks per status, over every project.
    public func webhookTasks() async throws -> [String: Int] {
        try await provider.read { db in
            var counts: [String: Int] = [:]
            for row in try await db.raw("SELECT status, COUNT(*) AS n FROM webhook_tasks GROUP BY status").all() {
                counts[try row.decode(column: "status", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
            return counts
        }
    }
}
