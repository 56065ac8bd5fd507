import Foundation
import Metadata

/// The payload of a `gc` job: the run it carries, or the parameters of a scheduled run.
public struct GarbageJobPayload: Codable, Sendable, Equatable {
    /// The job kind (and the name of the GC schedule).
    public static let kind = "gc"

    /// The run queued from the API.
    public var run: Int64?
    /// Harbor's `delete_untagged`.
    public var deleteUntagged: Bool?
    /// Harbor's `dry_run`.
    public var dryRun: Bool?
    /// Harbor's `workers`.
    public var workers: Int?

    enum CodingKeys: String, CodingKey {
        case run
        case deleteUntagged = "delete_untagged"
        case dryRun = "dry_run"
        case workers
    }

    /// A payload.
    public init(run: Int64? = nil, deleteUntagged: Bool? = nil, dryRun: Bool? = nil, workers: Int? = nil) {
        self.run = run
        self.deleteUntagged = deleteUntagged
        self.dryRun = dryRun
        self.workers = workers
    }

    /// The run parameters it stands for.
    public var parameters: GarbageRunParameters {
        GarbageRunParameters(deleteUntagged: deleteUntagged ?? false, dryRun: dryRun ?? false, workers: min(max(workers ?? 1, 1), 5))
    }

    /// The payload as JSON.
    public var json: String {
        String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
