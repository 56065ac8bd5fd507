/// A Docker token scope: `repository:library/app:pull,push` or `registry:catalog:*`.
public struct RegistryScope: Sendable, Equatable, Codable, CustomStringConvertible {
    /// `repository` or `registry` (a `(class)` suffix such as `repository(plugin)` is dropped).
    public var type: String
    /// The repository name, or `catalog`.
    public var name: String
    /// Requested or granted actions (`pull`, `push`, `delete`, `*`).
    public var actions: [String]

    /// Creates a scope.
    public init(type: String, name: String, actions: [String]) {
        self.type = type
        self.name = name
        self.actions = actions
    }

    /// Parses one scope; nil when it is malformed.
    public init?(parsing text: Substring) {
        guard let firstColon = text.firstIndex(of: ":"), let lastColon = text.lastIndex(of: ":"), firstColon < lastColon else { return nil }
        var type = text[..<firstColon]
        if let paren = type.firstIndex(of: "(") { type = type[..<paren] }
        let name = text[text.index(after: firstColon) ..< lastColon]
        let actions = text[text.index(after: lastColon)...].split(separator: ",").map(String.init)
        guard !type.isEmpty, !name.isEmpty else { return nil }
        self.init(type: String(type), name: String(name), actions: actions)
    }

    /// Parses every scope in `scope` query values (each may hold several, separated by spaces).
    public static func parseAll(_ values: [String]) -> [RegistryScope] {
        values.flatMap { $0.split(separator: " ") }.compactMap { RegistryScope(parsing: $0) }
    }

    /// `type:name:a,b`.
    public var description: String { "\(type):\(name):\(actions.joined(separator: ","))" }
}
