/// One rule of a tag retention policy (Harbor's `RetentionRule`), as stored.
public struct RetentionRule: Codable, Sendable, Equatable {
    /// Position in the policy (Harbor's rule id).
    public var id: Int
    /// Harbor's priority (kept and shown).
    public var priority: Int
    /// A disabled rule retains nothing and selects no repository.
    public var disabled: Bool
    /// `latestPushedK`, `latestPulledN`, `nDaysSinceLastPush`, `nDaysSinceLastPull` or `always`.
    public var template: String
    /// The template's number (count or days; 0 for `always`).
    public var count: Int
    /// `repoMatches` or `repoExcludes`.
    public var repositoryDecoration: String
    /// Doublestar pattern over the repository name without its project.
    public var repositoryPattern: String
    /// `matches` or `excludes`.
    public var tagDecoration: String
    /// Doublestar pattern over tags.
    public var tagPattern: String
    /// Whether untagged artifacts are among what the rule considers.
    public var untagged: Bool

    /// Creates a rule.
    public init(id: Int, priority: Int, disabled: Bool, template: String, count: Int, repositoryDecoration: String, repositoryPattern: String,
                tagDecoration: String, tagPattern: String, untagged: Bool) {
        self.id = id
        self.priority = priority
        self.disabled = disabled
        self.template = template
        self.count = count
        self.repositoryDecoration = repositoryDecoration
        self.repositoryPattern = repositoryPattern
        self.tagDecoration = tagDecoration
        self.tagPattern = tagPattern
        self.untagged = untagged
    }
}

/// A project's tag retention policy: its rules (combined with OR) and its schedule.
public struct RetentionPolicyRecord: Sendable, Equatable {
    /// Database id (the API's policy id).
    public var id: Int64
    /// The project it belongs to (one policy per project).
    public var projectID: Int64
    /// The rules.
    public var rules: [RetentionRule]
    /// Cron expression of the schedule; empty for none.
    public var cron: String
    /// Milliseconds since 1970.
    public var createdAt: Int64
    /// Milliseconds since 1970.
    public var updatedAt: Int64

    /// Creates a record.
    public init(id: Int64 = 0, projectID: Int64, rules: [RetentionRule], cron: String, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.projectID = projectID
        self.rules = rules
        self.cron = cron
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One run of a retention policy.
public struct RetentionExecutionRecord: Sendable, Equatable {
    /// Database id.
    public var id: Int64
    /// The policy.
    public var policyID: Int64
    /// `MANUAL` or `SCHEDULE`.
    public var trigger: String
    /// A dry run deletes nothing.
    public var dryRun: Bool
    /// `Running`, `Succeed`, `Error` or `Stopped`.
    public var status: String
    /// Whether a stop was asked for.
    public var stopRequested: Bool
    /// Milliseconds since 1970.
    public var startedAt: Int64
    /// Milliseconds since 1970, once ended.
    public var endedAt: Int64?
}

/// What a run did in one repository.
public struct RetentionTaskRecord: Sendable, Equatable {
    /// Database id.
    public var id: Int64
    /// The run.
    public var executionID: Int64
    /// The repository's full name.
    public var repository: String
    /// `Running`, `Succeed`, `Error` or `Stopped`.
    public var status: String
    /// Artifacts considered.
    public var total: Int
    /// Artifacts kept.
    public var retained: Int
    /// What was kept and deleted, and why.
    public var log: String
    /// Milliseconds since 1970.
    public var startedAt: Int64
    /// Milliseconds since 1970, once ended.
    public var endedAt: Int64?
}

/// An artifact a retention run decides about: a manifest of the repository that no index of it references and that
/// is no other artifact's signature or attachment (those go with their subject).
public struct RetentionCandidate: Sendable, Equatable {
    /// The manifest's digest.
    public var digest: String
    /// When it was pushed (milliseconds since 1970).
    public var pushedAt: Int64
    /// When it was last pulled, if ever.
    public var pulledAt: Int64?
    /// Its tags.
    public var tags: [String]

    /// Creates a candidate.
    public init(digest: String, pushedAt: Int64, pulledAt: Int64?, tags: [String]) {
        self.digest = digest
        self.pushedAt = pushedAt
        self.pulledAt = pulledAt
        self.tags = tags
    }
}
