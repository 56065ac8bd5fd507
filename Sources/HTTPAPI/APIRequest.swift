import Foundation
import HTTPTypes
import Hummingbird
import Management
import Metadata
import NIOCore

/// Reading management-API requests and writing their responses: paging (`page`, `page_size`, `q`, `sort`),
/// JSON bodies in snake case, `X-Total-Count` and `Link` headers.
enum APIRequest {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    /// Decodes a JSON body of at most 1 MiB.
    static func body<T: Decodable>(_ request: Request, as type: T.Type) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: 1 << 20)
        guard buffer.readableBytes > 0 else { throw APIError.badRequest("a JSON body is required") }
        return try decoder.decode(T.self, from: Data(buffer: buffer))
    }

    /// Decodes a JSON body of at most 1 MiB when there is one (nil for an empty body).
    static func optionalBody<T: Decodable>(_ request: Request, as type: T.Type) async throws -> T? {
        var request = request
        let buffer = try await request.collectBody(upTo: 1 << 20)
        guard buffer.readableBytes > 0 else { return nil }
        return try decoder.decode(T.self, from: Data(buffer: buffer))
    }

    /// The list query from `page`, `page_size`, `q` and `sort` (plus simple `name=` style filters given in `direct`).
    static func listQuery(_ request: Request, direct: [String: String] = [:]) throws -> (ListQuery, page: Int, pageSize: Int) {
        // An empty value means the default, as in Harbor (harborapi sends `page=&page_size=` on some lists).
        func given(_ name: String) -> String? { request.query(name).flatMap { $0.isEmpty ? nil : $0 } }
        var (query, page, pageSize) = try ListQueryParser.parse(q: request.query("q"), sort: request.query("sort"), page: given("page"),
                                                                 pageSize: given("page_size"))
        for (parameter, key) in direct {
            if let value = request.query(parameter), !value.isEmpty {
                query.filters.append(ListQuery.Filter(key: key, match: parameter == "name" ? .fuzzy(value) : .exact(value)))
            }
        }
        return (query, page, pageSize)
    }

    /// A JSON response.
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) throws -> Response {
        let data = try encoder.encode(value)
        var headers = extra
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(data.count)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A list response with `X-Total-Count` and `Link` (prev/next) headers.
    static func page<T: Encodable & Sendable>(_ page: ListPage<T>, _ request: Request, pageNumber: Int, pageSize: Int) throws -> Response {
        var headers: HTTPFields = [HeaderNames.totalCount: String(page.total)]
        var links: [String] = []
        func link(_ number: Int, _ rel: String) -> String {
            var parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }.filter { $0.0 != "page" && $0.0 != "page_size" }
            parameters.append(("page", String(number)))
            parameters.append(("page_size", String(pageSize)))
            let query = parameters.map { "\($0.0)=\(V2Controller.queryEscape($0.1))" }.joined(separator: "&")
            return "<\(request.uri.path)?\(query)>; rel=\"\(rel)\""
        }
        if pageNumber > 1 { links.append(link(pageNumber - 1, "prev")) }
        if pageNumber * pageSize < page.total { links.append(link(pageNumber + 1, "next")) }
        if !links.isEmpty { headers[HeaderNames.link] = links.joined(separator: " , ") }
        return try json(page.items, headers: headers)
    }

    /// 201 with a `Location` header.
    static func created(_ location: String) -> Response {
        Response(status: .created, headers: [.location: location, .contentLength: "0"])
    }

    /// 200 with no body.
    static func ok() -> Response { Response(status: .ok, headers: [.contentLength: "0"]) }
}

extension BerthRequestContext {
    /// The caller for management services.
    func caller(_ request: Request) -> Caller { Caller(principal: principal, clientIP: request.clientAddress(self)) }

    /// A path parameter, percent-decoded (repository names arrive double-encoded: `a%252Fb`).
    func pathParameter(_ name: String) throws -> String {
        guard let value = decodedParameter(name) else { throw APIError.badRequest("missing \(name)") }
        return value
    }

    /// Path parameter `name` percent-decoded up to twice: a repository's slashes arrive as `%2F`, or as `%252F` in
    /// Harbor's API paths and portal links. Nil when the route has no such parameter.
    public func decodedParameter(_ name: String) -> String? {
        guard var value = parameters.get(name) else { return nil }
        for _ in 0 ..< 2 {
            guard value.contains("%"), let decoded = value.removingPercentEncoding else { break }
            value = decoded
        }
        return value
    }

    /// An integer path parameter.
    func idParameter(_ name: String) throws -> Int64 {
        guard let value = parameters.get(name), let id = Int64(value) else { throw APIError.badRequest("\(name) must be an integer") }
        return id
    }
}

extension Request {
    /// Whether `X-Is-Resource-Name: true` asks that a numeric project reference be read as a name.
    var isResourceName: Bool { headers[HTTPField.Name("X-Is-Resource-Name")!]?.lowercased() == "true" }
}
