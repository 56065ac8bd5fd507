import Metadata

/// `/systeminfo` and `/health` answers.
public struct SystemService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// What `/systeminfo` reports (the fields Harbor's clients read).
    public struct Info: Codable, Sendable {
        var withNotary = false
        var authMode: String
        var projectCreationRestriction: String
        var selfRegistration = false
        var hasCaRoot = false
        var harborVersion: String
        var registryStorageProviderName: String
        var readOnly = false
        var withChartmuseum = false
        var notificationEnable = false
    }

    /// System facts.
    public func info() -> Info {
        Info(authMode: env.system.authMode, projectCreationRestriction: env.system.projectCreationRestriction, harborVersion: "berth-" + env.system.version,
             registryStorageProviderName: env.system.storageProvider)
    }

    /// Health of each component.
    public struct Health: Codable, Sendable {
        struct Component: Codable, Sendable {
            var name: String
            var status: String
            var error: String?
        }
        var status: String
        var components: [Component]
    }

    /// Checks the database; the server answering proves the rest.
    public func health() async -> Health {
        var components = [Health.Component(name: "core", status: "healthy", error: nil)]
        do {
            _ = try await env.access.userCount()
            components.append(Health.Component(name: "database", status: "healthy", error: nil))
        } catch {
            components.append(Health.Component(name: "database", status: "unhealthy", error: "the metadata database does not answer"))
        }
        let healthy = components.allSatisfy { $0.status == "healthy" }
        return Health(status: healthy ? "healthy" : "unhealthy", components: components)
    }
}
