import Foundation
import Jobs
import Management
import Metadata
import Registry

/// `retention`: carries a tag retention run — one started from the API (its payload names the run) or fired by a
/// policy's schedule (its payload names the policy, and the run is recorded when the job starts; skipped while
/// another run of the policy is in progress).
struct RetentionJob: JobHandler {
    var kind: String { RetentionService.jobKind }
    let store: SQLRetentionStore
    let projects: SQLAccessStore
    let jobs: any JobStore
    let runner: RetentionRunner

    struct Payload: Decodable {
        var execution_id: Int64?
        var policy_id: Int64?
    }

    func run(_ job: JobRecord) async throws {
        let payload = (try? JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8))) ?? Payload()
        let execution: RetentionExecutionRecord
        if let id = payload.execution_id {
            guard let recorded = try await store.execution(id: id), recorded.status == "Running" else { return }
            execution = recorded
        } else if let policyID = payload.policy_id {
            if try await store.executions(policyID: policyID, offset: 0, limit: 1).items.first?.status == "Running" { return }
            guard try await store.policy(id: policyID) != nil else {
                // The policy went with its project: its schedule stops too.
                if var schedule = try await jobs.schedules().first(where: { $0.name == "\(kind)-\(policyID)" }), !schedule.paused {
                    schedule.paused = true
                    schedule.updatedAt = Clock.nowMilliseconds()
                    try await jobs.upsertSchedule(schedule)
                }
                return
            }
            execution = try await store.startExecution(policyID: policyID, trigger: "SCHEDULE", dryRun: false, now: Clock.nowMilliseconds())
        } else {
            return
        }
        do {
            guard let policy = try await store.policy(id: execution.policyID), let project = try await projects.project(id: policy.projectID) else {
                try await store.finishExecution(id: execution.id, status: "Error", now: Clock.nowMilliseconds())
                return
            }
            try await runner.run(execution, policy: policy, project: project.name)
        } catch {
            // A run that cannot go on ends as Error rather than blocking the policy's next run as "in progress"; one
            // interrupted by shutdown stays Running and is taken up again.
            if !Task.isCancelled { try? await store.finishExecution(id: execution.id, status: "Error", now: Clock.nowMilliseconds()) }
            throw error
        }
    }
}
