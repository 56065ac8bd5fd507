import Foundation
import SQLKit

/// A push refused because it would take a project past its storage limit. Nothing of it stays counted: the
/// transaction that would have linked the blob is rolled back.
public struct QuotaExceeded: Error, CustomStringConvertible, Sendable {
    /// The project.
    public let project: String
    /// The repository the push went to.
    public var repository: String = ""
    /// The digest that was refused.
    public var digest: String = ""
    /// Its limit in bytes.
    public let limit: Int64
    /// Bytes it used before the push.
    public let used: Int64
    /// Bytes the push would add.
    public let requested: Int64

    /// Harbor's wording, as docker prints it.
    public var description: String {
        "quota exceeded: adding \(Self.shown(requested)) to project \(project), which uses \(Self.shown(used)), "
            + "would exceed its storage limit of \(Self.shown(limit))"
    }

    /// A size in binary units.
    static func shown(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(max(bytes, 0))
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : "\((value * 10).rounded() / 10) \(units[unit])"
    }
}

/// Project usage, kept exact: every link of a digest into a repository and every unlink passes through here inside
/// the transaction that makes it. A digest counts once per project however many of its repositories link it
/// (`project_blobs.refs`); the first link charges its size to the project's quota — refused, rolling the transaction
/// back, when that would pass the limit — and the last unlink releases it. The charge is one conditional `UPDATE` of
/// the quota row, so concurrent pushes into one project queue on that row and can never overshoot together.
enum QuotaAccounting {
    /// Counts a digest newly linked into `repository` of `project`; throws `QuotaExceeded` when its first link in the
    /// project would pass the limit. True when it recorded a `QUOTA_WARNING` event (usage crossed `warningPercent`).
    static func linked(_ digest: String, size: Int64, repository: String, project: String, warningPercent: Int, now: Int64,
                       on db: any SQLDatabase) async throws -> Bool {
        guard let row = try await db.raw("""
            INSERT INTO project_blobs (project_name, digest, size, refs) VALUES (\(bind: project), \(bind: digest), \(bind: size), 1)
            ON CONFLICT (project_name, digest) DO UPDATE SET refs = project_blobs.refs + 1
            RETURNING refs
            """).first() else { throw MetadataError.inconsistent("project_blobs upsert returned nothing") }
        guard try row.decode(column: "refs", as: Int.self) == 1, size > 0 else { return false }
        let charged = try await db.raw("""
            UPDATE project_quotas SET used = used + \(bind: size), updated_at = \(bind: now)
            WHERE project_name = \(bind: project) AND (hard_limit < 0 OR used + \(bind: size) <= hard_limit)
            RETURNING used, hard_limit
            """).first()
        if let charged {
            let limit = try charged.decode(column: "hard_limit", as: Int64.self), used = try charged.decode(column: "used", as: Int64.self)
            guard limit >= 0, crossed(warningPercent, of: limit, from: used - size, to: used) else { return false }
            let details = "the quota of project \(project) is at \(used / max(limit / 100, 1))%: \(QuotaExceeded.shown(used)) of \(QuotaExceeded.shown(limit)) "
                + "(the warning level is \(warningPercent)%)"
            try await EventOutbox.append([event(.quotaWarning, repository: repository, digest: digest, details: details, at: now)], on: db)
            return true
        }
        // Not charged: refused, unless the project has no quota row (a repository outside any project is not limited).
        guard let quota = try await db.raw("SELECT hard_limit, used FROM project_quotas WHERE project_name = \(bind: project)").first() else { return false }
        throw QuotaExceeded(project: project, repository: repository, digest: digest, limit: try quota.decode(column: "hard_limit", as: Int64.self),
                            used: try quota.decode(column: "used", as: Int64.self), requested: size)
    }

    /// Whether usage went from below `percent` of `limit` to at or above it (without overflowing for any limit).
    static func crossed(_ percent: Int, of limit: Int64, from before: Int64, to after: Int64) -> Bool {
        guard percent > 0, percent <= 100 else { return false }
        let level = (limit / 100) * Int64(percent) + (limit % 100) * Int64(percent) / 100
        return before < level && after >= level
    }

    /// A quota event (no operator: the registry's accounting records it).
    static func event(_ type: EventType, repository: String, digest: String, details: String, at time: Int64) -> NewEvent {
        NewEvent(type: type, projectID: nil, repository: repository, digest: digest, tags: [], operatorName: "", occurredAt: time,
                 payload: QuotaEventDetails(details: details).json)
    }

