/// An error on the management API (`/api/v2.0`), rendered as Harbor's `{"errors":[{"code","message"}]}`.
public struct APIError: Error, Sendable, CustomStringConvertible {
    /// Harbor's error codes with their statuses.
    public enum Code: String, Sendable {
        case badRequest = "BAD_REQUEST"
        case unauthorized = "UNAUTHORIZED"
        case forbidden = "FORBIDDEN"
        case notFound = "NOT_FOUND"
        case methodNotAllowed = "METHOD_NOT_ALLOWED"
        case conflict = "CONFLICT"
        case preconditionFailed = "PRECONDITION"
        case payloadTooLarge = "PAYLOAD_TOO_LARGE"
        case tooManyRequests = "TOO_MANY_REQUEST"
        case internalError = "UNKNOWN"
        case unavailable = "SERVICE_UNAVAILABLE"

        /// The HTTP status.
        public var httpStatus: Int {
            switch self {
            case .badRequest: return 400
            case .unauthorized: return 401
            case .forbidden: return 403
            case .notFound: return 404
            case .methodNotAllowed: return 405
            case .conflict: return 409
            case .preconditionFailed: return 412
            case .payloadTooLarge: return 413
            case .tooManyRequests: return 429
            case .internalError: return 500
            case .unavailable: return 503
            }
        }
    }

    /// The code.
    public let code: Code
    /// A message for people; never holds secrets.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `CODE: message`.
    public var description: String { "\(code.rawValue): \(message)" }

    /// 404 for a missing thing.
    public static func notFound(_ what: String) -> APIError { APIError(.notFound, "\(what) not found") }
    /// 403 for something the caller may not do.
    public static func forbidden(_ what: String = "forbidden") -> APIError { APIError(.forbidden, what) }
    /// 400 for a malformed request.
    public static func badRequest(_ what: String) -> APIError { APIError(.badRequest, what) }
}
