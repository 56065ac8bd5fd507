import Logging
import Metadata
import OCI

/// Carries out one retention run: for each repository of the project a rule applies to, records a task, decides with
/// `RetentionEvaluator` what stays (artifacts with an immutable tag always stay), and deletes the rest through the
/// one write path — or, in a dry run, only says what it would delete. A stop asked for ends the run between
/// artifacts. Deleted artifacts' blobs are freed by the next garbage collection.
public struct RetentionRunner: Sendable {
    let store: SQLRetentionStore
    let manifests: ManifestService
    let logger: Logger

    /// Creates the runner.
    public init(store: SQLRetentionStore, manifests: ManifestService, logger: Logger) {
        self.store = store
        self.manifests = manifests
        self.logger = logger
    }

    /// The operator retention's deletions are recorded as.
    static let change = ChangeContext(operatorName: "retention", clientIP: "")

    /// Runs `execution` of `policy` in the project called `project`.
    public func run(_ execution: RetentionExecutionRecord, policy: RetentionPolicyRecord, project: String) async throws {
        logger.info("retention run started", metadata: ["execution": "\(execution.id)", "project": "\(project)", "dry_run": "\(execution.dryRun)"])
        var status = "Succeed"
        do {
            repositories: for repository in try await store.repositories(project: project) {
                let name = String(repository.name.dropFirst(project.count + 1))
                guard RetentionEvaluator.selects(name, rules: policy.rules) else { continue }
                let outcome = try await runTask(execution, policy: policy, repositoryID: repository.id, name: repository.name, shortName: name)
                if outcome == "Stopped" { status = "Stopped"; break repositories }
                if outcome == "Error" { status = "Error" }
            }
        } catch {
            logger.error("retention run failed", metadata: ["execution": "\(execution.id)", "error": "\(error)"])
            status = "Error"
        }
        try await store.finishExecution(id: execution.id, status: status, now: Clock.nowMilliseconds())
        logger.info("retention run ended", metadata: ["execution": "\(execution.id)", "status": "\(status)"])
    }

    /// One repository's task; returns its status.
    func runTask(_ execution: RetentionExecutionRecord, policy: RetentionPolicyRecord, repositoryID: Int64, name: String,
                 shortName: String) async throws -> String {
        let taskID = try await store.startTask(executionID: execution.id, repository: name, now: Clock.nowMilliseconds())
        var log: [String] = []
        var status = "Succeed"
        var total = 0, retainedCount = 0
        do {
            let candidates = try await store.candidates(repositoryID: repositoryID)
            total = candidates.count
            let repository = try RepositoryName(name)
            let immutable = try await manifests.immutableTags(in: repository).guarding(name)
            let kept = RetentionEvaluator.retained(candidates, repository: shortName, rules: policy.rules, now: Clock.nowMilliseconds()) ?? [:]
            let verb = execution.dryRun ? "would delete" : "deleted"
            for candidate in candidates {
                let tags = candidate.tags.isEmpty ? "untagged" : "tags " + candidate.tags.joined(separator: ", ")
                if let rules = kept[candidate.digest] {
                    retainedCount += 1
                    log.append("retained \(candidate.digest) (\(tags)) by rule \(rules.map(String.init).joined(separator: ", "))")
                    continue
                }
                if let tag = candidate.tags.first(where: immutable.isImmutable) {
                    retainedCount += 1
                    log.append("retained \(candidate.digest) (\(tags)): tag \(tag) is immutable")
                    continue
                }
                if try await store.stopRequested(executionID: execution.id) {
                    status = "Stopped"
                    log.append("stopped before deciding about the rest")
                    break
                }
                guard !execution.dryRun else { log.append("\(verb) \(candidate.digest) (\(tags))"); continue }
                do {
                    try await manifests.delete(.digest(try Digest(parsing: candidate.digest)), in: repository, by: Self.change)
                    log.append("\(verb) \(candidate.digest) (\(tags))")
                } catch let error as DistributionError where error.code == .manifestUnknown || error.code == .nameUnknown {
                    log.append("\(candidate.digest) was already gone")
                } catch let error as DistributionError {
                    // Kept after all (an immutable tag pushed meanwhile, deletion switched off): the run goes on.
                    retainedCount += 1
                    status = "Error"
                    log.append("could not delete \(candidate.digest) (\(tags)): \(error.message)")
                }
            }
        } catch {
            status = "Error"
            log.append("failed: \(error)")
        }
        log.append("\(total) artifacts, \(retainedCount) retained")
        try await store.finishTask(id: taskID, status: status, total: total, retained: retainedCount, log: log.joined(separator: "\n") + "\n",
                                   now: Clock.nowMilliseconds())
        return status
    }
}
