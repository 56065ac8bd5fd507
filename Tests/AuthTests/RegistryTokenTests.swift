@testable import Auth
import OCI
import Crypto
import Foundation
import Testing

@Suite("Registry tokens")
struct RegistryTokenTests {
    static func tokens(issuer: String = "berth-token-issuer", service: String = "berth-registry", lifetime: Int = 60,
                       key: String = P256.Signing.PrivateKey().pemRepresentation) async throws -> RegistryTokens {
        var settings = RegistryTokens.Settings()
        settings.issuer = issuer
        settings.service = service
        settings.lifetimeSeconds = lifetime
        return try await RegistryTokens(settings: settings, privateKeyPEM: key)
    }

    @Test("an issued token verifies and carries its subject and access; its kid is libtrust-shaped")
    func roundTrip() async throws {
        let tokens = try await Self.tokens()
        let access = [RegistryScope(type: "repository", name: "library/app", actions: ["pull"])]
        let issued = try await tokens.issue(subject: "alice", account: .user(7), access: access)
        let verified = try #require(await tokens.verify(issued.token))
        #expect(verified.subject == "alice")
        #expect(verified.account == .user(7))
        #expect(verified.access == access)
        #expect(tokens.keyID.split(separator: ":").count == 12)
        #expect(RegistryTokens.headerKeyID(of: issued.token) == tokens.keyID)
    }

    @Test("tokens signed by another key, expired, for another audience or issuer, or tampered with are refused")
    func refusals() async throws {
        let key = P256.Signing.PrivateKey().pemRepresentation
        let tokens = try await Self.tokens(key: key)
        let access = [RegistryScope(type: "repository", name: "library/app", actions: ["pull"])]

        let otherKey = try await Self.tokens().issue(subject: "alice", account: .user(7), access: access)
        #expect(await tokens.verify(otherKey.token) == nil)

        let expired = try await tokens.issue(subject: "alice", account: .user(7), access: access, now: Date().addingTimeInterval(-3600))
        #expect(await tokens.verify(expired.token) == nil)

        let otherAudience = try await Self.tokens(service: "someone-else", key: key).issue(subject: "alice", account: .user(7), access: access)
        #expect(await tokens.verify(otherAudience.token) == nil)

        let otherIssuer = try await Self.tokens(issuer: "mallory", key: key).issue(subject: "alice", account: .user(7), access: access)
        #expect(await tokens.verify(otherIssuer.token) == nil)

        // Swap in a payload granting push, keeping the original signature.
        let good = try await tokens.issue(subject: "alice", account: .user(7), access: access)
        let escalated = try await tokens.issue(subject: "alice", account: .user(7), access: [RegistryScope(type: "repository", name: "library/app", actions: ["pull", "push"])])
        let parts = good.token.split(separator: ".")
        let forged = [parts[0], escalated.token.split(separator: ".")[1], parts[2]].joined(separator: ".")
        #expect(await tokens.verify(forged) == nil)
        #expect(await tokens.verify("not.a.token") == nil)
    }
}
