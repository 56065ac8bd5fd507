/// What the Registries and Replications administration pages are filled with.

/// One remote registry in the Registries list.
struct RegistryRow: Sendable {
    let id: Int64
    let name: String
    let url: String
    let type: String
    let status: String
    let healthy: Bool
    let verifies: String
    let accessKey: String
    let description: String
    let created: String
    let deleteAction: String
}

/// The new-registry form, filled again when it was refused or tested.
struct RegistryForm: Sendable {
    let name: String
    let url: String
    let accessKey: String
    let insecure: Bool
    let description: String
    let types: [SelectOption]
}

/// Administration → Registries.
struct RegistriesPage: Sendable {
    let frame: Frame
    let tabs: [ProjectTab]
    let problem: String?
    /// The answer of "Test connection", when it was pressed.
    let tested: String?
    let testedOK: Bool
    let formOpen: Bool
    let form: RegistryForm
    let rows: [RegistryRow]
    let hasRows: Bool
}

/// One replication rule in the Replications list.
struct ReplicationRuleRow: Sendable {
    let id: Int64
    let name: String
    let mode: String
    let remote: String
    let source: String
    let destination: String
    let trigger: String
    let state: String
    let enabled: Bool
    let startAction: String
    let deleteAction: String
}

/// One execution, with its progress as bars of tasks and bytes.
struct ReplicationExecutionRow: Sendable {
    let id: Int64
    let href: String
    let rule: String
    let status: String
    let trigger: String
    let tasksDone: Int
    let tasksTotal: Int
    let tasksText: String
    let bytesDone: Int64
    let bytesTotal: Int64
    let bytesText: String
    let started: String
    let ended: String
}

/// The new-rule form.
struct ReplicationRuleForm: Sendable {
    let name: String
    let description: String
    let modes: [SelectOption]
    let registries: [SelectOption]
    let hasRegistries: Bool
    let namePattern: String
    let tagPattern: String
    let tagDecorations: [SelectOption]
    let resources: [SelectOption]
    let destinationNamespace: String
    let flattening: [SelectOption]
    let triggers: [SelectOption]
    let cron: String
    let override: Bool
    let deletion: Bool
    let copyByChunk: Bool
    let speed: String
    let enabled: Bool
}

/// Administration → Replications: rules, the new-rule form and recent executions.
struct ReplicationsPage: Sendable {
    let frame: Frame
    let tabs: [ProjectTab]
    let problem: String?
    let formOpen: Bool
    let form: ReplicationRuleForm
    let rules: [ReplicationRuleRow]
    let hasRules: Bool
    let executions: [ReplicationExecutionRow]
    let hasExecutions: Bool
    let live: Bool
}

/// One task (one artifact copied or deleted) of an execution, with its log.
struct ReplicationTaskRow: Sendable {
    let id: Int64
    let operation: String
    let resourceType: String
    let source: String
    let destination: String
    let status: String
    let bytesDone: Int64
    let bytesTotal: Int64
    let bytesText: String
    let started: String
    let ended: String
    let log: String
}

/// One execution: its progress, its tasks and their logs.
struct ReplicationExecutionPage: Sendable {
    let frame: Frame
    let tabs: [ProjectTab]
    let problem: String?
    let execution: ReplicationExecutionRow
    let statusText: String
    let canStop: Bool
    let stopAction: String
    let tasks: [ReplicationTaskRow]
    let hasTasks: Bool
    let live: Bool
    let pager: Pager?
}
