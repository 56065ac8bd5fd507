import NIOCore
import OCI

/// A large request body generated on the fly (never held in memory), with its digest known up front.
struct GeneratedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let totalSize: Int
    let chunkSize: Int
    let seed: UInt64

    init(totalSize: Int, chunkSize: Int = 1 << 20, seed: UInt64 = 42) {
        self.totalSize = totalSize
        self.chunkSize = chunkSize
        self.seed = seed
    }

    /// The digest of the whole body, computed by generating it once.
    func digest() -> Digest {
        var hasher = DigestHasher(.sha256)
        var iterator = Iterator(body: self)
        while let chunk = iterator.nextSync() { chunk.withUnsafeReadableBytes { hasher.update($0) } }
        return hasher.digest()
    }

    struct Iterator: AsyncIteratorProtocol {
        let body: GeneratedBody
        let block: [UInt8]
        var produced = 0

        init(body: GeneratedBody) {
            self.body = body
            self.block = randomBytes(body.chunkSize, seed: body.seed)
        }

        mutating func nextSync() -> ByteBuffer? {
            guard produced < body.totalSize else { return nil }
            let n = Swift.min(body.chunkSize, body.totalSize - produced)
            var buffer = ByteBuffer(bytes: block[0 ..< n])
            // Stamp the chunk number so no two chunks are identical.
            buffer.setInteger(UInt64(produced / body.chunkSize), at: 0)
            produced += n
            return buffer
        }

        mutating func next() async throws -> ByteBuffer? { nextSync() }
    }

    func makeAsyncIterator() -> Iterator { Iterator(body: self) }
}
