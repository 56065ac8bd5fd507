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

    /// The list query from `page`, `page_size`, `q` and `sort` (plus simple `name=` style filters given in `direct`).
    static func listQuery(_ request: Request, direct: [String: String] = [:]) throws -> (ListQuery, page: Int, pageSize: Int) {
        let page = try positive(request.query("page"), name: "page", default: 1, maximum: Int.max / 1000)
        let pageSize = try positive(request.query("page_size"), name: "page_size", default: 10, maximum: 100)
        var query = ListQuery(filters: try parseQ(request.query("q") ?? ""), sort: parseSort(request.query("sort") ?? ""),
                              offset: (page - 1) * pageSize, limit: pageSize)
        for (parameter, key) in direct {
            if let value = request.query(parameter), !value.isEmpty {
                query.filters.append(ListQuery.Filter(key: key, match: parameter == "name" ? .fuzzy(value) : .exact(value)))
            }
        }
        return (query, page, pageSize)
    }

    /// Harbor's `q`: `k=v` (exact), `k=~v` (fuzzy), `k=[a~b]` (range), `k={a b c}` (any of), separated by commas.
    static func parseQ(_ text: String) throws -> [ListQuery.Filter] {
        var filters: [ListQuery.Filter] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            guard let equals = rest.firstIndex(of: "=") else { throw APIError.badRequest("q must be key=value pairs separated by commas") }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces)
            var value = rest[rest.index(after: equals)...]
            let match: ListQuery.Match
            var end: Substring.Index
            if value.hasPrefix("[") || value.hasPrefix("{") {
                let close: Character = value.hasPrefix("[") ? "]" : "}"
                guard let closing = value.firstIndex(of: close) else { throw APIError.badRequest("unclosed \(value.first!) in q") }
                let inner = value[value.index(after: value.startIndex) ..< closing]
                if close == "]" {
                    let bounds = inner.split(separator: "~", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard bounds.count == 2 else { throw APIError.badRequest("a range in q is [min~max]") }
                    match = .range(try timeValue(bounds[0], key: key), try timeValue(bounds[1], key: key))
                } else {
                    match = .anyOf(inner.split(separator: " ").map(String.init))
                }
                end = value.index(after: closing)
            } else {
                end = value.firstIndex(of: ",") ?? value.endIndex
                let raw = value[..<end]
                match = raw.hasPrefix("~") ? .fuzzy(String(raw.dropFirst())) : .exact(String(raw))
            }
            guard !key.isEmpty else { throw APIError.badRequest("q has an empty key") }
            filters.append(ListQuery.Filter(key: key, match: match))
            value = value[end...]
            if value.hasPrefix(",") { value = value.dropFirst() }
            rest = value
        }
        return filters
    }

    /// Range bounds on `op_time` and `*_time` keys may be dates (`2024-01-02 03:04:05`) or milliseconds.
    private static func timeValue(_ text: String, key: String) throws -> String? {
        guard !text.isEmpty else { return nil }
        guard key.hasSuffix("time"), Int64(text) == nil else { return text }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        for format in ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ssXXXXX", "yyyy-MM-dd"] {
            formatter.dateFormat = format
            // A date far outside Int64 milliseconds (year 300000, say) is refused rather than converted with a trap.
            if let date = formatter.date(from: text), let milliseconds = Int64(exactly: (date.timeIntervalSince1970 * 1000).rounded()),
               abs(milliseconds) < 1 << 53 {
                return String(milliseconds)
            }
        }
        throw APIError.badRequest("\(key) bounds must be dates like 2024-01-02 03:04:05")
    }

    /// `sort=name,-creation_time`.
    static func parseSort(_ text: String) -> [ListQuery.Sort] {
        text.split(separator: ",").map { part in
            part.hasPrefix("-") ? ListQuery.Sort(key: String(part.dropFirst()), descending: true) : ListQuery.Sort(key: String(part), descending: false)
        }
    }

    private static func positive(_ text: String?, name: String, default value: Int, maximum: Int) throws -> Int {
        guard let text else { return value }
        guard let number = Int(text), number >= 1 else { throw APIError.badRequest("\(name) must be a positive integer") }
        return min(number, maximum)
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
        guard var value = parameters.get(name) else { throw APIError.badRequest("missing \(name)") }
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
