import Foundation
import Scanner
import Testing

/// Streaming decompression of layers as the gzip and zstd commands write them: any piece size, several members,
/// truncated and damaged data, and a compression bomb that must stop at its bound.
@Suite("Decompressor")
struct DecompressorTests {
    static let sample: [UInt8] = {
        var generator = SystemRandomNumberGenerator()
        // Half random, half repetitive, so the compressed form has both stored and back-referenced data.
        return (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) } + Array(String(repeating: "berth layer ", count: 40_000).utf8)
    }()

    static func decompress(_ data: [UInt8], _ compression: LayerCompression, pieces: Int, maximum: Int64 = 1 << 36) throws -> [UInt8] {
        let decompressor = try Decompressor(compression, maximumOutput: maximum)
        var output: [UInt8] = []
        for piece in LayerFixture.pieces(data, size: pieces) { try decompressor.feed(piece) { output += $0 } }
        try decompressor.finish()
        return output
    }

    @Test("gzip and zstd output of the real commands comes back whole in pieces of any size", arguments: ["gzip", "zstd"], [1, 7, 4096, 65_537, 0])
    func roundTrip(command: String, pieces: Int) throws {
        let compressed = try LayerFixture.compress(Self.sample, with: command)
        let compression = LayerCompression.detect(compressed)
        #expect(compression == (command == "gzip" ? .gzip : .zstd))
        if compression == .zstd && !LayerCompression.zstdAvailable { return }
        #expect(try Self.decompress(compressed, compression, pieces: pieces) == Self.sample)
    }

    @Test("several gzip members or zstd frames one after another read as one stream", arguments: ["gzip", "zstd"])
    func concatenated(command: String) throws {
        let first = Array(Self.sample.prefix(1000)), second = Array(Self.sample.suffix(5000))
        let joined = try LayerFixture.compress(first, with: command) + LayerFixture.compress(second, with: command)
        #expect(try Self.decompress(joined, LayerCompression.detect(joined), pieces: 333) == first + second)
    }

    @Test("truncated or damaged data is refused with a reason", arguments: ["gzip", "zstd"])
    func badInput(command: String) throws {
        let compressed = try LayerFixture.compress(Self.sample, with: command)
        let compression = LayerCompression.detect(compressed)
        #expect(throws: DecompressionError.self) { try Self.decompress(Array(compressed.dropLast(100)), compression, pieces: 4096) }
        var damaged = compressed
        for index in stride(from: 40, to: damaged.count - 40, by: 97) { damaged[index] ^= 0x5A }
        let error = #expect(throws: DecompressionError.self) { try Self.decompress(damaged, compression, pieces: 4096) }
        #expect(error?.description.isEmpty == false)
    }

    @Test("a compression bomb stops at the output bound, quickly")
    func bomb() throws {
        // 128 MiB of zeros compress to about 130 KB: a thousandfold expansion.
        let zeros = [UInt8](repeating: 0, count: 128 << 20)
        let bomb = try LayerFixture.compress(zeros, with: "gzip", arguments: ["-1"])
        #expect(bomb.count < 1 << 20)
        let started = ContinuousClock.now
        let error = #expect(throws: DecompressionError.self) { try Self.decompress(bomb, .gzip, pieces: 65_536, maximum: 8 << 20) }
        #expect(error?.description.contains("expands beyond") == true)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("the compression is told by magic numbers, not names")
    func detection() {
        #expect(LayerCompression.detect([0x1F, 0x8B, 8, 0]) == .gzip)
        #expect(LayerCompression.detect([0x28, 0xB5, 0x2F, 0xFD, 1]) == .zstd)
        #expect(LayerCompression.detect(Array("./etc".utf8)) == .none)
        #expect(LayerCompression.detect([]) == .none)
    }
}
