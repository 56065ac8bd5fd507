import Foundation
import Metadata
import Replication

/// Harbor's `ReplicationPolicy` as a request (create and update; keys arrive snake_case and are converted by the
/// API's decoder). A registry given with id 0 (or none) is this one.
public struct ReplicationPolicyRequest: Decodable, Sendable {
    struct RegistryReference: Decodable, Sendable { var id: Int64? }
    struct Trigger: Decodable, Sendable {
        struct Settings: Decodable, Sendable { var cron: String? }
        var type: String?
        var triggerSettings: Settings?
    }
    var name: String?
    var description: String?
    var srcRegistry: RegistryReference?
    var destRegistry: RegistryReference?
    var destNamespace: String?
    var destNamespaceReplaceCount: Int?
    var trigger: Trigger?
    var filters: [HarborFilter]?
    var replicateDeletion: Bool?
    var deletion: Bool?
    var override: Bool?
    var enabled: Bool?
    var speed: Int?
    var copyByChunk: Bool?
    var singleActiveReplication: Bool?
}

/// Harbor's `ReplicationPolicy`.
public struct ReplicationPolicyView: Encodable, Sendable {
    struct Trigger: Encodable, Sendable {
        struct Settings: Encodable, Sendable { var cron: String }
        var type: String
        var triggerSettings: Settings
        enum CodingKeys: String, CodingKey { case type, triggerSettings = "trigger_settings" }
    }
    /// Its id.
    public let id: Int64
    /// Its name.
    public let name: String
    let description: String
    let srcRegistry: RemoteRegistryView
    let destRegistry: RemoteRegistryView
    let destNamespace: String
    let destNamespaceReplaceCount: Int
    let trigger: Trigger
    let filters: [HarborFilter]
    let replicateDeletion: Bool
    let deletion: Bool
    let override: Bool
    let enabled: Bool
    let creationTime: String
    let updateTime: String
    let speed: Int
    let copyByChunk: Bool
    let singleActiveReplication: Bool

    enum CodingKeys: String, CodingKey {
        case id, name, description, srcRegistry = "src_registry", destRegistry = "dest_registry", destNamespace = "dest_namespace",
             destNamespaceReplaceCount = "dest_namespace_replace_count", trigger, filters, replicateDeletion = "replicate_deletion", deletion,
             override, enabled, creationTime = "creation_time", updateTime = "update_time", speed, copyByChunk = "copy_by_chunk",
             singleActiveReplication = "single_active_replication"
    }
}

/// Harbor's `ReplicationExecution`, with the bytes moved so far.
public struct ReplicationExecutionView: Encodable, Sendable {
    /// Its id.
    public let id: Int64
    let policyID: Int64
    /// `InProgress`, `Succeed`, `Failed` or `Stopped`.
    public let status: String
    let trigger: String
    let startTime: String
    let endTime: String
    let statusText: String
    let total: Int
    let failed: Int
    let succeed: Int
    let inProgress: Int
    let stopped: Int
    let bytesTotal: Int64
    let bytesDone: Int64

    enum CodingKeys: String, CodingKey {
        case id, policyID = "policy_id", status, trigger, startTime = "start_time", endTime = "end_time", statusText = "status_text", total, failed,
             succeed, inProgress = "in_progress", stopped, bytesTotal = "bytes_total", bytesDone = "bytes_done"
    }

    init(_ record: ReplicationExecutionRecord) {
        id = record.id
        policyID = record.policyID
        status = record.status
        trigger = record.trigger
        startTime = APITime.string(record.startTime)
        endTime = APITime.optional(record.endTime)
        statusText = record.statusText
        total = record.progress.total
        failed = record.progress.failed
        succeed = record.progress.succeeded
        inProgress = record.progress.inProgress
        stopped = record.progress.stopped
        bytesTotal = record.progress.bytesTotal
        bytesDone = record.progress.bytesDone
    }
}

/// Harbor's `ReplicationTask`, with its bytes.
public struct ReplicationTaskView: Encodable, Sendable {
    let id: Int64
    let executionID: Int64
    let status: String
    let jobID: String
    let operation: String
    let resourceType: String
    let srcResource: String
    let dstResource: String
    let startTime: String
    let endTime: String
    let bytesTotal: Int64
    let bytesDone: Int64

    enum CodingKeys: String, CodingKey {
        case id, executionID = "execution_id", status, jobID = "job_id", operation, resourceType = "resource_type", srcResource = "src_resource",
             dstResource = "dst_resource", startTime = "start_time", endTime = "end_time", bytesTotal = "bytes_total", bytesDone = "bytes_done"
    }

    init(_ record: ReplicationTaskRecord) {
        id = record.id
        executionID = record.executionID
        status = record.status
        jobID = record.jobID.map(String.init) ?? ""
        operation = record.task.operation
        resourceType = record.task.resourceType
        srcResource = record.task.sourceResource
        dstResource = record.task.destinationResource
        startTime = APITime.optional(record.startTime)
        endTime = APITime.optional(record.endTime)
        bytesTotal = record.bytesTotal
        bytesDone = record.bytesDone
    }
}

/// Harbor's `StartReplicationExecution`.
public struct StartReplicationRequest: Decodable, Sendable {
    var policyId: Int64?
}
