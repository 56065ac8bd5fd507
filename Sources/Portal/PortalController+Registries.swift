import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// Administration → Registries: the remote registries replication and proxy-cache projects use, each with its health;
/// adding one (after testing the connection, if the visitor likes) and deleting one. The service refuses everyone but
/// system administrators, as on the API.
extension PortalController {
    @Sendable func registriesList(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await registriesPage(request, context, visitor, draft: nil)
    }

    @Sendable func createRegistry(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let draft = RegistryDraft(form)
        do {
            _ = try await registries.create(try draft.request(), caller(visitor, request, context))
            return Self.redirect("/harbor/registries")
        } catch let error as APIError {
            return try await registriesPage(request, context, visitor, draft: draft, problem: Self.sentenceCase(error.message),
                                            status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    /// "Test connection": pings the registry the form describes, without storing it, and shows the form again.
    @Sendable func testRegistry(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let draft = RegistryDraft(form)
        do {
            try await registries.ping(try draft.request(), caller(visitor, request, context))
            return try await registriesPage(request, context, visitor, draft: draft, tested: (true, "The registry answered and accepted the credentials."))
        } catch let error as APIError where error.code == .badRequest {
            return try await registriesPage(request, context, visitor, draft: draft, tested: (false, Self.sentenceCase(error.message)))
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    @Sendable func deleteRegistry(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        do {
            try await registries.delete(try Self.identifier(context, "registry", what: "registry"), caller(visitor, request, context))
            return Self.redirect("/harbor/registries")
        } catch let error as APIError {
            return try await registriesPage(request, context, visitor, draft: nil, problem: Self.sentenceCase(error.message),
                                            status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    func registriesPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, draft: RegistryDraft?, problem: String? = nil,
                        tested: (ok: Bool, text: String)? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        do {
            let caller = caller(visitor, request, context)
            let rows = try await registries.list(name: nil, caller).map { registry in
                RegistryRow(id: registry.id, name: registry.name, url: registry.url, type: Self.providerLabel(registry.type),
                            status: registry.status == "healthy" ? "Healthy" : "Unhealthy", healthy: registry.status == "healthy",
                            verifies: registry.insecure ? "No" : "Yes", accessKey: registry.credential.accessKey, description: registry.description,
                            created: PortalFormat.shownTime(registry.creationTime), deleteAction: "/harbor/registries/\(registry.id)/delete")
            }
            let type = draft?.type ?? "harbor"
            let form = RegistryForm(name: draft?.name ?? "", url: draft?.url ?? "", accessKey: draft?.accessKey ?? "", insecure: draft?.insecure ?? false,
                                    description: draft?.description ?? "",
                                    types: RemoteRegistryService.adapters.map { SelectOption(value: $0, label: Self.providerLabel($0), selected: $0 == type) })
            let page = RegistriesPage(frame: frame(visitor), tabs: adminTabs(active: "registries"), problem: problem, tested: tested?.text,
                                      testedOK: tested?.ok ?? false, formOpen: draft != nil, form: form, rows: rows, hasRows: !rows.isEmpty)
            return finish(renderer.page("registries", page, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    /// A provider type as Harbor's portal names it.
    static func providerLabel(_ type: String) -> String {
        switch type {
        case "harbor": return "Harbor"
        case "docker-registry": return "Docker Registry"
        default: return type
        }
    }
}

/// What was typed into the new-registry form.
struct RegistryDraft {
    let type: String
    let name: String
    let url: String
    let accessKey: String
    let accessSecret: String
    let insecure: Bool
    let description: String

    init(_ form: FormFields) {
        type = form["type"] ?? "harbor"
        url = (form["url"] ?? "").trimmingCharacters(in: .whitespaces)
        let typed = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        // Harbor's portal suggests the host as the name; an empty name takes it.
        name = typed.isEmpty ? (URLComponents(string: url)?.host ?? "") : typed
        accessKey = (form["access_key"] ?? "").trimmingCharacters(in: .whitespaces)
        accessSecret = form["access_secret"] ?? ""
        insecure = form["insecure"] == "true"
        description = form["description"] ?? ""
    }

    /// The API's request, decoded from the same JSON an API client would send (so the same rules apply).
    func request() throws -> RemoteRegistryRequest {
        var object: [String: Any] = ["name": name, "type": type, "url": url, "insecure": insecure, "description": description]
        if !accessKey.isEmpty || !accessSecret.isEmpty {
            object["credential"] = ["type": "basic", "access_key": accessKey, "access_secret": accessSecret]
        }
        return try PortalJSON.decode(object)
    }
}

/// Requests the portal builds as the API would receive them: a JSON object decoded with the API's snake-case keys.
enum PortalJSON {
    static func decode<T: Decodable>(_ object: [String: Any]) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(T.self, from: try JSONSerialization.data(withJSONObject: object))
        } catch {
            throw APIError.badRequest("the form could not be read")
        }
    }
}
