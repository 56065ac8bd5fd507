import Foundation
import Jobs
import Logging
import Metadata
import OCI
import Replication
import RegistryClient

/// Starts a scheduled run of a policy (payload `{"policy_id":N}` from its schedule) or lists what an execution
/// copies (payload `{"execution_id":N}`): the source's artifacts that pass the policy's filters become tasks, one per
/// artifact, each with its job. A source that cannot be listed ends the execution as failed with the reason.
public struct ReplicationExecutionJob: JobHandler {
    let store: SQLReplicationStore
    let endpoints: ReplicationEndpoints
    let logger: Logger

    /// The handler.
    public init(store: SQLReplicationStore, endpoints: ReplicationEndpoints, logger: Logger) {
        self.store = store
        self.endpoints = endpoints
        self.logger = logger
    }

    public var kind: String { ReplicationJobKind.execution }

    struct Payload: Decodable {
        let execution_id: Int64?
        let policy_id: Int64?
    }

    public func run(_ job: JobRecord) async throws {
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8)) else { return }
        if let executionID = payload.execution_id {
            try await list(executionID)
        } else if let policyID = payload.policy_id {
            guard let policy = try await store.policy(id: policyID), policy.enabled, policy.triggerType == "scheduled" else { return }
            if policy.singleActive, try await store.hasActiveExecution(policyID: policyID) {
                logger.info("scheduled replication skipped: the previous run is still going", metadata: ["policy": "\(policy.name)"])
                return
            }
            _ = try await store.startExecution(policyID: policyID, trigger: "scheduled", origin: "job-\(job.id)", now: Clock.nowMilliseconds())
        }
    }

    /// Lists the execution's artifacts and adds its tasks.
    func list(_ executionID: Int64) async throws {
        guard let execution = try await store.execution(id: executionID), execution.status == "InProgress", !execution.listed else { return }
        guard let policy = try await store.policy(id: execution.policyID) else {
            try await store.failExecution(executionID, reason: "the policy is gone", now: Clock.nowMilliseconds())
            return
        }
        do {
            let filters = try ReplicationFilters(harbor: try JSONDecoder().decode([HarborFilter].self, from: Data(policy.filters.utf8)))
            let candidates = try await artifacts(of: policy, filters: filters)
            var tasks: [NewReplicationTask] = []
            var projects = Set<String>()
            for candidate in candidates {
                guard filters.selects(repository: candidate.repository),
                      filters.selects(tags: candidate.tags, isImage: candidate.isImage) else { continue }
                let tags = filters.selectedTags(candidate.tags)
                let destination = ReplicationPlan.destination(of: candidate.repository, policy: policy)
                if policy.destinationRegistryID == nil { projects.insert(destination) }
                tasks.append(ReplicationPlan.copyTask(candidate.repository, destination: destination, digest: candidate.digest, tags: tags))
            }
            for repository in projects { try await endpoints.prepareLocal(repository) }
            try await store.addTasks(executionID: executionID, tasks, now: Clock.nowMilliseconds())
            logger.info("replication listed", metadata: ["policy": "\(policy.name)", "execution": "\(executionID)", "tasks": "\(tasks.count)"])
        } catch {
            let reason = String(describing: error)
            logger.warning("replication listing failed", metadata: ["policy": "\(policy.name)", "reason": "\(reason)"])
            try await store.failExecution(executionID, reason: "listing the source failed: \(reason)", now: Clock.nowMilliseconds())
        }
    }

    /// An artifact at the source.
    struct Candidate {
        let repository: String
        let digest: String
        let tags: [String]
        let isImage: Bool
    }

    /// The source's artifacts: this registry's from its database, a remote one's from its catalog and tag lists
    /// (tagged artifacts only; a remote registry cannot list untagged ones).
    func artifacts(of policy: ReplicationPolicyRecord, filters: ReplicationFilters) async throws -> [Candidate] {
        guard let registryID = policy.sourceRegistryID else {
            return try await store.localArtifacts().map {
                Candidate(repository: $0.repository, digest: $0.digest, tags: $0.tags,
                          isImage: $0.artifactType == nil && (MediaType.imageManifestTypes.contains($0.mediaType) || MediaType.indexTypes.contains($0.mediaType)))
            }
        }
        let client = try await endpoints.remote(registryID, nil)
        defer { Task { await client.shutdown() } }
        var candidates: [Candidate] = []
        for repository in try await client.catalog() where filters.selects(repository: repository) {
            var byDigest: [String: (tags: [String], mediaType: String?)] = [:]
            var order: [String] = []
            for tag in try await client.tags(repository) where !filters.selectedTags([tag]).isEmpty {
                guard let head = try await client.manifestHead(repository, reference: tag), let digest = head.digest?.description else { continue }
                if byDigest[digest] == nil { order.append(digest) }
                byDigest[digest, default: ([], head.mediaType)].tags.append(tag)
            }
            for digest in order {
                let entry = byDigest[digest]!
                candidates.append(Candidate(repository: repository, digest: digest, tags: entry.tags,
                                            isImage: entry.mediaType.map { MediaType.imageManifestTypes.contains($0) || MediaType.indexTypes.contains($0) } ?? true))
            }
        }
        return candidates
    }
}

/// Names and task descriptions shared by listing and events.
enum ReplicationPlan {
    /// Where `repository` lands under `policy`; into this registry, a name without a project goes into `library`.
    static func destination(of repository: String, policy: ReplicationPolicyRecord) -> String {
        let name = DestinationName.of(repository, namespace: policy.destinationNamespace, replaceCount: policy.replaceCount)
        if policy.destinationRegistryID == nil, !name.contains("/") { return "library/" + name }
        return name
    }

    /// The task that copies `digest` with `tags`.
    static func copyTask(_ repository: String, destination: String, digest: String, tags: [String]) -> NewReplicationTask {
        let spec = ReplicationTaskSpec(sourceRepository: repository, destinationRepository: destination, digest: digest, tags: tags)
        return NewReplicationTask(operation: "copy", resourceType: "artifact",
                                  sourceResource: ReplicationTaskSpec.resource(repository, digest: digest, tags: tags),
                                  destinationResource: ReplicationTaskSpec.resource(destination, digest: digest, tags: tags), spec: spec.json)
    }

    /// The task that deletes `digest` at the destination.
    static func deletionTask(_ repository: String, destination: String, digest: String, tags: [String]) -> NewReplicationTask {
        let spec = ReplicationTaskSpec(sourceRepository: repository, destinationRepository: destination, digest: digest, tags: tags)
        return NewReplicationTask(operation: "deletion", resourceType: "artifact",
                                  sourceResource: ReplicationTaskSpec.resource(repository, digest: digest, tags: tags),
                                  destinationResource: ReplicationTaskSpec.resource(destination, digest: digest, tags: tags), spec: spec.json)
    }
}
