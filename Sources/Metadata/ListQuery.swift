import SQLKit

/// A page of a filtered, sorted list, in the terms of Harbor's `q`, `sort`, `page` and `page_size` parameters.
public struct ListQuery: Sendable, Equatable {
    /// How one key is matched.
    public enum Match: Sendable, Equatable {
        /// `key=value`.
        case exact(String)
        /// `key=~value`: contains, ignoring case.
        case fuzzy(String)
        /// `key=[min~max]`: inclusive range; either end may be open.
        case range(String?, String?)
        /// `key={a b c}`: any of the values.
        case anyOf([String])
    }

    /// One condition.
    public struct Filter: Sendable, Equatable {
        /// The API's key (for example `name`).
        public var key: String
        /// How it is matched.
        public var match: Match
        /// Creates a condition.
        public init(key: String, match: Match) {
            self.key = key
            self.match = match
        }
    }

    /// One sort key.
    public struct Sort: Sendable, Equatable {
        /// The API's key.
        public var key: String
        /// Descending when true (`-key`).
        public var descending: Bool
        /// Creates a sort key.
        public init(key: String, descending: Bool) {
            self.key = key
            self.descending = descending
        }
    }

    /// All conditions (combined with AND).
    public var filters: [Filter]
    /// Sort keys, most significant first.
    public var sort: [Sort]
    /// Rows to skip.
    public var offset: Int
    /// Rows to return.
    public var limit: Int

    /// Creates a query.
    public init(filters: [Filter] = [], sort: [Sort] = [], offset: Int = 0, limit: Int = 10) {
        self.filters = filters
        self.sort = sort
        self.offset = offset
        self.limit = limit
    }

    /// The value of an exact filter on `key`, if there is one.
    public func exact(_ key: String) -> String? {
        for filter in filters where filter.key == key {
            if case .exact(let value) = filter.match { return value }
        }
        return nil
    }
}

/// A page of rows and the number of rows that match in all.
public struct ListPage<Item: Sendable>: Sendable {
    /// The rows of this page.
    public var items: [Item]
    /// Rows matching the filters, over every page.
    public var total: Int

    /// Creates a page.
    public init(items: [Item], total: Int) {
        self.items = items
        self.total = total
    }
}

/// A list query names a key the list cannot filter or sort by.
public struct ListQueryError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, for the client.
    public let description: String
    /// Creates the error.
    public init(_ description: String) { self.description = description }
}

/// Turns a `ListQuery` into SQL for one table, given which API keys map to which columns.
struct SQLListing {
    /// What kind of value a column holds, for binding filter values.
    enum ColumnType { case text, integer, boolean }

    /// The API key → (column expression, type).
    let columns: [String: (column: String, type: ColumnType)]
    /// Order used when the query gives none (also the tie-break).
    let defaultOrder: String

    /// ` AND …` conditions for the query's filters.
    func conditions(_ query: ListQuery) throws -> SQLQueryString {
        var sql = SQLQueryString("")
        for filter in query.filters {
            guard let (column, type) = columns[filter.key] else {
                throw ListQueryError("cannot filter by \(filter.key); supported keys: \(columns.keys.sorted().joined(separator: ", "))")
            }
            switch filter.match {
            case .exact(let value):
                sql += SQLQueryString(" AND \(unsafeRaw: column) = ") + (try bind(value, type, key: filter.key))
            case .fuzzy(let value):
                let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_")
                sql += SQLQueryString(" AND lower(\(unsafeRaw: column)) LIKE \(bind: "%" + escaped.lowercased() + "%") ESCAPE '\\'")
            case .range(let low, let high):
                if let low { sql += SQLQueryString(" AND \(unsafeRaw: column) >= ") + (try bind(low, type, key: filter.key)) }
                if let high { sql += SQLQueryString(" AND \(unsafeRaw: column) <= ") + (try bind(high, type, key: filter.key)) }
            case .anyOf(let values):
                guard !values.isEmpty else { sql += SQLQueryString(" AND 1 = 0"); continue }
                var parts: [SQLQueryString] = []
                for value in values { parts.append(try bind(value, type, key: filter.key)) }
                sql += SQLQueryString(" AND \(unsafeRaw: column) IN (") + parts.joined(separator: ", ") + SQLQueryString(")")
            }
        }
        return sql
    }

    /// ` ORDER BY … LIMIT … OFFSET …`.
    func orderAndPage(_ query: ListQuery) throws -> SQLQueryString {
        var keys: [String] = []
        for sort in query.sort {
            guard let (column, _) = columns[sort.key] else {
                throw ListQueryError("cannot sort by \(sort.key); supported keys: \(columns.keys.sorted().joined(separator: ", "))")
            }
            keys.append(column + (sort.descending ? " DESC" : " ASC"))
        }
        keys.append(defaultOrder)
        return SQLQueryString(" ORDER BY \(unsafeRaw: keys.joined(separator: ", ")) LIMIT \(literal: query.limit) OFFSET \(literal: query.offset)")
    }

    private func bind(_ value: String, _ type: ColumnType, key: String) throws -> SQLQueryString {
        switch type {
        case .text:
            return SQLQueryString("\(bind: value)")
        case .integer:
            guard let number = Int64(value) else { throw ListQueryError("\(key) must be an integer") }
            return SQLQueryString("\(bind: number)")
        case .boolean:
            switch value.lowercased() {
            case "true", "1": return SQLQueryString("\(bind: 1)")
            case "false", "0": return SQLQueryString("\(bind: 0)")
            default: throw ListQueryError("\(key) must be true or false")
            }
        }
    }
}
