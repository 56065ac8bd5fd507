import OCI
import Storage

/// Where the registry keeps things in storage. Paths come only from validated digests and
/// server-generated upload ids, so no client input reaches a path unchecked.
public enum StorageLayout {
    /// Content-addressed bytes of a blob or manifest: `blobs/<alg>/<hex[0..2]>/<hex>`.
    /// One file per object and no directory per object: creating and removing directories is what costs most
    /// on ext4 when many small objects arrive.
    public static func blob(_ digest: Digest) -> StoragePath {
        StoragePath("blobs", digest.algorithm.rawValue, String(digest.hex.prefix(2)), digest.hex)
    }

    /// The bytes received so far by an upload session: `uploads/<id>`.
    public static func upload(_ id: UploadID) -> StoragePath { StoragePath("uploads", id.value) }

    /// The directory holding all upload sessions.
    public static let uploadsRoot = StoragePath("uploads")
}

/// An upload session id: a lower-case UUID, validated whenever it comes from a URL.
public struct UploadID: Hashable, Sendable, CustomStringConvertible {
    /// The id text.
    public let value: String

    /// A fresh random id.
    public static func generate() -> UploadID {
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0 ... 255) }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = Digest(algorithm: .sha256, bytes: bytes).hex
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return UploadID(unchecked: parts.joined(separator: "-"))
    }

    /// Validates an id taken from a request; throws `BLOB_UPLOAD_UNKNOWN` for anything that is not a UUID.
    public init(parsing text: some StringProtocol) throws(DistributionError) {
        let bytes = Array(text.utf8)
        let valid = bytes.count == 36 && bytes.enumerated().allSatisfy { i, c in
            [8, 13, 18, 23].contains(i) ? c == 0x2d : ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))
        }
        guard valid else { throw DistributionError(.blobUploadUnknown, "upload session \(String(text.prefix(40))) is unknown") }
        self.value = String(text)
    }

    private init(unchecked: String) { self.value = unchecked }

    /// The id text.
    public var description: String { value }
}
