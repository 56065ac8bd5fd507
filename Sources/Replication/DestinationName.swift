import Foundation

/// Where a replicated repository lands: Harbor's destination namespace and flattening. With a namespace, the first
/// `replaceCount` path components of the source name are replaced by it (0 keeps them all after it; -1, Harbor's
/// legacy mode and "Flatten All Levels", keeps only the last); without one, the name stays as it is.
public enum DestinationName {
    /// The destination repository of `source`.
    public static func of(_ source: String, namespace: String, replaceCount: Int) -> String {
        let trimmed = namespace.trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
        guard !trimmed.isEmpty else { return source }
        let components = source.split(separator: "/").map(String.init)
        guard let last = components.last else { return trimmed }
        let kept: [String]
        if replaceCount < 0 {
            kept = [last]
        } else {
            kept = Array(components.dropFirst(min(replaceCount, components.count - 1)))
        }
        return ([trimmed] + kept).joined(separator: "/")
    }
}
