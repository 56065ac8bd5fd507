import Foundation
import Hummingbird
import NIOCore
import OCI
import Registry

extension V2Controller {
    func catalog(_ request: Request, _ grant: RegistryGrant) async throws -> Response {
        let (limit, last) = try paging(request)
        let page = try await listings.catalog(limit: limit, last: last, projects: try await grant.catalogProjects())
        var headers: HTTPFields = [.contentType: "application/json"]
        if page.hasMore, let lastItem = page.items.last {
            headers[HeaderNames.link] = "</v2/_catalog?n=\(page.items.count)&last=\(Self.queryEscape(lastItem))>; rel=\"next\""
        }
        return try json(CatalogBody(repositories: page.items), headers: headers)
    }

    func tags(_ request: Request, _ name: RepositoryName) async throws -> Response {
        let (limit, last) = try paging(request)
        let page = try await listings.tags(of: name, limit: limit, last: last)
        var headers: HTTPFields = [.contentType: "application/json"]
        if page.hasMore, let lastItem = page.items.last {
            headers[HeaderNames.link] = "</v2/\(name)/tags/list?n=\(page.items.count)&last=\(Self.queryEscape(lastItem))>; rel=\"next\""
        }
        return try json(TagsBody(name: name.value, tags: page.items), headers: headers)
    }

    func referrers(_ request: Request, _ name: RepositoryName, _ digest: Digest) async throws -> Response {
        let artifactType = request.query("artifactType").flatMap { $0.isEmpty ? nil : $0 }
        let index = try await listings.referrers(of: digest, in: name, artifactType: artifactType)
        var headers: HTTPFields = [.contentType: MediaType.ociIndex]
        if artifactType != nil { headers[HeaderNames.ociFiltersApplied] = "artifactType" }
        return try json(index, headers: headers)
    }

    private func paging(_ request: Request) throws(DistributionError) -> (Int?, String?) {
        var limit: Int? = nil
        if let n = request.query("n") {
            guard let value = Int(n), value >= 0 else {
                throw DistributionError(.paginationNumberInvalid, "n must be a non-negative integer, not \"\(n.prefix(20))\"")
            }
            limit = value
        }
        let last = request.query("last").flatMap { $0.isEmpty ? nil : $0 }
        return (limit, last)
    }

    private func json(_ value: some Encodable, headers: HTTPFields) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = try encoder.encode(value)
        var headers = headers
        headers[.contentLength] = String(data.count)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func queryEscape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }
}

struct CatalogBody: Encodable {
    let repositories: [String]
}

struct TagsBody: Encodable {
    let name: String
    let tags: [String]
}
