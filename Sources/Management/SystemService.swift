import Auth
import Foundation
import Metadata

/// `/systeminfo` and `/health` answers.
public struct SystemService: Sendable {
    let env: ManagementEnvironment

    /// Creates the service.
    public init(_ env: ManagementEnvironment) { self.env = env }

    /// What `/systeminfo` reports: Harbor's `GeneralInfo`. Anonymous callers get the fields Harbor shows before
    /// sign-in; the rest needs credentials.
    public struct Info: Encodable, Sendable {
        /// `db_auth` or `ldap_auth`.
        public internal(set) var authMode: String
        /// Always false (Berth has no primary-auth switch).
        public internal(set) var primaryAuthMode: Bool
        /// Always false.
        public internal(set) var selfRegistration: Bool
        /// Berth's version (`berth-…`).
        public internal(set) var harborVersion: String
        /// The banner (empty).
        public internal(set) var bannerMessage: String
        /// The server's time.
        public internal(set) var currentTime: String
        /// How clients reach the server.
        public internal(set) var externalUrl: String?
        /// Host and port for image references.
        public internal(set) var registryUrl: String?
        /// `everyone` or `adminonly`.
        public internal(set) var projectCreationRestriction: String?
        /// Whether `/systeminfo/getcert` hands out a CA certificate.
        public internal(set) var hasCaRoot: Bool?
        /// Always false.
        public internal(set) var readOnly: Bool?
        /// `filesystem` or `s3`.
        public internal(set) var registryStorageProviderName: String?
        /// Whether webhooks are on (always: Berth sends them).
        public internal(set) var notificationEnable: Bool?
    }

    /// Whether users and groups come from an LDAP directory (`ldap_auth`), as `/systeminfo` tells anyone.
    public var usesDirectory: Bool { env.system.authMode == "ldap_auth" }

    /// System facts; `baseURL` is how clients reach the server (the external URL, or as this caller reached it);
    /// `hasCARoot` says whether `/systeminfo/getcert` has a CA certificate to hand out.
    public func info(_ caller: Caller, baseURL: String, hasCARoot: Bool) -> Info {
        let external = baseURL
        var info = Info(authMode: env.system.authMode, primaryAuthMode: false, selfRegistration: false,
                        harborVersion: "berth-" + env.system.version, bannerMessage: "", currentTime: APITime.string(Clock.nowMilliseconds()))
        guard caller.principal.isAuthenticated else { return info }
        info.externalUrl = external
        info.registryUrl = Self.hostAndPort(of: external)
        info.projectCreationRestriction = env.system.projectCreationRestriction
        info.hasCaRoot = hasCARoot
        info.readOnly = false
        info.registryStorageProviderName = env.system.storageProvider
        info.notificationEnable = true
        return info
    }

    /// The system facts the configuration page shows (system administrators).
    public func settings(_ caller: Caller) throws -> SystemFacts {
        try env.requireSystem(Permission(.configuration, .read), caller)
        return env.system
    }

    /// `host:port` of a URL (what image references start with).
    public static func hostAndPort(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        return String(rest.prefix { $0 != "/" })
    }

    /// Harbor's `Icon`.
    public struct Icon: Codable, Sendable {
        var contentType: String
        var content: String

        enum CodingKeys: String, CodingKey {
            case contentType = "content-type"
            case content
        }
    }

    /// An artifact icon by the digest artifacts name it with.
    public func icon(_ digest: String) throws -> Icon {
        guard let drawing = ArtifactIcons.drawings[digest] else { throw APIError.notFound("icon \(digest.prefix(80))") }
        return Icon(contentType: "image/svg+xml", content: Data(drawing.utf8).base64EncodedString())
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
