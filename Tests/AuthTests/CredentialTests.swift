@testable import Auth
import OCI
import Foundation
import Metadata
import NIOPosix
import Testing

@Suite("Passwords, secrets and scopes")
struct CredentialTests {
    @Test("Harbor's password rule: 8–128 characters with upper, lower and a digit")
    func passwordRule() {
        #expect(PasswordPolicy.problem(with: "Harbor12345") == nil)
        #expect(PasswordPolicy.problem(with: "Short1A") != nil)
        #expect(PasswordPolicy.problem(with: "alllowercase1") != nil)
        #expect(PasswordPolicy.problem(with: "ALLUPPERCASE1") != nil)
        #expect(PasswordPolicy.problem(with: "NoDigitsHere") != nil)
        #expect(PasswordPolicy.problem(with: String(repeating: "Aa1", count: 43)) != nil)
    }

    @Test("bcrypt hashes verify only the right password; robot secrets are salted and verify only themselves")
    func hashing() async throws {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let hashing = SecretHashing(threadPool: pool, bcryptCost: 4)
        let hash = try await hashing.hashPassword("Harbor12345")
        #expect(try await hashing.verifyPassword("Harbor12345", hash: hash))
        #expect(try await !hashing.verifyPassword("Harbor12346", hash: hash))
        #expect(try await !hashing.verifyPassword("Harbor12345", hash: nil))

        let secret = SecretHashing.randomSecret()
        #expect(secret.count == 32 && PasswordPolicy.problem(with: secret) == nil)
        let stored = SecretHashing.hashSecret(secret)
        #expect(stored != SecretHashing.hashSecret(secret))
        #expect(SecretHashing.verifySecret(secret, hash: stored))
        #expect(!SecretHashing.verifySecret(secret + "x", hash: stored))
        #expect(!SecretHashing.verifySecret(secret, hash: "garbage"))
        try await pool.shutdownGracefully()
    }

    @Test("scopes parse with classes, several per parameter, and reject malformed ones")
    func scopes() {
        #expect(RegistryScope(parsing: "repository:library/app:pull,push") == RegistryScope(type: "repository", name: "library/app", actions: ["pull", "push"]))
        #expect(RegistryScope(parsing: "repository(plugin):a/b:pull")?.type == "repository")
        #expect(RegistryScope(parsing: "registry:catalog:*") == RegistryScope(type: "registry", name: "catalog", actions: ["*"]))
        #expect(RegistryScope(parsing: "repository:localhost:5000/a:pull")?.name == "localhost:5000/a")
        #expect(RegistryScope(parsing: "nonsense") == nil)
        #expect(RegistryScope.parseAll(["repository:a/b:pull repository:c/d:push", "bad"]).count == 2)
    }
}
