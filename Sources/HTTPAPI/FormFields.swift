import Foundation

/// The fields of an `application/x-www-form-urlencoded` body; a field given several times keeps every value.
public struct FormFields: Sendable {
    private var values: [String: [String]] = [:]

    /// Parses `text` (`+` is a space, `%XX` an escaped byte; undecodable escapes are kept as written).
    public static func parse(_ text: String) -> FormFields {
        var fields = FormFields()
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { part -> String in
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            guard let key = parts.first else { continue }
            fields.values[key, default: []].append(parts.count > 1 ? parts[1] : "")
        }
        return fields
    }

    /// The first value of a field.
    public subscript(_ key: String) -> String? { values[key]?.first }

    /// Every value of a field.
    public func all(_ key: String) -> [String] { values[key] ?? [] }
}
