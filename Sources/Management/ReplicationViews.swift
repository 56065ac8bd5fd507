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
    /// Its nested shape, as Harbor sends it.
    public struct Trigger: Encodable, Sendable {
        /// The trigger's settings (the cron of a scheduled one).
        public struct Settings: Encodable, Sendable {
            /// The six-field cron expression; empty when not scheduled.
            public var cron: String
        }
        /// A field of the nested shape.
        public var type: String
        /// A field of the nested shape.
        public var triggerSettings: Settings
        enum CodingKeys: String, CodingKey { case type, triggerSettings = "trigger_settings" }
    }
    /// Its id.
    public let id: Int64
    /// Its name.
    public let name: String
    /// Harbor's `description`.
    public let description: String
    /// Harbor's `src_registry`.
    public let srcRegistry: RemoteRegistryView
    /// Harbor's `dest_registry`.
    public let destRegistry: RemoteRegistryView
    /// Harbor's `dest_namespace`.
    public let destNamespace: String
    /// Harbor's `dest_namespace_replace_count`.
    public let destNamespaceReplaceCount: Int
    /// Harbor's `trigger`.
    public let trigger: Trigger
    /// Harbor's `filters`.
    public let filters: [HarborFilter]
    /// Harbor's `replicate_deletion`.
    public let replicateDeletion: Bool
    /// Harbor's `deletion`.
    public let deletion: Bool
    /// Harbor's `override`.
    public let override: Bool
    /// Harbor's `enabled`.
    public let enabled: Bool
    /// Harbor's `creation_time`.
    public let creationTime: String
    /// Harbor's `update_time`.
    public let updateTime: String
    /// Harbor's `speed`.
    public let speed: Int
    /// Harbor's `copy_by_chunk`.
    public let copyByChunk: Bool
    /// Harbor's `single_active_replication`.
    public let singleActiveReplication: Bool

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
    /// Harbor's `policy_id`.
    public let policyID: Int64
    /// `InProgress`, `Succeed`, `Failed` or `Stopped`.
    public let status: String
    /// Harbor's `trigger`.
    public let trigger: String
    /// Harbor's `start_time`.
    public let startTime: String
    /// Harbor's `end_time`.
    public let endTime: String
    /// Harbor's `status_text`.
    public let statusText: String
    /// Harbor's `total`.
    public let total: Int
    /// Harbor's `failed`.
    public let failed: Int
    /// Harbor's `succeed`.
    public let succeed: Int
    /// Harbor's `in_progress`.
    public let inProgress: Int
    /// Harbor's `stopped`.
    public let stopped: Int
    /// Harbor's `bytes_total`.
    public let bytesTotal: Int64
    /// Harbor's `bytes_done`.
    public let bytesDone: Int64

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
    /// Harbor's `id`.
    public let id: Int64
    /// Harbor's `execution_id`.
    public let executionID: Int64
    /// Harbor's `status`.
    public let status: String
    /// Harbor's `job_id`.
    public let jobID: String
    /// Harbor's `operation`.
    public let operation: String
    /// Harbor's `resource_type`.
    public let resourceType: String
    /// Harbor's `src_resource`.
    public let srcResource: String
    /// Harbor's `dst_resource`.
    public let dstResource: String
    /// Harbor's `start_time`.
    public let startTime: String
    /// Harbor's `end_time`.
    public let endTime: String
    /// Harbor's `bytes_total`.
    public let bytesTotal: Int64
    /// Harbor's `bytes_done`.
    public let bytesDone: Int64

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
