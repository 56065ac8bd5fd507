/// A relative path inside a storage driver, made only of safe components (no `..`, no empty parts,
/// no separators or control characters), so no request can reach outside the storage root.
public struct StoragePath: Hashable, Sendable, CustomStringConvertible {
    /// The validated components.
    public let components: [String]

    /// Builds a path; traps on an unsafe component because paths are built by code, never taken from clients.
    public init(_ components: [String]) {
        precondition(!components.isEmpty && components.allSatisfy(StoragePath.isSafe), "unsafe storage path \(components)")
        self.components = components
    }

    /// Builds a path from components.
    public init(_ components: String...) { self.init(components) }

    /// `a/b/c`.
    public var description: String { components.joined(separator: "/") }

    /// The path one level up, or nil at the top.
    public var parent: StoragePath? { components.count > 1 ? StoragePath(Array(components.dropLast())) : nil }

    /// A child path.
    public func appending(_ component: String) -> StoragePath { StoragePath(components + [component]) }

    /// Whether `component` may appear in a path.
    public static func isSafe(_ component: String) -> Bool {
        guard !component.isEmpty, component != ".", component != "..", component.utf8.count <= 255 else { return false }
        return component.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2d || c == 0x2e || c == 0x5f
        }
    }
}
