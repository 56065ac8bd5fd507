/// A tag retention policy as Harbor's API sends it (`RetentionPolicy`).
public struct RetentionPolicyRequest: Decodable, Sendable {
    /// One selector as sent.
    public typealias Selector = HarborSelectorRequest
    /// One rule as sent.
    public struct Rule: Decodable, Sendable {
        var priority: Int?
        var disabled: Bool?
        var action: String?
        var template: String?
        var params: [String: JSONValue]?
        var tagSelectors: [Selector]?
        var scopeSelectors: [String: [Selector]]?
    }
    /// The schedule as sent.
    public struct Trigger: Decodable, Sendable {
        var kind: String?
        var settings: [String: JSONValue]?
    }
    /// The project as sent.
    public struct Scope: Decodable, Sendable {
        var level: String?
        var ref: Int64?
    }
    var algorithm: String?
    var rules: [Rule]?
    var trigger: Trigger?
    var scope: Scope?
}

/// One rule as the portal edits it.
public struct RetentionRuleDraft: Sendable, Equatable {
    /// The template.
    public var template: String
    /// Its number (ignored for `always`).
    public var count: Int
    /// `repoMatches` or `repoExcludes`.
    public var repositoryDecoration: String
    /// Repository pattern.
    public var repositories: String
    /// `matches` or `excludes`.
    public var tagDecoration: String
    /// Tag pattern.
    public var tags: String
    /// Whether untagged artifacts count.
    public var untagged: Bool
    /// Whether the rule is off.
    public var disabled: Bool

    /// A rule.
    public init(template: String, count: Int, repositoryDecoration: String, repositories: String, tagDecoration: String, tags: String,
                untagged: Bool, disabled: Bool) {
        self.template = template
        self.count = count
        self.repositoryDecoration = repositoryDecoration
        self.repositories = repositories
        self.tagDecoration = tagDecoration
        self.tags = tags
        self.untagged = untagged
        self.disabled = disabled
    }

    /// The rule a policy view shows.
    public init(_ rule: RetentionPolicyView.Rule) {
        let tag = rule.tagSelectors.first, repository = rule.scopeSelectors["repository"]?.first
        self.init(template: rule.template, count: Int(rule.params[rule.template]?.integer ?? 0), repositoryDecoration: repository?.decoration ?? "repoMatches",
                  repositories: repository?.pattern ?? "**", tagDecoration: tag?.decoration ?? "matches", tags: tag?.pattern ?? "**",
                  untagged: tag?.extras.contains("true") ?? false, disabled: rule.disabled)
    }
}

