import Foundation
import Events
import Metadata
import SQLKit

/// Turns events into webhook deliveries. For each event of a type a project's enabled policies subscribe to, it
/// records an execution with one task per target (the rendered request body included) and queues delivery jobs for
/// the new tasks in batches, all in the dispatcher's transaction: an event handed over twice (after a crash) finds
/// its execution already recorded and queues nothing more.
public struct WebhookSubscriber: EventSubscriber {
    /// The registry's host as clients pull from it (`resource_url` in payloads).
    let registryHost: @Sendable () -> String

    /// Creates the subscriber.
    public init(registryHost: @escaping @Sendable () -> String) {
        self.registryHost = registryHost
    }

    public var name: String { "webhooks" }

    public func handle(_ events: [DomainEvent], on db: any SQLDatabase) async throws {
        let webhookTypes = Set(EventType.webhookTypes)
        let relevant = events.filter { $0.event.projectID != nil && webhookTypes.contains($0.event.type) }
        guard !relevant.isEmpty else { return }
        let projectIDs = Array(Set(relevant.compactMap(\.event.projectID)))
        let policies = try await SQLWebhookStore.enabledPolicies(projectIDs: projectIDs, on: db)
        guard !policies.isEmpty else { return }
        let projects = try await SQLWebhookStore.projectFacts(ids: projectIDs, on: db)
        let created = try await SQLWebhookStore.repositoryCreationTimes(names: Array(Set(relevant.map(\.event.repository))), on: db)
        let now = Clock.nowMilliseconds()
        let registryHost = self.registryHost()
        var executions: [SQLWebhookStore.NewExecution] = []
        for stored in relevant {
            guard let projectID = stored.event.projectID, let project = projects[projectID] else { continue }
            let context = WebhookContext(projectID: projectID, projectName: project.name, projectIsPublic: project.isPublic,
                                         repositoryCreatedAt: created[stored.event.repository], registryHost: registryHost)
            // A policy hears of what happened after it was created, not of changes still waiting in the outbox then.
            for policy in policies where policy.projectID == projectID && policy.createdAt <= stored.event.occurredAt
                && policy.eventTypes.contains(stored.event.type.rawValue) {
                let tasks = policy.targets.map { ($0, WebhookPayload.render(stored, policyID: policy.id, target: $0, context: context)) }
                executions.append(.init(policyID: policy.id, eventID: stored.eventID, eventType: stored.event.type.rawValue, tasks: tasks))
            }
        }
        guard !executions.isEmpty else { return }
        let taskIDs = try await SQLWebhookStore.createExecutions(executions, now: now, on: db)
        // One delivery job per batch of tasks: a job's claim and completion are shared by many notifications.
        let batches = stride(from: 0, to: taskIDs.count, by: WebhookDeliveryJob.batchSize).map {
            SQLWebhookStore.taskList(Array(taskIDs[$0 ..< min($0 + WebhookDeliveryJob.batchSize, taskIDs.count)]))
        }
        try await SQLJobStore.enqueue(kind: WebhookDeliveryJob.kind, payloads: batches, runAt: now, maxAttempts: WebhookDeliveryJob.jobAttempts, now: now, on: db)
    }
}
