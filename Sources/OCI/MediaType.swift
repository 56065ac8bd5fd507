/// Media types the registry understands.
public enum MediaType {
    /// OCI image manifest.
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    /// OCI image index.
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    /// OCI empty descriptor / empty JSON config.
    public static let ociEmpty = "application/vnd.oci.empty.v1+json"
    /// Docker image manifest, schema 2.
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    /// Docker manifest list.
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    /// Docker schema 1 manifest (unsupported).
    public static let dockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json"
    /// Signed Docker schema 1 manifest (unsupported).
    public static let dockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"
    /// Docker foreign (non-distributable) layer.
    public static let dockerForeignLayer = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

    /// Manifest types that list child manifests.
    public static let indexTypes: Set<String> = [ociIndex, dockerManifestList]
    /// Manifest types that list a config and layers.
    public static let imageManifestTypes: Set<String> = [ociManifest, dockerManifest]
    /// Every manifest type that can be stored.
    public static let manifestTypes: Set<String> = indexTypes.union(imageManifestTypes)

    /// `type/subtype` without parameters, lower-cased; nil when it is not of that shape.
    public static func essence(of value: some StringProtocol) -> String? {
        let base = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingASCIISpaces() } ?? ""
        let parts = base.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              base.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != 0x22 && $0 != 0x2c }) else { return nil }
        return base.lowercased()
    }

    /// Whether `value` is a syntactically valid media type (RFC 6838 `type/subtype`).
    public static func isValid(_ value: String) -> Bool {
        guard let e = essence(of: value) else { return false }
        return e == value.lowercased() || value.contains(";")
    }
}

extension StringProtocol {
    func trimmingASCIISpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
