import Crypto
import Foundation
import Metadata

/// Seals secrets Berth must keep but never show (external scanners' and remote registries' credentials) with
/// AES-256-GCM under a key kept in the metadata database's settings, so every instance of a scaled-out
/// installation opens what another sealed, and a database dump alone does not read as the credentials.
public struct SecretSealer: Sendable {
    let key: SymmetricKey

    /// The name under which the key is stored.
    static let settingName = "secret_sealing_key_aes256"
    /// The prefix of sealed values (format version 1).
    static let prefix = "sealed:v1:"

    /// Loads the key from `store`, generating and storing it first when there is none.
    public static func load(store: any SettingsStore) async throws -> SecretSealer {
        let candidate = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
        let stored = try await store.settingInsertingIfAbsent(settingName, value: candidate, now: Clock.nowMilliseconds())
        guard let bytes = Data(base64Encoded: stored), bytes.count == 32 else { throw SecretSealerError.unreadableKey }
        return SecretSealer(key: SymmetricKey(data: bytes))
    }

    /// A sealer with `key` (tests).
    public init(key: SymmetricKey) { self.key = key }

    /// `secret` sealed (empty stays empty: nothing to keep).
    public func seal(_ secret: String) throws -> String {
        guard !secret.isEmpty else { return "" }
        let box = try AES.GCM.seal(Data(secret.utf8), using: key)
        guard let combined = box.combined else { throw SecretSealerError.unreadableValue }
        return Self.prefix + combined.base64EncodedString()
    }

    /// The secret in `sealed`; throws when it was sealed under another key or altered.
    public func open(_ sealed: String) throws -> String {
        guard !sealed.isEmpty else { return "" }
        guard sealed.hasPrefix(Self.prefix), let combined = Data(base64Encoded: String(sealed.dropFirst(Self.prefix.count))) else {
            throw SecretSealerError.unreadableValue
        }
        let opened = try AES.GCM.open(try AES.GCM.SealedBox(combined: combined), using: key)
        return String(decoding: opened, as: UTF8.self)
    }
}

/// Why a sealed secret could not be used.
public enum SecretSealerError: Error, Sendable, CustomStringConvertible {
    /// The stored key is not 32 bytes of base64.
    case unreadableKey
    /// The value is not a sealed secret of this format.
    case unreadableValue

    public var description: String {
        switch self {
        case .unreadableKey: return "the stored secret-sealing key is unreadable"
        case .unreadableValue: return "a sealed secret is unreadable (altered, or sealed under another key)"
        }
    }
}
