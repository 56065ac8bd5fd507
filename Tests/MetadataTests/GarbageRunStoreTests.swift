import Foundation
@testable import Metadata
import SQLKit
import Testing

/// Garbage-collection runs in the database, on SQLite and PostgreSQL: one pending or running run at a time, the lock
/// that lets one run collect at a time (taken over when it expires), checkpoints that carry the log and counts and
/// hear a stop, and runs whose worker vanished marked as ended.
@Suite("Garbage run store")
struct GarbageRunStoreTests {
    static let parameters = GarbageRunParameters(deleteUntagged: true, dryRun: false, workers: 2)

    @Test("a second run is refused while one is pending; the lock admits one run until it is released or expires", arguments: Backend.allCases)
    func exclusive(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let runs = SQLGarbageRunStore(provider: provider)
            let first = try await runs.create(trigger: "MANUAL", requester: "admin", parameters: Self.parameters, jobKind: "gc", exclusive: true, now: 1_000)
            #expect(first.status == "Pending" && first.jobID != nil && first.parameters == Self.parameters)
            await #expect(throws: MetadataConflict.self) {
                _ = try await runs.create(trigger: "MANUAL", requester: "admin", parameters: Self.parameters, jobKind: "gc", exclusive: true, now: 1_001)
            }
            // A scheduled run is recorded anyway (it waits for the lock).
            let second = try await runs.create(trigger: "SCHEDULE", requester: "schedule", parameters: Self.parameters, jobKind: nil, exclusive: false,
                                               jobID: 99, now: 1_002)
            #expect(try await runs.run(jobID: 99)?.id == second.id)

            #expect(try await runs.acquireLock(runID: first.id, now: 2_000, leaseMilliseconds: 60_000) == nil)
            #expect(try await runs.acquireLock(runID: first.id, now: 2_001, leaseMilliseconds: 60_000) == nil, "the holder may take it again")
            #expect(try await runs.acquireLock(runID: second.id, now: 3_000, leaseMilliseconds: 60_000) == first.id)
            #expect(try await runs.acquireLock(runID: second.id, now: 70_000, leaseMilliseconds: 60_000) == nil, "an expired lock is taken over")
            let late = try await runs.checkpoint(id: first.id, phase: "files", counts: GarbageRunCounts(), lines: [], now: 70_000, leaseMilliseconds: 60_000)
            #expect(late == GarbageCheckpointAnswer(stopRequested: false, holdsLock: false), "the run whose lease lapsed hears it lost the lock")
            #expect(try await runs.acquireLock(runID: first.id, now: 70_000, leaseMilliseconds: 60_000) == second.id, "and its checkpoint did not renew it")
            try await runs.releaseLock(runID: first.id)
            #expect(try await runs.acquireLock(runID: first.id, now: 70_001, leaseMilliseconds: 60_000) == second.id, "only the holder releases")
            try await runs.releaseLock(runID: second.id)
            #expect(try await runs.acquireLock(runID: first.id, now: 70_002, leaseMilliseconds: 60_000) == nil)
        }
    }

    @Test("checkpoints write the log in order and the counts, renew the lock and hear a stop; finish ends the run and frees the lock",
          arguments: Backend.allCases)
    func progress(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let runs = SQLGarbageRunStore(provider: provider)
            let run = try await runs.create(trigger: "MANUAL", requester: "admin", parameters: Self.parameters, jobKind: "gc", exclusive: true, now: 1_000)
            #expect(try await runs.acquireLock(runID: run.id, now: 1_000, leaseMilliseconds: 10_000) == nil)
            try await runs.start(id: run.id, phase: "collecting", now: 1_001)
            let counts = GarbageRunCounts(manifestsDeleted: 1, linksRemoved: 2, blobsDeleted: 3, bytesFreed: 4_096, uploadsPurged: 0)
            let lines = (1 ... 450).map { "line \($0)" }
            let going = GarbageCheckpointAnswer(stopRequested: false, holdsLock: true)
            #expect(try await runs.checkpoint(id: run.id, phase: "files", counts: counts, lines: Array(lines[..<250]), now: 9_000,
                                              leaseMilliseconds: 10_000) == going)
            #expect(try await runs.checkpoint(id: run.id, phase: "files", counts: counts, lines: Array(lines[250...]), now: 9_500,
                                              leaseMilliseconds: 10_000) == going)
            #expect(try await runs.log(id: run.id) == lines)
            let other = try await runs.create(trigger: "SCHEDULE", requester: "schedule", parameters: Self.parameters, jobKind: nil, exclusive: false,
                                              jobID: 7, now: 9_600)
            #expect(try await runs.acquireLock(runID: other.id, now: 15_000, leaseMilliseconds: 10_000) == run.id, "the checkpoint renewed the lock")

            let stopping = try await runs.requestStop(id: run.id, now: 16_000)
            #expect(stopping?.status == "Running" && stopping?.stopRequested == true)
            #expect(try await runs.checkpoint(id: run.id, phase: "files", counts: counts, lines: [], now: 16_001, leaseMilliseconds: 10_000)
                    == GarbageCheckpointAnswer(stopRequested: true, holdsLock: true))
            try await runs.finish(id: run.id, status: "Stopped", phase: "stopped", counts: counts, lines: ["stopped"], now: 16_002)
            let ended = try await runs.run(id: run.id)
            #expect(ended?.status == "Stopped" && ended?.counts == counts && ended?.finishedAt == 16_002 && ended?.startedAt == 1_001)
            #expect(try await runs.log(id: run.id)?.last == "stopped")
            #expect(try await runs.acquireLock(runID: other.id, now: 16_003, leaseMilliseconds: 10_000) == nil, "finishing freed the lock")
            #expect(try await runs.log(id: 999_999) == nil)
        }
    }

    @Test("a pending run stops at once; a run whose job died is marked Error and no longer blocks a new one", arguments: Backend.allCases)
    func abandoned(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let runs = SQLGarbageRunStore(provider: provider)
            let jobs = SQLJobStore(provider: provider)
            let pending = try await runs.create(trigger: "MANUAL", requester: "admin", parameters: Self.parameters, jobKind: "gc", exclusive: true, now: 1_000)
            #expect(try await runs.requestStop(id: pending.id, now: 1_100)?.status == "Stopped")
            _ = try await jobs.stop(id: try #require(pending.jobID), now: 1_100)

            let crashed = try await runs.create(trigger: "MANUAL", requester: "admin", parameters: Self.parameters, jobKind: "gc", exclusive: true, now: 2_000)
            try await runs.start(id: crashed.id, phase: "collecting", now: 2_001)
            // Its job is given up (dead) and it holds no lock: a new run is accepted and the old one reads as ended.
            try await provider.write { db in try await db.raw("UPDATE jobs SET status = 'dead' WHERE id = \(bind: crashed.jobID)").run() }
            let fresh = try await runs.create(trigger: "MANUAL", requester: "admin", parameters: Self.parameters, jobKind: "gc", exclusive: true, now: 3_000)
            #expect(fresh.status == "Pending")
            #expect(try await runs.run(id: crashed.id)?.status == "Error")
            let page = try await runs.runs(offset: 0, limit: 2)
            #expect(page.total == 3 && page.runs.map(\.id) == [fresh.id, crashed.id], "newest first")
        }
    }
}
