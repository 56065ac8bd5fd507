import NIOConcurrencyHelpers
import NIOCore
import OCI

/// A bounded in-memory cache of manifest bytes by digest. Content-addressed bytes never change, so a
/// cached entry is always correct; the cache only saves storage reads and holds no state of record.
public final class ManifestCache: Sendable {
    private struct State {
        var entries: [Digest: ByteBuffer] = [:]
        var order: [Digest] = []
        var bytes = 0
    }

    private let state = NIOLockedValueBox(State())
    private let capacityBytes: Int

    /// A cache holding up to `capacityBytes` of manifests.
    public init(capacityBytes: Int = 16 * 1024 * 1024) { self.capacityBytes = capacityBytes }

    /// The cached bytes for `digest`.
    public func get(_ digest: Digest) -> ByteBuffer? { state.withLockedValue { $0.entries[digest] } }

    /// Remembers `bytes` for `digest`, evicting the oldest entries beyond capacity.
    public func insert(_ digest: Digest, _ bytes: ByteBuffer) {
        guard bytes.readableBytes <= capacityBytes / 8 else { return }
        state.withLockedValue { s in
            guard s.entries[digest] == nil else { return }
            s.entries[digest] = bytes
            s.order.append(digest)
            s.bytes += bytes.readableBytes
            while s.bytes > capacityBytes, !s.order.isEmpty {
                let old = s.order.removeFirst()
                s.bytes -= s.entries.removeValue(forKey: old)?.readableBytes ?? 0
            }
        }
    }
}
