import Foundation
import Jobs
import Metadata
import Registry

/// `gc`: carries a garbage-collection run — one queued from the API (its payload names the run) or fired by the GC
/// schedule (its payload holds the schedule's parameters, and the run is recorded when the job first starts).
struct GarbageCollectionJob: JobHandler {
    var kind: String { GarbageJobPayload.kind }
    let executor: GarbageRunExecutor
    let runs: SQLGarbageRunStore

    func run(_ job: JobRecord) async throws {
        let payload = (try? JSONDecoder().decode(GarbageJobPayload.self, from: Data(job.payload.utf8))) ?? GarbageJobPayload()
        let run: GarbageRunRecord
        if let id = payload.run {
            guard let recorded = try await runs.run(id: id) else { return }
            run = recorded
        } else if let recorded = try await runs.run(jobID: job.id) {
            run = recorded
        } else {
            run = try await runs.create(trigger: "SCHEDULE", requester: "schedule", parameters: payload.parameters, jobKind: nil, exclusive: false,
                                        jobID: job.id, now: Clock.nowMilliseconds())
        }
        _ = try await executor.execute(run)
    }
}
