import Auth
import Foundation
import Metadata
import Scanning

/// Harbor's system CVE allowlist (`/system/CVEAllowlist`): the CVEs every project that sets
/// `reuse_sys_cve_allowlist` exempts from "prevent vulnerable images". Anyone signed in reads it; system
/// administrators change it.
public struct SystemAllowlistService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// The list as Harbor shows it.
    public func get(_ caller: Caller) async throws -> CVEAllowlistView {
        try env.requireAuthenticated(caller)
        let list = try await VulnerabilityPolicy.systemAllowlist(in: env.access)
        let updated = APITime.string(list?.updatedAt ?? 0)
        return CVEAllowlistView(id: 1, projectId: 0, items: (list?.items ?? []).map { .init(cveId: $0) }, expiresAt: list?.expiresAt,
                                creationTime: updated, updateTime: updated)
    }

    /// Replaces the list (system administrators); items are checked as a project's are.
    public func put(_ request: ProjectRequest.Allowlist, _ caller: Caller) async throws {
        try env.requireSystem(Permission(.configuration, .update), caller)
        guard let list = try ProjectService.checkedAllowlist(request, now: Clock.nowMilliseconds()) else { return }
        try await env.access.putSetting(VulnerabilityPolicy.systemAllowlistSetting, value: String(decoding: try JSONEncoder().encode(list), as: UTF8.self),
                                        now: list.updatedAt)
        await env.recordChange(caller, "update", "system_cve_allowlist", "\(list.items.count) CVEs")
    }
}
