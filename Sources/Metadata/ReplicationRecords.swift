import Foundation

/// A replication policy (Harbor's replication rule). Exactly one side is a remote registry: a push-based policy has
/// no source registry (this one), a pull-based policy no destination registry.
public struct ReplicationPolicyRecord: Sendable, Equatable {
    /// Its id.
    public var id: Int64
    /// Its unique name.
    public var name: String
    /// What it is for.
    public var description: String
    /// The remote registry copied from (pull-based), nil for this registry.
    public var sourceRegistryID: Int64?
    /// The remote registry copied to (push-based), nil for this registry.
    public var destinationRegistryID: Int64?
    /// The destination namespace (empty keeps the source's names).
    public var destinationNamespace: String
    /// How many leading path components the namespace replaces (-1 all but the last).
    public var replaceCount: Int
    /// `manual`, `scheduled` or `event_based`.
    public var triggerType: String
    /// The cron expression of a scheduled policy.
    public var cron: String
    /// Harbor's filter array as JSON.
    public var filters: String
    /// Whether deletions are replicated (event-based push policies).
    public var replicateDeletion: Bool
    /// Whether artifacts already at the destination under the same tag are replaced.
    public var override: Bool
    /// Whether it runs.
    public var enabled: Bool
    /// The bandwidth limit per task in KB/s (0 or less: none).
    public var speedKBps: Int
    /// Whether blobs are sent in chunks.
    public var copyByChunk: Bool
    /// Whether a run is skipped while another of the policy is still going.
    public var singleActive: Bool
    /// Creation time, ms since 1970.
    public var createdAt: Int64
    /// Last change, ms since 1970.
    public var updatedAt: Int64

    /// A record.
    public init(id: Int64 = 0, name: String, description: String, sourceRegistryID: Int64?, destinationRegistryID: Int64?,
                destinationNamespace: String, replaceCount: Int, triggerType: String, cron: String, filters: String, replicateDeletion: Bool,
                override: Bool, enabled: Bool, speedKBps: Int, copyByChunk: Bool, singleActive: Bool, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.name = name
        self.description = description
        self.sourceRegistryID = sourceRegistryID
        self.destinationRegistryID = destinationRegistryID
        self.destinationNamespace = destinationNamespace
        self.replaceCount = replaceCount
        self.triggerType = triggerType
        self.cron = cron
        self.filters = filters
        self.replicateDeletion = replicateDeletion
        self.override = override
        self.enabled = enabled
        self.speedKBps = speedKBps
        self.copyByChunk = copyByChunk
        self.singleActive = singleActive
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The name of the job schedule of a scheduled policy.
    public var scheduleName: String { Self.scheduleName(id) }

    /// The schedule name for policy `id`.
    public static func scheduleName(_ id: Int64) -> String { "replication-policy-\(id)" }
}

/// Task counts and bytes of an execution, from its tasks.
public struct ReplicationProgress: Sendable, Equatable {
    /// Every task.
    public var total = 0
    /// Tasks that succeeded.
    public var succeeded = 0
    /// Tasks that failed.
    public var failed = 0
    /// Tasks waiting or running.
    public var inProgress = 0
    /// Tasks stopped.
    public var stopped = 0
    /// Bytes to move, as far as known.
    public var bytesTotal: Int64 = 0
    /// Bytes moved so far.
    public var bytesDone: Int64 = 0

    /// No tasks.
    public init() {}
}

/// One run of a policy.
public struct ReplicationExecutionRecord: Sendable, Equatable {
    /// Its id.
    public var id: Int64
    /// The policy.
    public var policyID: Int64
    /// `manual`, `scheduled` or `event_based`.
    public var trigger: String
    /// `InProgress`, `Succeed`, `Failed` or `Stopped` (Harbor's words).
    public var status: String
    /// Why it failed, when it did before its tasks.
    public var statusText: String
    /// Whether every task is known.
    public var listed: Bool
    /// Whether someone asked it to stop.
    public var stopRequested: Bool
    /// Start, ms since 1970.
    public var startTime: Int64
    /// End, ms since 1970.
    public var endTime: Int64?
    /// Its tasks' counts and bytes.
    public var progress: ReplicationProgress

    /// A record.
    public init(id: Int64, policyID: Int64, trigger: String, status: String, statusText: String, listed: Bool, stopRequested: Bool,
                startTime: Int64, endTime: Int64?, progress: ReplicationProgress) {
        self.id = id
        self.policyID = policyID
        self.trigger = trigger
        self.status = status
        self.statusText = statusText
        self.listed = listed
        self.stopRequested = stopRequested
        self.startTime = startTime
        self.endTime = endTime
        self.progress = progress
    }
}

/// A task to add to an execution.
public struct NewReplicationTask: Sendable, Equatable {
    /// `copy` or `deletion`.
    public var operation: String
    /// `image` or `artifact`.
    public var resourceType: String
    /// The source as people read it (`library/app:[v1,v2]`).
    public var sourceResource: String
    /// The destination as people read it.
    public var destinationResource: String
    /// What to do, as the engine's JSON.
    public var spec: String

    /// A task.
    public init(operation: String, resourceType: String, sourceResource: String, destinationResource: String, spec: String) {
        self.operation = operation
        self.resourceType = resourceType
        self.sourceResource = sourceResource
        self.destinationResource = destinationResource
        self.spec = spec
    }
}

/// One artifact copy (or deletion) of an execution.
public struct ReplicationTaskRecord: Sendable, Equatable {
    /// Its id.
    public var id: Int64
    /// The execution.
    public var executionID: Int64
    /// `Pending`, `InProgress`, `Succeed`, `Failed` or `Stopped`.
    public var status: String
    /// The queue job that runs it.
    public var jobID: Int64?
    /// What it is.
    public var task: NewReplicationTask
    /// Bytes to move, as far as known.
    public var bytesTotal: Int64
    /// Bytes moved.
    public var bytesDone: Int64
    /// The engine's resume state (JSON).
    public var resume: String
    /// Its log.
    public var log: String
    /// Start, ms since 1970.
    public var startTime: Int64?
    /// End, ms since 1970.
    public var endTime: Int64?

    /// A record.
    public init(id: Int64, executionID: Int64, status: String, jobID: Int64?, task: NewReplicationTask, bytesTotal: Int64, bytesDone: Int64,
                resume: String, log: String, startTime: Int64?, endTime: Int64?) {
        self.id = id
        self.executionID = executionID
        self.status = status
        self.jobID = jobID
        self.task = task
        self.bytesTotal = bytesTotal
        self.bytesDone = bytesDone
        self.resume = resume
        self.log = log
        self.startTime = startTime
        self.endTime = endTime
    }

    /// Whether it has ended.
    public var isFinished: Bool { ["Succeed", "Failed", "Stopped"].contains(status) }
}
