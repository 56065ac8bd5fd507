import NIOCore
import NIOHTTP1

/// Failures of a request body that are the client's doing: it ended before its `Content-Length`, its chunked
/// encoding is broken, or it is larger than the endpoint takes. Both error middlewares turn them into a 400 or 413
/// in their API's shape (never a 500); nothing the request carried has been stored by then.
enum BodyFailure {
    case truncated
    case malformed(String)
    case tooLarge

    /// The failure an error stands for, if it is one of these.
    init?(_ error: any Error) {
        switch error {
        case let parser as HTTPParserError:
            switch parser {
            case .invalidEOFState: self = .truncated
            case .invalidChunkSize: self = .malformed("the chunked encoding has an invalid chunk size")
            case .invalidContentLength: self = .malformed("the Content-Length header is not a valid length")
            default: self = .malformed("the request is not valid HTTP (\(parser))")
            }
        case is NIOTooManyBytesError:
            self = .tooLarge
        default:
            return nil
        }
    }

    /// A message for the client.
    var message: String {
        switch self {
        case .truncated: return "the request body ended before all the bytes its Content-Length announced arrived"
        case .malformed(let what): return what
        case .tooLarge: return "the request body is larger than this endpoint accepts"
        }
    }
}
