/// What went wrong talking to a remote registry, in words an operator can act on (credentials never appear).
public enum RegistryClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The registry answered with an unexpected status; `code` is the OCI error code when it sent one.
    case status(Int, code: String?, message: String, url: String)
    /// The registry refused the credentials (or has none to give for the scope).
    case unauthorized(String)
    /// The registry's answer could not be used (a token response without a token, a manifest over the size limit).
    case invalidResponse(String)
    /// Content did not match its digest.
    case digestMismatch(expected: String, actual: String)
    /// The URL given for the registry is not usable.
    case invalidURL(String)

    public var description: String {
        switch self {
        case .status(let status, let code, let message, let url):
            return "\(url) answered \(status)\(code.map { " \($0)" } ?? "")\(message.isEmpty ? "" : ": \(message)")"
        case .unauthorized(let message): return "unauthorized: \(message)"
        case .invalidResponse(let message): return "invalid response: \(message)"
        case .digestMismatch(let expected, let actual): return "content does not match its digest: expected \(expected), got \(actual)"
        case .invalidURL(let url): return "not a usable registry URL: \(url)"
        }
    }

    /// Whether the status is not found.
    public var isNotFound: Bool {
        if case .status(404, _, _, _) = self { return true }
        return false
    }
}
