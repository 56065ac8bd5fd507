import AsyncHTTPClient
import Foundation
import Jobs
import Logging
import Metadata
import NIOCore
import NIOPosix
import OCI
import RegistryClient

/// Runs one replication task: copies (or deletes) one artifact at the destination, recording bytes, log and the
/// upload in flight as it goes. A failure the next attempt may get past (a dropped connection, a 5xx, a killed
/// instance) leaves the task running for the queue's retry, which continues where this attempt stopped; any other
/// failure, or the last attempt's, ends the task as failed with the reason in its log.
public struct ReplicationTaskJob: JobHandler {
    let store: SQLReplicationStore
    let endpoints: ReplicationEndpoints
    let mounts = MountHints()
    let logger: Logger

    /// The handler.
    public init(store: SQLReplicationStore, endpoints: ReplicationEndpoints, logger: Logger) {
        self.store = store
        self.endpoints = endpoints
        self.logger = logger
    }

    public var kind: String { ReplicationJobKind.task }

    struct Payload: Decodable { let task_id: Int64 }

    public func run(_ job: JobRecord) async throws {
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8)) else { return }
        guard let task = try await store.beginTask(id: payload.task_id, now: Clock.nowMilliseconds()) else { return }
        let progress = TaskProgress(taskID: task.id, store: store, bytesDone: 0, bytesTotal: 0, log: task.log, resume: task.resume)
        var context: (spec: ReplicationTaskSpec, policy: ReplicationPolicyRecord, trigger: String)? = nil
        func ending(_ status: String) async -> NewEvent? {
            guard let context else { return nil }
            return await event(status, task: task, spec: context.spec, policy: context.policy, trigger: context.trigger)
        }
        do {
            guard let execution = try await store.execution(id: task.executionID),
                  let policy = try await store.policy(id: execution.policyID) else {
                throw ReplicationRefusal("the policy of this task is gone")
            }
            guard let spec = try? JSONDecoder().decode(ReplicationTaskSpec.self, from: Data(task.task.spec.utf8)),
                  let digest = try? Digest(parsing: spec.digest) else { throw ReplicationRefusal("the task's description cannot be read") }
            context = (spec, policy, execution.trigger)
            await progress.log("attempt \(job.attempts) of \(job.maxAttempts): \(task.task.operation) \(task.task.sourceResource) → \(task.task.destinationResource)")
            let speed: Int64? = policy.speedKBps > 0 ? Int64(policy.speedKBps) * 1024 : nil
            let source = try await endpoints.client(policy.sourceRegistryID, repositories: [spec.sourceRepository], bytesPerSecond: speed)
            defer { Task { await source.shutdown() } }
            let destination = try await endpoints.client(policy.destinationRegistryID, repositories: [spec.destinationRepository], bytesPerSecond: nil)
            defer { Task { await destination.shutdown() } }
            if task.task.operation == "deletion" {
                try await delete(digest, spec: spec, at: destination, progress: progress)
            } else {
                let copier = ArtifactCopier(source: source, destination: destination, sourceRepository: spec.sourceRepository,
                                            destinationRepository: spec.destinationRepository, progress: progress, mounts: mounts,
                                            chunked: policy.copyByChunk, override: policy.override)
                let tagged = try await copier.copy(digest, tags: spec.tags)
                let done = await progress.bytesDone
                await progress.log("done: \(digest)\(tagged.isEmpty ? "" : " tagged \(tagged.joined(separator: ", "))"), \(done) bytes")
            }
            try await finish(task.id, "Succeed", progress, event: await ending("Succeed"))
        } catch is ReplicationStopped {
            await progress.log("stopped")
            try await finish(task.id, "Stopped", progress, event: await ending("Stopped"))
        } catch {
            let reason = String(describing: error)
            if Self.isTransient(error), job.attempts < job.maxAttempts {
                await progress.log("attempt failed, will retry: \(reason)")
                try? await progress.save(force: true)
                logger.warning("replication task attempt failed", metadata: ["task": "\(task.id)", "reason": "\(reason)"])
                throw error
            }
            await progress.log("failed: \(reason)")
            try await finish(task.id, "Failed", progress, event: await ending("Failed"))
            logger.warning("replication task failed", metadata: ["task": "\(task.id)", "reason": "\(reason)"])
        }
    }

    func finish(_ id: Int64, _ status: String, _ progress: TaskProgress, event: NewEvent? = nil) async throws {
        let done = await progress.bytesDone, total = await progress.bytesTotal
        try await store.finishTask(id: id, status: status, log: await progress.text, bytesDone: done, bytesTotal: max(total, done),
                                   now: Clock.nowMilliseconds(), event: event)
    }

    /// Harbor's `REPLICATION` event for a task that ended, in the project of its local repository.
    func event(_ status: String, task: ReplicationTaskRecord, spec: ReplicationTaskSpec, policy: ReplicationPolicyRecord,
               trigger: String) async -> NewEvent {
        let local = policy.sourceRegistryID == nil ? spec.sourceRepository : spec.destinationRepository
        func side(_ facts: ReplicationSideFacts, _ repository: String) -> [String: Any] {
            ["registry_name": facts.name, "registry_type": facts.type, "endpoint": facts.url,
             "namespace": repository.split(separator: "/").first.map(String.init) ?? ""]
        }
        let jobStatus = ["Succeed": "Success", "Failed": "Failed", "Stopped": "Stopped"][status] ?? status
        let nameTag = spec.tags.count == 1 ? "\(spec.destinationRepository):\(spec.tags[0])"
            : "\(spec.destinationRepository) [\(max(1, spec.tags.count)) item(s) in total]"
        let artifact: [String: Any] = ["type": task.task.resourceType == "artifact" ? "image" : task.task.resourceType, "status": jobStatus, "name_tag": nameTag]
        let replication: [String: Any] = [
            "harbor_hostname": URLComponents(string: await endpoints.describe(nil).url)?.host ?? "",
            "job_status": jobStatus, "artifact_type": "image", "authentication_type": "basic", "override_mode": policy.override,
            "trigger_type": trigger.uppercased(), "policy_creator": "admin",
            "execution_timestamp": (task.startTime ?? Clock.nowMilliseconds()) / 1000,
            "src_resource": side(await endpoints.describe(policy.sourceRegistryID), spec.sourceRepository),
            "dest_resource": side(await endpoints.describe(policy.destinationRegistryID), spec.destinationRepository),
            status == "Succeed" ? "successful_artifact" : "failed_artifact": [artifact],
        ]
        let payload = (try? JSONSerialization.data(withJSONObject: ["replication": replication], options: [.sortedKeys, .withoutEscapingSlashes]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return NewEvent(type: .replication, projectID: nil, repository: local, digest: spec.digest, tags: spec.tags,
                        operatorName: trigger.uppercased(), occurredAt: Clock.nowMilliseconds(), payload: payload)
    }

    /// Deletes the artifact at the destination (its tags with it); an artifact already gone is a success.
    func delete(_ digest: Digest, spec: ReplicationTaskSpec, at destination: RegistryClient, progress: TaskProgress) async throws {
        if try await destination.deleteManifest(spec.destinationRepository, digest: digest) {
            await progress.log("deleted \(spec.destinationRepository)@\(digest)")
        } else {
            await progress.log("\(spec.destinationRepository)@\(digest) was not at the destination")
        }
    }

    /// Whether another attempt may succeed: connection trouble, timeouts, 429 and 5xx answers. Content that does not
    /// match its digest, refused credentials and unusable answers fail at once.
    static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case let error as RegistryClientError:
            if case .status(let status, _, _, _) = error { return status == 429 || status >= 500 }
            return false
        case is HTTPClientError, is NIOConnectionError, is IOError, is ChannelError, is CancellationError:
            return true
        default:
            return false
        }
    }
}

/// A replication that cannot go on, with the reason for its log.
struct ReplicationRefusal: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
