import Certificates
import NIOCore
import NIOEmbedded
import Testing

@Suite("TLS plaintext compaction")
struct TLSPlaintextCompactorTests {
    @Test("a few bytes in a large decrypted buffer are handed on in a buffer of their own size; full buffers pass as they are")
    func compactsOnlyWastefulBuffers() throws {
        let channel = EmbeddedChannel(handler: TLSPlaintextCompactor())
        var large = channel.allocator.buffer(capacity: 512 * 1024)
        large.writeBytes(Array(repeating: UInt8(ascii: "x"), count: 1000))
        large.moveReaderIndex(forwardBy: 10)
        try channel.writeInbound(large)
        let compacted = try #require(try channel.readInbound(as: ByteBuffer.self))
        #expect(compacted.readableBytes == 990)
        #expect(compacted.capacity < 4096, "still pins \(compacted.capacity) bytes")
        #expect(compacted.readableBytesView.allSatisfy { $0 == UInt8(ascii: "x") })

        var full = channel.allocator.buffer(capacity: 64 * 1024)
        full.writeBytes(Array(repeating: UInt8(ascii: "y"), count: full.capacity - 100))
        let fullCapacity = full.capacity
        try channel.writeInbound(full)
        let passed = try #require(try channel.readInbound(as: ByteBuffer.self))
        #expect(passed == full)
        #expect(passed.capacity == fullCapacity)
        #expect(try channel.finish().isClean)
    }
}
