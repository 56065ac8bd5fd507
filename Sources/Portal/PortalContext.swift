/// A page's values turned into dictionaries and arrays before rendering. swift-mustache looks a name up with a fresh
/// `Mirror` of the object each time (and, for a name a row does not have, of every object up the context stack), which
/// took a quarter of a repository page's time; a dictionary answers the same lookups directly. Each object is reflected
/// once here instead, and what a template sees is the same: fields by name, arrays as lists, and a `nil` field left
/// out (swift-mustache treats a reflected `nil` as absent too, and looks further up the context stack).
enum PortalContext {
    /// `value` with every struct and class as a `[String: Any]` of its stored properties, recursively; nil for `nil`.
    static func prepare(_ value: Any) -> Any? {
        switch value {
        case is String, is Bool, is Int, is Int64, is Double: return value
        default: break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .struct?, .class?:
            var fields: [String: Any] = [:]
            for child in mirror.children {
                if let label = child.label { fields[label] = prepare(child.value) }
            }
            return fields
        case .collection?:
            return mirror.children.compactMap { prepare($0.value) }
        case .optional?:
            guard let wrapped = mirror.children.first else { return nil }
            return prepare(wrapped.value)
        default:
            return value
        }
    }
}
