/// What the webhooks tab, a policy's page and an execution's page are filled with.

/// One policy in the webhooks tab, with its enable/disable and delete forms for project admins.
struct WebhookRow: Sendable {
    let id: Int64
    let name: String
    let href: String
    let enabled: Bool
    let state: String
    let notifyType: String
    let address: String
    let events: String
    let lastTriggered: String
    let created: String
    let canUpdate: Bool
    let stateAction: String
    let canDelete: Bool
    let deleteAction: String
}

/// The new-policy and edit-policy form.
struct WebhookForm: Sendable {
    let action: String
    let isNew: Bool
    /// Whether the form edits the target (a policy with several targets keeps them; the API changes those).
    let editsTarget: Bool
    let targetCount: Int
    let name: String
    let description: String
    let address: String
    let authHeader: String
    let skipCertVerify: Bool
    let enabled: Bool
    let notifyTypes: [SelectOption]
    let payloadFormats: [SelectOption]
    let events: [AccessChoice]
}

/// A project's webhook policies.
struct WebhooksPage: Sendable {
    let frame: Frame
    let project: String
    let access: String
    let tabs: [ProjectTab]
    let problem: String?
    let form: WebhookForm?
    let rows: [WebhookRow]
    let hasRows: Bool
    let pager: Pager?
}

/// One execution of a policy: the event it was for and how its deliveries went.
struct WebhookExecutionRow: Sendable {
    let id: Int64
    let href: String
    let event: String
    let status: String
    let delivered: String
    let started: String
    let ended: String
}

/// A policy with its executions, newest first, and the edit form for project admins.
struct WebhookPolicyPage: Sendable {
    let frame: Frame
    let project: String
    let access: String
    let tabs: [ProjectTab]
    let name: String
    let description: String
    let state: String
    let notifyType: String
    let address: String
    let payloadFormat: String
    let events: String
    let creator: String
    let created: String
    let problem: String?
    let form: WebhookForm?
    let rows: [WebhookExecutionRow]
    let hasRows: Bool
    let live: Bool
    let pager: Pager?
}

/// One delivery of an execution: a receiver, how it answered and the log of every attempt.
struct WebhookTaskRow: Sendable {
    let id: Int64
    let address: String
    let status: String
    let attempts: Int
    let statusCode: String
    let message: String
    let log: String
    let started: String
    let ended: String
}

/// An execution's deliveries.
struct WebhookExecutionPage: Sendable {
    let frame: Frame
    let project: String
    let access: String
    let tabs: [ProjectTab]
    let policy: String
    let policyPath: String
    let execution: Int64
    let rows: [WebhookTaskRow]
    let hasRows: Bool
}
