import Foundation
import OCI

/// What this machine can do at best, so registry throughput can be read as a fraction of it.
struct MachineLimits {
    /// Single-core SHA-256 throughput in MB/s (libcrypto, the same code the registry hashes with).
    let sha256MBps: Double
    /// Throughput of reading a large file that is already in the page cache, in MB/s.
    let cachedReadMBps: Double

    static func measure(scratch: String) throws -> MachineLimits {
        let block = randomBlock(64 << 20, seed: 7)
        var best = 0.0
        for _ in 0 ..< 3 {
            var hasher = DigestHasher(.sha256)
            let start = ContinuousClock.now
            for _ in 0 ..< 4 { block.withUnsafeBytes { hasher.update($0) } }
            _ = hasher.digest()
            best = Swift.max(best, Double(4 * block.count) / 1e6 / seconds(since: start))
        }

        let path = scratch + "/cached-read.bin"
        let handle = FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil
        for _ in 0 ..< 16 { handle?.write(Data(block)) }
        try handle?.close()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var readBest = 0.0
        for _ in 0 ..< 3 {
            let fd = open(path, O_RDONLY)
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            var total = 0
            let start = ContinuousClock.now
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                total += n
            }
            close(fd)
            readBest = Swift.max(readBest, Double(total) / 1e6 / seconds(since: start))
        }
        return MachineLimits(sha256MBps: best, cachedReadMBps: readBest)
    }
}

/// Touches `bytes` of memory once and frees it. On a virtual machine whose memory the host backs lazily, the
/// first touch of a page is slow; without this the first registry to fill the page cache pays for it.
func warmMemory(bytes: Int) {
    let pageSize = 4096
    guard let region = malloc(bytes) else { return }
    let raw = region.assumingMemoryBound(to: UInt8.self)
    var offset = 0
    while offset < bytes {
        raw[offset] = 1
        offset += pageSize
    }
    free(region)
}

/// Fresh pseudo-random bytes (xorshift64), fast enough to make gigabytes of incompressible test data.
func randomBlock(_ count: Int, seed: UInt64) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    out.withUnsafeMutableBytes { raw in
        let words = raw.bindMemory(to: UInt64.self)
        for i in 0 ..< words.count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            words[i] = state
        }
    }
    return out
}
