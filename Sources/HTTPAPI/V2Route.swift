import OCI
import Registry

/// A parsed `/v2` URL. Parsing happens once, here; handlers receive typed names, references and ids.
public enum V2Route: Equatable, Sendable {
    /// `/v2/`
    case base
    /// `/v2/_catalog`
    case catalog
    /// `/v2/<name>/tags/list`
    case tags(RepositoryName)
    /// `/v2/<name>/manifests/<reference>`
    case manifest(RepositoryName, Reference)
    /// `/v2/<name>/blobs/<digest>`
    case blob(RepositoryName, Digest)
    /// `/v2/<name>/blobs/uploads/`
    case uploads(RepositoryName)
    /// `/v2/<name>/blobs/uploads/<id>`
    case upload(RepositoryName, UploadID)
    /// `/v2/<name>/referrers/<digest>`
    case referrers(RepositoryName, Digest)
    /// `/v2/<name>/manifests/<reference>` whose reference is neither a valid tag nor a valid digest. Reading it finds
    /// nothing (404 `MANIFEST_UNKNOWN`, as distribution answers); pushing to it is refused with `error`.
    case invalidManifestReference(RepositoryName, DistributionError)

    /// Parses a request path (still percent-encoded); throws the OCI error for a malformed name, reference or digest,
    /// and `nil` for a path that is no `/v2` endpoint at all.
    public static func parse(path: String) throws(DistributionError) -> V2Route? {
        guard path == "/v2" || path.hasPrefix("/v2/") else { return nil }
        var segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst(2).map { decode($0) }
        // One trailing slash is part of some endpoints (`/v2/`, `…/blobs/uploads/`); any other empty segment would be
        // an empty repository name component (`/v2/a//b/…`), which the name grammar does not allow.
        if segments.last == "" { segments.removeLast() }
        if segments.isEmpty { return .base }
        if segments.contains("") { throw DistributionError(.nameInvalid, "repository names have no empty path components") }
        if segments == ["_catalog"] { return .catalog }
        guard segments.count >= 2 else { return nil }
        let last = segments.removeLast()
        let secondLast = segments.last!

        func name(_ parts: ArraySlice<String>) throws(DistributionError) -> RepositoryName {
            guard !parts.isEmpty else { throw DistributionError(.nameInvalid, "repository name is empty") }
            return try RepositoryName(parts.joined(separator: "/"))
        }

        if last == "uploads", secondLast == "blobs" {
            return .uploads(try name(segments.dropLast()))
        }
        if segments.count >= 3, secondLast == "uploads", segments[segments.count - 2] == "blobs" {
            let repository = try name(segments.dropLast(2))
            return .upload(repository, try UploadID(parsing: last))
        }
        if last == "list", secondLast == "tags" {
            return .tags(try name(segments.dropLast()))
        }
        switch secondLast {
        case "manifests":
            let repository = try name(segments.dropLast())
            do {
                return .manifest(repository, try Reference(parsing: last))
            } catch {
                return .invalidManifestReference(repository, error)
            }
        case "blobs":
            let repository = try name(segments.dropLast())
            return .blob(repository, try Digest(parsing: last))
        case "referrers":
            let repository = try name(segments.dropLast())
            return .referrers(repository, try Digest(parsing: last))
        default:
            return nil
        }
    }

    private static func decode(_ segment: Substring) -> String {
        guard segment.contains("%") else { return String(segment) }
        var bytes: [UInt8] = []
        var iterator = segment.utf8.makeIterator()
        while let c = iterator.next() {
            if c == 0x25, let h = iterator.next(), let l = iterator.next(), let hi = hexValue(h), let lo = hexValue(l) {
                bytes.append(hi << 4 | lo)
            } else {
                bytes.append(c)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30 ... 0x39: return c - 0x30
        case 0x41 ... 0x46: return c - 0x41 + 10
        case 0x61 ... 0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}
