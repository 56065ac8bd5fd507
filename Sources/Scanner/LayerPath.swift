/// Paths inside image layers, normalised the way the scanner compares them: no leading `/` or `./`, no `.` segments,
/// no trailing `/`, and no `..` (a path that climbs out is refused — it would name nothing inside the image).
public enum LayerPath {
    /// `path` normalised, or nil when it is empty after normalising or climbs out with `..`.
    public static func normalized(_ path: String) -> String? {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": return nil
            default: segments.append(segment)
            }
        }
        return segments.isEmpty ? nil : segments.joined(separator: "/")
    }

    /// The directory holding `path` ("" for the root).
    public static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// The last segment of `path`.
    public static func name(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// The prefix OCI layers use for whiteout files (`.wh.<name>` deletes `<name>` from the layers below).
    public static let whiteoutPrefix = ".wh."
    /// The name of the file that makes its directory opaque (hides what the layers below put in it).
    public static let opaqueMarker = ".wh..wh..opq"
}

/// Which files of an image are visible, found by reading its layers from the top one down: a path is visible in a
/// layer unless a layer above already had it, deleted it with a whiteout, made one of its directories opaque, or put a
/// non-directory where one of its directories is. The scanner reads only visible files, so a package database deleted in
/// an upper layer is not reported and a replaced file is read from the layer that replaced it.
public struct VisibleFiles: Sendable {
    /// Paths an upper layer has (any kind), and what the upper layers deleted.
    private var claimed: Set<String> = []
    private var deleted: Set<String> = []
    private var opaque: Set<String> = []
    /// Upper paths that are not directories: nothing below them can show through.
    private var blocking: Set<String> = []
    /// What the layer being read adds (applied when the next layer down starts).
    private var pendingClaims: Set<String> = []
    private var pendingDeleted: Set<String> = []
    private var pendingOpaque: Set<String> = []
    private var pendingBlocking: Set<String> = []

    /// An image with no layers read yet.
    public init() {}

    /// Starts the next layer down: what the layer just read claimed now hides the lower ones.
    public mutating func nextLayer() {
        claimed.formUnion(pendingClaims)
        deleted.formUnion(pendingDeleted)
        opaque.formUnion(pendingOpaque)
        blocking.formUnion(pendingBlocking)
        pendingClaims = []
        pendingDeleted = []
        pendingOpaque = []
        pendingBlocking = []
    }

    /// Records an entry of the current layer and says whether its content is what the image shows at `path` (nil
    /// for a whiteout or a path outside the image).
    public mutating func visit(_ entry: TarEntry) -> String? {
        guard let path = LayerPath.normalized(entry.path) else { return nil }
        let name = LayerPath.name(path), parent = LayerPath.parent(path)
        if name == LayerPath.opaqueMarker {
            pendingOpaque.insert(parent)
            return nil
        }
        if name.hasPrefix(LayerPath.whiteoutPrefix) {
            let target = parent.isEmpty ? String(name.dropFirst(LayerPath.whiteoutPrefix.count)) : parent + "/" + name.dropFirst(LayerPath.whiteoutPrefix.count)
            pendingDeleted.insert(target)
            return nil
        }
        let hidden = isHidden(path)
        pendingClaims.insert(path)
        if entry.kind != .directory { pendingBlocking.insert(path) }
        return hidden ? nil : path
    }

    /// Whether the layers above hide `path`.
    func isHidden(_ path: String) -> Bool {
        if claimed.contains(path) || deleted.contains(path) { return true }
        var ancestor = LayerPath.parent(path)
        while !ancestor.isEmpty {
            if deleted.contains(ancestor) || opaque.contains(ancestor) || blocking.contains(ancestor) { return true }
            ancestor = LayerPath.parent(ancestor)
        }
        return opaque.contains("")
    }
}