extension RetentionPolicyRequest {
    /// A policy of project `projectID` with `rules` and a schedule (empty for none), as the portal sends it.
    public static func policy(projectID: Int64, rules: [RetentionRuleDraft], cron: String) -> RetentionPolicyRequest {
        RetentionPolicyRequest(
            algorithm: "or",
            rules: rules.map { rule in
                Rule(priority: 0, disabled: rule.disabled, action: "retain", template: rule.template,
                     params: rule.template == "always" ? [:] : [rule.template: .integer(Int64(rule.count))],
                     tagSelectors: [Selector(kind: "doublestar", decoration: rule.tagDecoration, pattern: rule.tags,
                                             extras: rule.untagged ? #"{"untagged":true}"# : #"{"untagged":false}"#)],
                     scopeSelectors: ["repository": [Selector(kind: "doublestar", decoration: rule.repositoryDecoration, pattern: rule.repositories,
                                                              extras: nil)]])
            },
            trigger: Trigger(kind: "Schedule", settings: ["cron": .string(cron)]), scope: Scope(level: "project", ref: projectID))
    }
}

/// `POST /retentions/{id}/executions`.
public struct RetentionRunRequest: Decodable, Sendable {
    var dryRun: Bool?

    /// A run, or a dry run.
    public init(dryRun: Bool) { self.dryRun = dryRun }
}

/// `PATCH /retentions/{id}/executions/{eid}`.
public struct RetentionExecutionAction: Decodable, Sendable {
    var action: String?

    /// An action (`stop`).
    public init(action: String) { self.action = action }
}

/// A tag retention policy as Harbor's API shows it.
public struct RetentionPolicyView: Codable, Sendable {
    /// One selector.
    public typealias Selector = HarborSelectorView
    /// One rule.
    public struct Rule: Codable, Sendable {
        /// Its position (1-based).
        public internal(set) var id: Int
        /// Harbor's priority.
        public internal(set) var priority: Int
        /// Whether it is off.
        public internal(set) var disabled: Bool
        /// Always `retain`.
        public internal(set) var action: String
        /// The template.
        public internal(set) var template: String
        /// `{template: number}` (empty for `always`).
        public internal(set) var params: [String: JSONValue]
        /// The tag selector.
        public internal(set) var tagSelectors: [Selector]
        /// `repository` → the repository selector.
        public internal(set) var scopeSelectors: [String: [Selector]]
    }
    /// The schedule.
    public struct Trigger: Codable, Sendable {
        /// Always `Schedule`.
        public internal(set) var kind: String
        /// `cron` (empty for none).
        public internal(set) var settings: [String: String]
        /// Unused.
        public internal(set) var references: [String: String]
    }
    /// The project.
    public struct Scope: Codable, Sendable {
        /// Always `project`.
        public internal(set) var level: String
        /// The project's id.
        public internal(set) var ref: Int64
    }
    /// The policy's id.
    public internal(set) var id: Int64
    /// Always `or`.
    public internal(set) var algorithm: String
    /// The rules.
    public internal(set) var rules: [Rule]
    /// The schedule.
    public internal(set) var trigger: Trigger
    /// The project.
    public internal(set) var scope: Scope
}

/// A run of a retention policy (Harbor's `RetentionExecution`).
public struct RetentionExecutionView: Codable, Sendable {
    /// The run's id.
    public internal(set) var id: Int64
    /// The policy's id.
    public internal(set) var policyId: Int64
    /// When it started.
    public internal(set) var startTime: String
    /// When it ended (empty while running).
    public internal(set) var endTime: String
    /// `Running`, `Succeed`, `Error` or `Stopped`.
    public internal(set) var status: String
    /// `MANUAL` or `SCHEDULE`.
    public internal(set) var trigger: String
    /// Whether it deleted nothing.
    public internal(set) var dryRun: Bool
}

/// What a run did in one repository (Harbor's `RetentionExecutionTask`).
public struct RetentionTaskView: Codable, Sendable {
    /// The task's id.
    public internal(set) var id: Int64
    /// The run's id.
    public internal(set) var executionId: Int64
    /// The repository (without its project, as Harbor shows it).
    public internal(set) var repository: String
    /// Unused (no separate job per task).
    public internal(set) var jobId: String
    /// `Running`, `Succeed`, `Error` or `Stopped`.
    public internal(set) var status: String
    /// 0.
    public internal(set) var statusCode: Int
    /// 0.
    public internal(set) var statusRevision: Int64
    /// When it started.
    public internal(set) var startTime: String
    /// When it ended.
    public internal(set) var endTime: String
    /// Artifacts considered.
    public internal(set) var total: Int
    /// Artifacts kept.
    public internal(set) var retained: Int
}

/// What retention rules can say (Harbor's `RetentionMetadata`).
public struct RetentionMetadataView: Codable, Sendable {
    /// A template.
    public struct Template: Codable, Sendable {
        /// Its name.
        public internal(set) var ruleTemplate: String
        /// What it does, in words.
        public internal(set) var displayText: String
        /// Always `retain`.
        public internal(set) var action: String
        /// Its number, if any.
        public internal(set) var params: [Param]
    }
    /// A template's number.
    public struct Param: Codable, Sendable {
        /// `int`.
        public internal(set) var type: String
        /// `count` or `days`.
        public internal(set) var unit: String
        /// Always true.
        public internal(set) var required: Bool
    }
    /// A selector kind.
    public struct SelectorKind: Codable, Sendable {
        /// Its name in words.
        public internal(set) var displayText: String
        /// `doublestar`.
        public internal(set) var kind: String
        /// The decorations it takes.
        public internal(set) var decorations: [String]
    }
    /// The templates.
    public internal(set) var templates: [Template]
    /// Repository selectors.
    public internal(set) var scopeSelectors: [SelectorKind]
    /// Tag selectors.
    public internal(set) var tagSelectors: [SelectorKind]
}
