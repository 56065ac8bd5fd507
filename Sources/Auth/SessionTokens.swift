import Crypto
import Foundation
import Metadata

/// Portal sessions without server-side state: the `sid` cookie carries who signed in, when it expires, the CSRF token
/// of the session and a fingerprint of the password hash, all under an HMAC whose key lives in the metadata
/// database (so every instance accepts every session). Changing the password ends existing sessions.
public struct SessionTokens: Sendable {
    /// What a session says.
    public struct Session: Codable, Sendable, Equatable {
        /// The user's id.
        public var userID: Int64
        /// System administrator through the LDAP admin group at login.
        public var directoryAdmin: Bool
        /// Expiry, seconds since 1970.
        public var expires: Int64
        /// The token unsafe requests must echo in `X-Harbor-CSRF-Token`.
        public var csrf: String
        /// First bytes of SHA-256 over the password hash at login ("" for LDAP users).
        public var passwordFingerprint: String
    }

    let key: SymmetricKey
    /// Session lifetime.
    public let lifetimeSeconds: Int64

    static let settingName = "session_hmac_key"

    /// Loads the signing key from `store`, creating it on first use.
    public static func load(store: any SettingsStore, lifetimeSeconds: Int64 = 3600) async throws -> SessionTokens {
        let candidate = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
        let stored = try await store.settingInsertingIfAbsent(settingName, value: candidate, now: Clock.nowMilliseconds())
        guard let bytes = Data(base64Encoded: stored), bytes.count == 32 else { throw MetadataError.inconsistent("session key is malformed") }
        return SessionTokens(key: SymmetricKey(data: bytes), lifetimeSeconds: lifetimeSeconds)
    }

    /// A fingerprint of a password hash (nil hash → "").
    public static func fingerprint(of passwordHash: String?) -> String {
        guard let passwordHash else { return "" }
        return Data(SHA256.hash(data: Array(passwordHash.utf8)).prefix(12)).base64EncodedString()
    }

    /// A new session for a user, with a fresh CSRF token.
    public func start(userID: Int64, directoryAdmin: Bool, passwordHash: String?, now: Date = Date()) -> (cookie: String, session: Session) {
        let csrf = SymmetricKey(size: .bits128).withUnsafeBytes { Self.base64URL(Data($0)) }
        let session = Session(userID: userID, directoryAdmin: directoryAdmin, expires: Int64(now.timeIntervalSince1970) + lifetimeSeconds,
                              csrf: csrf, passwordFingerprint: Self.fingerprint(of: passwordHash))
        let payload = Self.base64URL((try? JSONEncoder().encode(session)) ?? Data())
        let mac = Self.base64URL(Data(HMAC<SHA256>.authenticationCode(for: Array(payload.utf8), using: key)))
        return (payload + "." + mac, session)
    }

    /// The session in a cookie value, if its MAC is right and it has not expired.
    public func verify(_ cookie: String, now: Date = Date()) -> Session? {
        let parts = cookie.split(separator: ".")
        guard parts.count == 2, let mac = Self.unbase64URL(String(parts[1])),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Array(parts[0].utf8), using: key),
              let payload = Self.unbase64URL(String(parts[0])),
              let session = try? JSONDecoder().decode(Session.self, from: Data(payload)),
              session.expires > Int64(now.timeIntervalSince1970) else { return nil }
        return session
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func unbase64URL(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
