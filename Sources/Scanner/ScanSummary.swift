/// What a vulnerability scan found, counted: the totals a report summary and an artifact list show.
public struct ScanSummary: Codable, Sendable, Equatable {
    /// Findings in all.
    public var total: Int
    /// Findings with a known fixed version.
    public var fixable: Int
    /// Findings by severity name (`Critical`, `High`, …); severities with none are left out.
    public var bySeverity: [String: Int]
    /// The highest severity found (`None` when nothing was).
    public var severity: Severity

    /// The summary of `findings`.
    public init(_ findings: [Finding]) {
        total = findings.count
        fixable = findings.filter { $0.fixedVersion != nil }.count
        bySeverity = Dictionary(grouping: findings, by: { $0.severity.rawValue }).mapValues(\.count)
        severity = findings.map(\.severity).max() ?? .none
    }
}