    /// The `QUOTA_EXCEED` event of a refused push (recorded after its transaction rolled back).
    static func exceeded(_ refusal: QuotaExceeded, at time: Int64) -> NewEvent {
        event(.quotaExceed, repository: refusal.repository, digest: refusal.digest, details: refusal.description, at: time)
    }

    /// Counts a digest unlinked from a repository of `project`; its last link in the project releases its size.
    static func unlinked(_ digest: String, project: String, now: Int64, on db: any SQLDatabase) async throws {
        guard let row = try await db.raw("""
            UPDATE project_blobs SET refs = refs - 1 WHERE project_name = \(bind: project) AND digest = \(bind: digest) RETURNING refs, size
            """).first() else { return }
        guard try row.decode(column: "refs", as: Int.self) <= 0 else { return }
        try await db.raw("DELETE FROM project_blobs WHERE project_name = \(bind: project) AND digest = \(bind: digest)").run()
        try await release(try row.decode(column: "size", as: Int64.self), project: project, now: now, on: db)
    }

    /// Counts many unlinks from one project at once (garbage collection's pages): `digests` says how many of the
    /// project's links to each digest went.
    static func unlinked(_ digests: [String: Int], project: String, now: Int64, on db: any SQLDatabase) async throws {
        guard !digests.isEmpty else { return }
        for (count, group) in Dictionary(grouping: digests.keys.sorted(), by: { digests[$0] ?? 1 }) {
            for batch in stride(from: 0, to: group.count, by: 500).map({ Array(group[$0 ..< min($0 + 500, group.count)]) }) {
                try await db.raw("""
                    UPDATE project_blobs SET refs = refs - \(bind: count) WHERE project_name = \(bind: project) AND digest IN (\(binds: batch))
                    """).run()
            }
        }
        var freed: Int64 = 0
        let all = digests.keys.sorted()
        for batch in stride(from: 0, to: all.count, by: 500).map({ Array(all[$0 ..< min($0 + 500, all.count)]) }) {
            freed += try await db.raw("""
                DELETE FROM project_blobs WHERE project_name = \(bind: project) AND refs <= 0 AND digest IN (\(binds: batch)) RETURNING size
                """).all().reduce(Int64(0)) { $0 + (try $1.decode(column: "size", as: Int64.self)) }
        }
        try await release(freed, project: project, now: now, on: db)
    }

    /// Counts every link of a repository that is about to be deleted (before its rows go).
    static func unlinkedRepository(_ repositoryID: Int64, project: String, now: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE project_blobs SET refs = refs - 1 WHERE project_name = \(bind: project)
            AND digest IN (SELECT digest FROM repository_blobs WHERE repository_id = \(bind: repositoryID))
            """).run()
        let freed = try await db.raw("""
            SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS freed FROM project_blobs WHERE project_name = \(bind: project) AND refs <= 0
            """).first()?.decode(column: "freed", as: Int64.self) ?? 0
        try await db.raw("DELETE FROM project_blobs WHERE project_name = \(bind: project) AND refs <= 0").run()
        try await release(freed, project: project, now: now, on: db)
    }

    static func release(_ size: Int64, project: String, now: Int64, on db: any SQLDatabase) async throws {
        guard size > 0 else { return }
        try await db.raw("""
            UPDATE project_quotas SET used = used - \(bind: size), updated_at = \(bind: now) WHERE project_name = \(bind: project)
            """).run()
    }

    /// The quota of a new project (its usage from links already there: none, unless repositories were pushed under its
    /// name before it existed).
    static func create(project: String, limit: Int64, now: Int64, on db: any SQLDatabase) async throws {
        let used = try await db.raw("""
            SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS used FROM project_blobs WHERE project_name = \(bind: project)
            """).first()?.decode(column: "used", as: Int64.self) ?? 0
        try await db.raw("""
            INSERT INTO project_quotas (project_name, hard_limit, used, created_at, updated_at)
            VALUES (\(bind: project), \(bind: limit), \(bind: used), \(bind: now), \(bind: now))
            ON CONFLICT (project_name) DO NOTHING
            """).run()
    }

    /// Removes a deleted project's quota.
    static func remove(project: String, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM project_quotas WHERE project_name = \(bind: project)").run()
        try await db.raw("DELETE FROM project_blobs WHERE project_name = \(bind: project)").run()
    }
}

/// What a quota event carries: Harbor's `custom_attributes.Details` text.
struct QuotaEventDetails: Codable {
    let details: String
    var json: String { (try? String(decoding: JSONEncoder().encode(self), as: UTF8.self)) ?? "{}" }
}
