import Foundation
import Hummingbird

/// What a request's `Authorization` header carries.
enum Credentials: Sendable {
    /// `Basic` username and password.
    case basic(username: String, password: String)
    /// `Bearer` token.
    case bearer(String)

    /// Reads the header; nil when there is none or it cannot be understood.
    init?(_ request: Request) {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let value = parts[1].trimmingCharacters(in: .whitespaces)
        switch parts[0].lowercased() {
        case "basic":
            guard let data = Data(base64Encoded: value), let text = String(data: data, encoding: .utf8),
                  let colon = text.firstIndex(of: ":") else { return nil }
            self = .basic(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
        case "bearer":
            self = .bearer(value)
        default:
            return nil
        }
    }
}

extension Request {
    /// The client's address as text (for audit and login throttling): what `ClientAddressMiddleware` resolved.
    public func clientAddress(_ context: BerthRequestContext) -> String {
        if !context.clientAddress.isEmpty { return context.clientAddress }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }
}
