import OCI
import Crypto
import Foundation
import JWTKit
import Metadata

/// Issues and checks the registry's bearer tokens (Docker token authentication: an ES256 JWT with a `kid`, whose
/// `access` claim lists what the bearer may do). The signing key is generated once and kept in the metadata
/// database, so every instance signs and verifies with the same key.
public struct RegistryTokens: Sendable {
    /// Token settings.
    public struct Settings: Sendable, Equatable {
        /// `iss` of issued tokens.
        public var issuer = "berth-token-issuer"
        /// `aud` of issued tokens and the `service` of challenges.
        public var service = "berth-registry"
        /// Lifetime of a token.
        public var lifetimeSeconds = 1800
        /// Creates the defaults.
        public init() {}
    }

    /// A token just issued.
    public struct Issued: Sendable {
        /// The JWT.
        public let token: String
        /// Seconds it is valid for.
        public let expiresIn: Int
        /// When it was issued.
        public let issuedAt: Date
    }

    /// What a verified token says.
    public struct Verified: Sendable, Equatable {
        /// The subject (a username, `robot$…`, or empty for anonymous), for logs and audit entries only.
        public let subject: String
        /// The account the token was issued to, by id; nil for anonymous tokens. Lookups use this, never the name.
        public let account: AccountReference?
        /// What the bearer may do.
        public let access: [RegistryScope]
    }

    /// `access` claim entry.
    struct AccessClaim: Codable, Sendable, Equatable {
        var type: String
        var name: String
        var actions: [String]
    }

    /// The claims of a registry token.
    struct Claims: JWTPayload, Equatable {
        var iss: IssuerClaim
        var sub: SubjectClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var nbf: NotBeforeClaim
        var iat: IssuedAtClaim
        var jti: IDClaim
        var access: [AccessClaim]
        /// Berth's own claim: the account by id (`user:12`, `robot:3`).
        var berthAccount: String?

        enum CodingKeys: String, CodingKey {
            case iss, sub, aud, exp, nbf, iat, jti, access
            case berthAccount = "berth_account"
        }

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired(currentDate: Date().addingTimeInterval(-30))
            try nbf.verifyNotBefore(currentDate: Date().addingTimeInterval(30))
        }
    }

    let keys: JWTKeyCollection
    /// The key id in every token's header (libtrust's fingerprint format).
    public let keyID: String
    /// The settings tokens are issued with.
    public let settings: Settings

    /// The name under which the signing key is stored.
    static let settingName = "token_signing_key_p256_pem"

    /// Loads the signing key from `store`, generating and storing it first when there is none.
    public static func load(settings: Settings, store: any SettingsStore) async throws -> RegistryTokens {
        let candidate = P256.Signing.PrivateKey().pemRepresentation
        let pem = try await store.settingInsertingIfAbsent(settingName, value: candidate, now: Clock.nowMilliseconds())
        return try await RegistryTokens(settings: settings, privateKeyPEM: pem)
    }

    /// Uses the given P-256 private key.
    public init(settings: Settings, privateKeyPEM: String) async throws {
        let key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        self.settings = settings
        self.keyID = Self.libtrustKeyID(publicKeyDER: Array(key.publicKey.derRepresentation))
        self.keys = JWTKeyCollection()
        let signer = try ES256PrivateKey(backing: key)
        await keys.add(ecdsa: signer, kid: JWKIdentifier(string: keyID))
    }

    /// Signs a token for `subject` (the account `account`) granting `access`.
    public func issue(subject: String, account: AccountReference?, access: [RegistryScope], now exactNow: Date = Date()) async throws -> Issued {
        // Whole seconds, so the time claims are integers as other registries expect.
        let now = Date(timeIntervalSince1970: exactNow.timeIntervalSince1970.rounded(.down))
        let claims = Claims(
            iss: IssuerClaim(value: settings.issuer), sub: SubjectClaim(value: subject), aud: AudienceClaim(value: [settings.service]),
            exp: ExpirationClaim(value: now.addingTimeInterval(TimeInterval(settings.lifetimeSeconds))),
            nbf: NotBeforeClaim(value: now.addingTimeInterval(-5)), iat: IssuedAtClaim(value: now),
            jti: IDClaim(value: RandomUUID.make().uuidString), access: access.map { AccessClaim(type: $0.type, name: $0.name, actions: $0.actions) },
            berthAccount: account?.description)
        let token = try await keys.sign(claims, kid: JWKIdentifier(string: keyID))
        return Issued(token: token, expiresIn: settings.lifetimeSeconds, issuedAt: now)
    }

    /// Checks a token's signature, key id, issuer, audience and lifetime; nil when any of them is wrong.
    public func verify(_ token: String) async -> Verified? {
        guard let claims = try? await keys.verify(token, as: Claims.self) else { return nil }
        guard claims.iss.value == settings.issuer, claims.aud.value.contains(settings.service) else { return nil }
        guard Self.headerKeyID(of: token) == keyID else { return nil }
        return Verified(subject: claims.sub.value, account: claims.berthAccount.flatMap(AccountReference.init(parsing:)),
                        access: claims.access.map { RegistryScope(type: $0.type, name: $0.name, actions: $0.actions) })
    }

    /// The `kid` in a token's header.
    static func headerKeyID(of token: String) -> String? {
        guard let header = token.split(separator: ".").first else { return nil }
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["kid"] as? String
    }

    /// The key id format distribution and Harbor use: the first 240 bits of SHA-256 over the DER public key,
    /// base32 without padding, in twelve colon-separated groups of four.
    static func libtrustKeyID(publicKeyDER: [UInt8]) -> String {
        let digest = Array(SHA256.hash(data: publicKeyDER)).prefix(30)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0, value = 0
        var encoded: [Character] = []
        for byte in digest {
            value = (value << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                encoded.append(alphabet[(value >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        return stride(from: 0, to: encoded.count, by: 4).map { String(encoded[$0 ..< min($0 + 4, encoded.count)]) }.joined(separator: ":")
    }
}
