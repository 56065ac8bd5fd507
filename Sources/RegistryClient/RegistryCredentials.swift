import Foundation

/// How a registry client proves who it is to a remote registry.
public enum RegistryCredentials: Sendable, Equatable {
    /// No credentials: anonymous tokens where the registry hands them out.
    case anonymous
    /// A user name and password (or robot name and secret): sent as Basic to the token service, or to the registry
    /// itself when it asks for Basic.
    case basic(username: String, password: String)
    /// A bearer token the registry accepts as it is (no token exchange).
    case bearer(String)

    /// Credentials from the value of an HTTP `Authorization` header (`Basic …` or `Bearer …`), as Harbor hands a
    /// scanner; nil when the value is neither.
    public init?(authorizationHeader value: String) {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " ") else { return nil }
        let scheme = trimmed[..<space].lowercased()
        let parameter = trimmed[trimmed.index(after: space)...].trimmingCharacters(in: .whitespaces)
        guard !parameter.isEmpty else { return nil }
        switch scheme {
        case "basic":
            guard let data = Data(base64Encoded: parameter), let decoded = String(data: data, encoding: .utf8),
                  let colon = decoded.firstIndex(of: ":") else { return nil }
            self = .basic(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
        case "bearer":
            self = .bearer(parameter)
        default:
            return nil
        }
    }

    /// The Basic `Authorization` value for user-and-password credentials.
    var basicHeader: String? {
        guard case .basic(let username, let password) = self else { return nil }
        return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }
}
