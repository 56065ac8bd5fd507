@_exported import APIInput
import SQLKit

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
