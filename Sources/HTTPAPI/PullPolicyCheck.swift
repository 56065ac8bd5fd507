import Auth
import Metadata
import NIOConcurrencyHelpers
import OCI
import Scanning

/// Applies project pull policies to manifest GETs: Harbor's "prevent vulnerable images from running"
/// (`VulnerabilityPolicy` decides). Who can change the policy (project and system administrators) is not held by
/// it, as in Harbor. A project's settings are cached for a second, so the check costs a database read per project
/// and second, not per pull, and a change reaches every instance within a second.
public final class PullPolicyCheck: Sendable {
    let projects: SQLAccessStore
    let reports: SQLVulnerabilityStore
    let policy: AccessPolicy
    private let cache = NIOLockedValueBox<[String: Entry]>([:])
    static let lifetime: Duration = .seconds(1)

    private struct Entry {
        let project: ProjectRecord?
        let settings: VulnerabilityPolicy.Settings?
        let fetched: ContinuousClock.Instant
    }

    /// A check over the projects, the scan reports and the access policy.
    public init(projects: SQLAccessStore, reports: SQLVulnerabilityStore, policy: AccessPolicy) {
        self.projects = projects
        self.reports = reports
        self.policy = policy
    }

    /// Throws `PROJECTPOLICYVIOLATION` (412) when the project's policy refuses `digest` of `repository` to this caller.
    func check(_ repository: RepositoryName, _ digest: Digest, _ grant: RegistryGrant) async throws {
        let entry = try await settings(for: RepositoryRecord.projectName(of: repository.value))
        guard let settings = entry.settings, let project = entry.project else { return }
        if case .unrestricted = grant.resolved { return }
        if try await policy.allows(try await grant.principal(), Permission(.metadata, .update), in: project) { return }
        // The decision depends on the settings and the report; the report's findings are read and decoded only when
        // either changed, not on every pull.
        let state = try await reports.reportState(digest: digest.description, mimeType: ScanReportTypes.vulnerability)
        let key = Decision(settings: settings, report: state.map { "\($0.uuid) \($0.status) \($0.endedAt ?? 0)" } ?? "")
        let refusal: String?
        if let cached = decisions.withLockedValue({ $0[key] }) {
            refusal = cached
        } else {
            let report = state == nil ? nil
                : try await reports.reports(digests: [digest.description], mimeType: ScanReportTypes.vulnerability)[digest.description]
            refusal = VulnerabilityPolicy.refusal(settings, report: report)
            decisions.withLockedValue { decisions in
                if decisions.count > 10_000 { decisions.removeAll() }
                decisions[key] = .some(refusal)
            }
        }
        if let refusal { throw DistributionError(.projectPolicyViolation, refusal) }
    }

    /// What a decision was made on.
    private struct Decision: Hashable {
        let settings: VulnerabilityPolicy.Settings
        let report: String
    }

    private let decisions = NIOLockedValueBox<[Decision: String?]>([:])

    private func settings(for projectName: String) async throws -> Entry {
        let now = ContinuousClock.now
        if let cached = cache.withLockedValue({ $0[projectName] }), now - cached.fetched < Self.lifetime { return cached }
        let project = try await projects.project(named: projectName)
        var settings: VulnerabilityPolicy.Settings?
        if let project, project.metadata["prevent_vul"] == "true" {
            let system = project.metadata["reuse_sys_cve_allowlist"] == "true" ? try await VulnerabilityPolicy.systemAllowlist(in: projects) : nil
            settings = VulnerabilityPolicy.settings(metadata: project.metadata, projectAllowlist: project.cveAllowlist, systemAllowlist: system,
                                                    nowSeconds: Clock.nowMilliseconds() / 1000)
        }
        let entry = Entry(project: project, settings: settings, fetched: now)
        cache.withLockedValue { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[projectName] = entry
        }
        return entry
    }
}
