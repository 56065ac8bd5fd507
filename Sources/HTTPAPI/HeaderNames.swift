import HTTPTypes

/// Header names used by the distribution API.
enum HeaderNames {
    static let dockerContentDigest = HTTPField.Name("Docker-Content-Digest")!
    static let dockerUploadUUID = HTTPField.Name("Docker-Upload-UUID")!
    static let distributionAPIVersion = HTTPField.Name("Docker-Distribution-API-Version")!
    static let ociSubject = HTTPField.Name("OCI-Subject")!
    static let ociFiltersApplied = HTTPField.Name("OCI-Filters-Applied")!
    static let link = HTTPField.Name("Link")!
    static let range = HTTPField.Name("Range")!
    static let contentRange = HTTPField.Name("Content-Range")!
    static let acceptRanges = HTTPField.Name("Accept-Ranges")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let totalCount = HTTPField.Name("X-Total-Count")!
    static let csrfToken = HTTPField.Name("X-Harbor-CSRF-Token")!
}
