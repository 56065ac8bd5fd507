import Hummingbird
import Logging
import NIOCore
import OCI
import Registry

/// The OCI distribution API (`/v2`). Each handler parses its inputs, makes one service call and builds the response.
public struct V2Controller: Sendable {
    let blobs: BlobService
    let uploads: UploadService
    let manifests: ManifestService
    let listings: ListingService

    /// Creates the controller over the registry services.
    public init(blobs: BlobService, uploads: UploadService, manifests: ManifestService, listings: ListingService) {
        self.blobs = blobs
        self.uploads = uploads
        self.manifests = manifests
        self.listings = listings
    }

    /// Registers the `/v2` routes on `router`.
    public func register(on router: Router<BerthRequestContext>) {
        let group = router.group().add(middleware: DistributionErrorMiddleware())
        for method in [HTTPRequest.Method.get, .head, .put, .post, .patch, .delete] {
            group.on("/v2", method: method, use: handle)
            group.on("/v2/**", method: method, use: handle)
        }
    }

    @Sendable func handle(_ request: Request, context: BerthRequestContext) async throws -> Response {
        guard let route = try V2Route.parse(path: request.uri.path) else {
            throw DistributionError(.nameUnknown, "no distribution endpoint at \(String(request.uri.path.prefix(200)))", status: 404)
        }
        switch (route, request.method) {
        case (.base, .get), (.base, .head):
            return Response(status: .ok, headers: [.contentType: "application/json", .contentLength: "2"],
                            body: request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
        case (.catalog, .get):
            return try await catalog(request)
        case (.tags(let name), .get):
            return try await tags(request, name)
        case (.manifest(let name, let reference), .get), (.manifest(let name, let reference), .head):
            return try await getManifest(request, name, reference)
        case (.manifest(let name, let reference), .put):
            return try await putManifest(request, name, reference)
        case (.manifest(let name, let reference), .delete):
            return try await deleteManifest(name, reference)
        case (.blob(let name, let digest), .get), (.blob(let name, let digest), .head):
            return try await getBlob(request, name, digest)
        case (.blob(let name, let digest), .delete):
            return try await deleteBlob(name, digest)
        case (.uploads(let name), .post):
            return try await startUpload(request, name)
        case (.upload(let name, let id), .get):
            return try await uploadStatus(name, id)
        case (.upload(let name, let id), .patch):
            return try await patchUpload(request, name, id)
        case (.upload(let name, let id), .put):
            return try await finishUpload(request, name, id)
        case (.upload(let name, let id), .delete):
            return try await cancelUpload(name, id)
        case (.referrers(let name, let digest), .get):
            return try await referrers(request, name, digest)
        default:
            throw DistributionError(.unsupported, "\(request.method) is not supported on \(String(request.uri.path.prefix(200)))")
        }
    }
}

extension Request {
    /// A query parameter's decoded value.
    func query(_ name: String) -> String? {
        uri.queryParameters[name[...]].map(String.init)
    }

    /// The `Content-Length` header as a number.
    var contentLength: Int64? { headers[.contentLength].flatMap { Int64($0) } }
}
