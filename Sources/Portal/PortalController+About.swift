import Foundation
import HTTPAPI
import Hummingbird
import Management

/// The About page: Berth's version and the system facts `/api/v2.0/systeminfo` gives the visitor (signed-in users see
/// the registry address, storage and project-creation rule too), with the CA download when Berth hands one out.
extension PortalController {
    @Sendable func aboutPage(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        let fingerprint = caFingerprint()
        let info = system.info(caller(visitor, request, context), baseURL: serverURL.base(request), hasCARoot: fingerprint != nil)
        var facts = [SettingRow(name: "Version", value: version),
                     SettingRow(name: "Authentication", value: info.authMode == "ldap_auth" ? "LDAP" : "Local users")]
        if let registry = info.registryUrl { facts.append(SettingRow(name: "Registry address", value: registry)) }
        if let external = info.externalUrl { facts.append(SettingRow(name: "Server URL", value: external)) }
        if let storage = info.registryStorageProviderName { facts.append(SettingRow(name: "Storage", value: storage)) }
        if let creation = info.projectCreationRestriction {
            facts.append(SettingRow(name: "Who may create projects", value: creation == "adminonly" ? "System administrators" : "Every signed-in user"))
        }
        facts.append(SettingRow(name: "Server time", value: PortalFormat.shownTime(info.currentTime) + " UTC"))
        let page = AboutPage(frame: frame(visitor), facts: facts, hasCA: fingerprint != nil, fingerprint: fingerprint ?? "",
                             trustCommand: fingerprint.map { "berth trust \(serverURL.base(request)) --fingerprint \($0)" } ?? "")
        return finish(renderer.page("about", page), visitor, request)
    }
}

/// The About page.
struct AboutPage: Sendable {
    let frame: Frame
    let facts: [SettingRow]
    let hasCA: Bool
    let fingerprint: String
    let trustCommand: String
}
