import Auth
import Hummingbird
import Logging
import Management
import Metadata
import NIOCore
import OCI
import Registry

/// The OCI distribution API (`/v2`). Each handler parses its inputs, makes one service call and builds the response.
public struct V2Controller: Sendable {
    let blobs: BlobService
    let uploads: UploadService
    let manifests: ManifestService
    let listings: ListingService
    let gate: RegistryGate
    let pulls: PullStatistics
    let pullPolicy: PullPolicyCheck?
    /// Proxy-cache projects: pulls that miss go to their remote registry; pushes are refused.
    let pullThrough: (any PullThrough)?

    /// Creates the controller over the registry services, behind `gate`, counting pulls in `pulls`; manifest GETs pass
    /// `pullPolicy` when given; `pullThrough` serves proxy-cache projects.
    public init(blobs: BlobService, uploads: UploadService, manifests: ManifestService, listings: ListingService,
                gate: RegistryGate, pulls: PullStatistics, pullPolicy: PullPolicyCheck? = nil, pullThrough: (any PullThrough)? = nil) {
        self.pullThrough = pullThrough
        self.pulls = pulls
        self.pullPolicy = pullPolicy
        self.blobs = blobs
        self.uploads = uploads
        self.manifests = manifests
        self.listings = listings
        self.gate = gate
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
        guard let route = try context.v2Route ?? V2Route.parse(path: request.uri.path) else {
            throw DistributionError(.nameUnknown, "no distribution endpoint at \(String(request.uri.path.prefix(200)))", status: 404)
        }
        let grant = try await gate.admit(route, request, context)
        if let pullThrough, let pushed = route.pushTarget(request.method), let reason = try await pullThrough.refusesPush(pushed) {
            throw DistributionError(.denied, reason)
        }
        switch (route, request.method) {
        case (.base, .get), (.base, .head):
            return Response(status: .ok, headers: [.contentType: "application/json", .contentLength: "2"],
                            body: request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
        case (.catalog, .get):
            return try await catalog(request, grant)
        case (.tags(let name), .get):
            return try await tags(request, name)
        case (.manifest(let name, let reference), .get), (.manifest(let name, let reference), .head):
            return try await getManifest(request, name, reference, grant, ChangeContext(grant, request, context))
        case (.manifest(let name, let reference), .put):
            return try await putManifest(request, name, reference, ChangeContext(grant, request, context))
        case (.manifest(let name, let reference), .delete):
            return try await deleteManifest(name, reference, ChangeContext(grant, request, context))
        case (.blob(let name, let digest), .get), (.blob(let name, let digest), .head):
            return try await getBlob(request, name, digest, eventLoop: context.eventLoop)
        case (.blob(let name, let digest), .delete):
            return try await deleteBlob(name, digest, ChangeContext(grant, request, context))
        case (.uploads(let name), .post):
            return try await startUpload(request, name, grant, context)
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
        case (.invalidManifestReference(_, let error), .put):
            throw error
        case (.invalidManifestReference(let name, _), .get), (.invalidManifestReference(let name, _), .head),
             (.invalidManifestReference(let name, _), .delete):
            try await manifests.requireRepository(name)
            throw DistributionError(.manifestUnknown, "there is no manifest \(Self.shown(request.uri.path)) in repository \(name)")
        default:
            throw DistributionError(.unsupported, "\(request.method) is not supported on \(String(request.uri.path.prefix(200)))")
        }
    }
}

extension V2Route {
    /// The repository a request writes into (uploads and manifest pushes), if it writes.
    func pushTarget(_ method: HTTPRequest.Method) -> RepositoryName? {
        switch (self, method) {
        case (.uploads(let name), .post), (.upload(let name, _), .patch), (.upload(let name, _), .put), (.manifest(let name, _), .put):
            return name
        default:
            return nil
        }
    }
}

extension V2Controller {
    /// The last path segment, shortened for messages.
    static func shown(_ path: String) -> String {
        String((path.split(separator: "/").last ?? "").prefix(140))
    }
}

extension ChangeContext {
    /// Who is making a change on `/v2`, and from where.
    init(_ grant: RegistryGrant, _ request: Request, _ context: BerthRequestContext) {
        self.init(operatorName: grant.name, clientIP: request.clientAddress(context))
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

