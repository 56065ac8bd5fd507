/// Reads an `os-release` file (freedesktop.org's format: `KEY=value` lines, values optionally quoted, `\` escapes).
public enum OSRelease {
    /// The file's keys and values.
    public static func fields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingSpaces()
            guard !line.isEmpty, !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals])
            guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { continue }
            fields[key] = unquote(line[line.index(after: equals)...])
        }
        return fields
    }

    /// The distribution the file describes, or nil without an `ID`.
    public static func parse(_ text: String) -> OperatingSystem? {
        let fields = fields(text)
        guard let id = fields["ID"], !id.isEmpty else { return nil }
        return OperatingSystem(id: id.lowercased(), versionID: fields["VERSION_ID"] ?? "", codename: fields["VERSION_CODENAME"] ?? "",
                               prettyName: fields["PRETTY_NAME"] ?? fields["NAME"] ?? id)
    }

    private static func unquote(_ value: Substring) -> String {
        guard let quote = value.first, quote == "\"" || quote == "'" else { return String(value) }
        var result = ""
        var escaped = false
        for character in value.dropFirst() {
            if escaped {
                result.append(character)
                escaped = false
            } else if character == "\\" && quote == "\"" {
                escaped = true
            } else if character == quote {
                break
            } else {
                result.append(character)
            }
        }
        return result
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> Substring {
        var text = self[...]
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return Substring(text)
    }
}
