/// The error codes of the OCI distribution API, each with the HTTP status it is answered with.
///
/// This is the one place where a `/v2` error's code and status are decided.
public enum DistributionErrorCode: String, Sendable, CaseIterable {
    case blobUnknown = "BLOB_UNKNOWN"
    case blobUploadInvalid = "BLOB_UPLOAD_INVALID"
    case blobUploadUnknown = "BLOB_UPLOAD_UNKNOWN"
    case digestInvalid = "DIGEST_INVALID"
    case manifestBlobUnknown = "MANIFEST_BLOB_UNKNOWN"
    case manifestInvalid = "MANIFEST_INVALID"
    case manifestUnknown = "MANIFEST_UNKNOWN"
    case nameInvalid = "NAME_INVALID"
    case nameUnknown = "NAME_UNKNOWN"
    case sizeInvalid = "SIZE_INVALID"
    case tagInvalid = "TAG_INVALID"
    case unauthorized = "UNAUTHORIZED"
    case denied = "DENIED"
    case unsupported = "UNSUPPORTED"
    case tooManyRequests = "TOOMANYREQUESTS"
    /// An invalid `n` on a list endpoint.
    case paginationNumberInvalid = "PAGINATION_NUMBER_INVALID"
    /// A requested byte range or chunk offset does not fit the content (answered with 416).
    case rangeInvalid = "RANGE_INVALID"
    /// A body larger than the registry accepts (answered with 413).
    case tooLarge = "SIZE_TOO_LARGE"
    /// Something failed inside the registry (answered with 500).
    case internalError = "INTERNAL_ERROR"
    /// The registry cannot serve right now (answered with 503).
    case unavailable = "UNAVAILABLE"
    /// A project policy refuses the request (a vulnerable or unscanned image under "prevent vulnerable images"),
    /// answered with 412 and Harbor's code.
    case projectPolicyViolation = "PROJECTPOLICYVIOLATION"
    /// A change a tag immutability rule forbids (moving or deleting an immutable tag, deleting its artifact), answered
    /// with 412 as Harbor does and sent as `DENIED`.
    case tagImmutable = "TAG_IMMUTABLE"

    /// The HTTP status this code is answered with.
    public var httpStatus: Int {
        switch self {
        case .blobUnknown, .blobUploadUnknown, .manifestUnknown, .nameUnknown: return 404
        case .blobUploadInvalid, .digestInvalid, .manifestBlobUnknown, .manifestInvalid,
             .nameInvalid, .sizeInvalid, .tagInvalid, .paginationNumberInvalid: return 400
        case .unauthorized: return 401
        case .denied: return 403
        case .unsupported: return 405
        case .tooManyRequests: return 429
        case .rangeInvalid: return 416
        case .tooLarge: return 413
        case .internalError: return 500
        case .unavailable: return 503
        case .projectPolicyViolation, .tagImmutable: return 412
        }
    }

    /// The code string sent to clients. Codes outside the OCI list are sent as the nearest OCI code, except
    /// `RANGE_INVALID`, which the CNCF distribution registry sends with its 416s for blob reads and upload chunks alike.
    public var wireCode: String {
        switch self {
        case .tooLarge: return DistributionErrorCode.sizeInvalid.rawValue
        case .internalError, .unavailable: return "UNKNOWN"
        case .tagImmutable: return DistributionErrorCode.denied.rawValue
        default: return rawValue
        }
    }
}

/// An error on the distribution API: a code, a human-readable message, and optional detail.
public struct DistributionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as an OCI code.
    public let code: DistributionErrorCode
    /// A message for people; it never contains secrets.
    public let message: String
    /// Optional structured detail, sent as a JSON string.
    public let detail: String?
    /// HTTP status override (for example 405 for a disabled operation).
    public let status: Int?
    /// The `WWW-Authenticate` challenge sent with an `UNAUTHORIZED` answer.
    public let challenge: String?

    /// Creates an error with the given code and message.
    public init(_ code: DistributionErrorCode, _ message: String, detail: String? = nil, status: Int? = nil, challenge: String? = nil) {
        self.code = code
        self.message = message
        self.detail = detail
        self.status = status
        self.challenge = challenge
    }

    /// The HTTP status the error is answered with.
    public var httpStatus: Int { status ?? code.httpStatus }

    /// `CODE: message`.
    public var description: String { "\(code.wireCode): \(message)" }
}
