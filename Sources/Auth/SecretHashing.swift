import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Password and secret hashing. User passwords use bcrypt on a thread pool (it is slow on purpose); robot secrets
/// are long random strings, so a salted SHA-256 is enough and keeps per-request checks cheap.
public struct SecretHashing: Sendable {
    let threadPool: NIOThreadPool
    /// bcrypt cost for user passwords.
    public let bcryptCost: UInt8

    /// Creates the hasher; bcrypt runs on `threadPool`.
    public init(threadPool: NIOThreadPool, bcryptCost: UInt8 = 10) {
        self.threadPool = threadPool
        self.bcryptCost = bcryptCost
    }

    /// bcrypt hash of a user password.
    public func hashPassword(_ password: String) async throws -> String {
        let cost = bcryptCost
        return try await threadPool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches a bcrypt hash. With no hash, a dummy hash is checked so the time taken does not
    /// reveal whether the account exists.
    public func verifyPassword(_ password: String, hash: String?) async throws -> Bool {
        let target = hash ?? Self.dummyHash
        let matched = try await threadPool.runIfActive { Bcrypt.verify(password, hash: target) }
        return matched && hash != nil
    }

    /// A new random robot secret: 32 characters from an unambiguous alphabet (about 190 bits), meeting the password rule.
    public static func randomSecret() -> String {
        let upper = Array("ABCDEFGHJKLMNPQRSTUVWXYZ"), lower = Array("abcdefghijkmnopqrstuvwxyz"), digits = Array("23456789")
        let all = upper + lower + digits
        var generator = SystemRandomNumberGenerator()
        var chars = (0 ..< 29).map { _ in all.randomElement(using: &generator)! }
        chars.append(upper.randomElement(using: &generator)!)
        chars.append(lower.randomElement(using: &generator)!)
        chars.append(digits.randomElement(using: &generator)!)
        chars.shuffle(using: &generator)
        return String(chars)
    }

    /// `sha256$<salt hex>$<digest hex>` of a robot secret.
    public static func hashSecret(_ secret: String) -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: 0 ... 255, using: &generator) }
        return "sha256$\(hex(salt))$\(hex(digest(salt: salt, secret: secret)))"
    }

    /// Whether `secret` matches a `hashSecret` result; the comparison takes the same time wherever they differ.
    public static func verifySecret(_ secret: String, hash: String) -> Bool {
        let parts = hash.split(separator: "$")
        guard parts.count == 3, parts[0] == "sha256", let salt = unhex(parts[1]), let expected = unhex(parts[2]) else { return false }
        return constantTimeEqual(digest(salt: salt, secret: secret), expected)
    }

    /// Equality whose duration does not depend on where the inputs differ.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    private static func digest(salt: [UInt8], secret: String) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: salt)
        hasher.update(data: Array(secret.utf8))
        return Array(hasher.finalize())
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    private static func unhex(_ text: Substring) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index ..< next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    /// bcrypt of a random string nobody knows, checked when an account does not exist.
    private static let dummyHash = Bcrypt.hash(randomSecret(), cost: 10)
}
