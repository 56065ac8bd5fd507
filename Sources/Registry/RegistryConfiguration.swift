/// Behaviour switches of the registry core.
public struct RegistryConfiguration: Sendable {
    /// How long a write lease on an upload session lasts; a streaming request renews it every third of this,
    /// so a crashed holder blocks the session for at most this long.
    public var uploadLeaseMilliseconds: Int64 = 60 * 1000
    /// Uploads untouched for longer than this are purged.
    public var uploadMaximumAgeSeconds: Int64 = 24 * 3600
    /// Garbage collection's grace period (milliseconds): links untouched, and files unchanged, for this long may go.
    public var garbageGraceMilliseconds: Int64 = 2 * 3_600_000
    /// How often a `HEAD` confirmation refreshes a link for garbage collection (milliseconds): at most every five
    /// minutes, and at least four times per grace period, so a client told a blob exists keeps it for at least three
    /// quarters of the grace period whatever the setting.
    public var confirmationRefreshMilliseconds: Int64 { max(0, min(5 * 60 * 1000, garbageGraceMilliseconds / 4)) }
    /// Whether `DELETE` of manifests, tags and blobs is allowed.
    public var deleteEnabled: Bool = true
    /// Page size of `/v2/_catalog` when the client gives no `n`.
    public var defaultCatalogPageSize: Int = 100
    /// Largest page any list endpoint returns.
    public var maximumPageSize: Int = 10_000

    /// Defaults.
    public init() {}
    /// Most upload sessions one account (or, without authentication, one client address) may have open; nil for no limit.
    public var uploadSessionsPerOwner: Int? = 500
    /// Most upload sessions one project may have open; nil for no limit.
    public var uploadSessionsPerProject: Int? = 5000
}
