
/// Reads Harbor's list parameters: `q` (`k=v` exact, `k=~v` fuzzy, `k=[a~b]` range, `k={a b c}` any of, separated by
/// commas), `sort` (`name,-creation_time`), `page` and `page_size`. Every failure is a `ListQueryError` naming the
/// parameter; numbers are bounded before any arithmetic.
public enum ListQueryParser {
    /// The largest `page_size` (larger ones are reduced to it, as Harbor does).
    public static let maximumPageSize = 100
    /// The largest `page` (so that `(page - 1) * page_size` stays far from overflowing).
    public static let maximumPage = 10_000_000
    /// The longest `q` or `sort` accepted.
    public static let maximumLength = 4096

    /// The query for `q`, `sort`, `page` and `page_size` as given (nil when absent).
    public static func parse(q: String?, sort: String?, page: String?, pageSize: String?) throws -> (query: ListQuery, page: Int, pageSize: Int) {
        let page = try positive(page, name: "page", default: 1, maximum: maximumPage)
        let pageSize = try positive(pageSize, name: "page_size", default: 10, maximum: maximumPageSize)
        let query = ListQuery(filters: try filters(q ?? ""), sort: try sortKeys(sort ?? ""), offset: (page - 1) * pageSize, limit: pageSize)
        return (query, page, pageSize)
    }

    /// The filters in a `q` value.
    public static func filters(_ text: String) throws -> [ListQuery.Filter] {
        guard text.utf8.count <= maximumLength else { throw ListQueryError("q is longer than \(maximumLength) characters") }
        var filters: [ListQuery.Filter] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            guard let equals = rest.firstIndex(of: "=") else { throw ListQueryError("q must be key=value pairs separated by commas") }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces)
            var value = rest[rest.index(after: equals)...]
            let match: ListQuery.Match
            let end: Substring.Index
            if let open = value.first, open == "[" || open == "{" {
                let close: Character = open == "[" ? "]" : "}"
                guard let closing = value.firstIndex(of: close) else { throw ListQueryError("unclosed \(open) in q") }
                let inner = value[value.index(after: value.startIndex) ..< closing]
                if close == "]" {
                    let bounds = inner.split(separator: "~", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard bounds.count == 2 else { throw ListQueryError("a range in q is [min~max]") }
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
            guard !key.isEmpty else { throw ListQueryError("q has an empty key") }
            filters.append(ListQuery.Filter(key: key, match: match))
            value = value[end...]
            if value.hasPrefix(",") { value = value.dropFirst() }
            rest = value
        }
        return filters
    }

    /// The keys of a `sort` value (`-` for descending).
    public static func sortKeys(_ text: String) throws -> [ListQuery.Sort] {
        guard text.utf8.count <= maximumLength else { throw ListQueryError("sort is longer than \(maximumLength) characters") }
        return text.split(separator: ",").map { part in
            part.hasPrefix("-") ? ListQuery.Sort(key: String(part.dropFirst()), descending: true) : ListQuery.Sort(key: String(part), descending: false)
        }
    }

    /// Range bounds on `*time` keys may be dates (`2024-01-02`, `2024-01-02 03:04:05`, `2024-01-02T03:04:05Z`, with
    /// an offset `+01:00`) or milliseconds; other bounds pass as given. Dates are read by hand, never by a date
    /// formatter: fuzzing showed Foundation's DateFormatter trapping on some non-ASCII input.
    static func timeValue(_ text: String, key: String) throws -> String? {
        guard !text.isEmpty else { return nil }
        guard key.hasSuffix("time"), Int64(text) == nil else { return text }
        guard let milliseconds = HarborTime.milliseconds(text) else {
            throw ListQueryError("\(key) bounds must be dates like 2024-01-02 03:04:05 or milliseconds")
        }
        return String(milliseconds)
    }

    /// A positive number no larger than `maximum` (larger ones are reduced to it).
    static func positive(_ text: String?, name: String, default value: Int, maximum: Int) throws -> Int {
        guard let text else { return value }
        guard let number = Int(text), number >= 1 else { throw ListQueryError("\(name) must be a positive integer") }
        return min(number, maximum)
    }
}
