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
