import OCI
import Testing

@Suite("Byte ranges")
struct ByteRangeTests {
    @Test("Range headers resolve against the blob size, including values at and beyond Int64.max")
    func requestedRanges() {
        let max = String(Int64.max)
        let cases: [(String?, Int64, RequestedRange)] = [
            (nil, 10, .whole),
            ("bytes=0-4", 10, .partial(0 ..< 5)),
            ("bytes=5-", 10, .partial(5 ..< 10)),
            ("bytes=-3", 10, .partial(7 ..< 10)),
            ("bytes=-30", 10, .partial(0 ..< 10)),
            ("bytes=0-\(max)", 10, .partial(0 ..< 10)),
            ("bytes=9-\(max)", 10, .partial(9 ..< 10)),
            ("bytes=\(max)-\(max)", 10, .unsatisfiable),
            ("bytes=-\(max)", 10, .partial(0 ..< 10)),
            ("bytes=0-18446744073709551616", 10, .whole),
            ("bytes=18446744073709551616-", 10, .whole),
            ("bytes=10-", 10, .unsatisfiable),
            ("bytes=-0", 10, .unsatisfiable),
            ("bytes=-5", 0, .unsatisfiable),
            ("bytes=+1-2", 10, .whole),
            ("bytes=-1-2", 10, .whole),
            ("bytes=5-2", 10, .whole),
            ("bytes=0-1,3-4", 10, .whole),
            ("bytes=", 10, .whole),
            ("bytes=-", 10, .whole),
            ("items=0-1", 10, .whole),
            ("bytes=0-\(max)", Int64.max, .partial(0 ..< Int64.max)),
            ("bytes=0-\(Int64.max - 1)", Int64.max, .partial(0 ..< Int64.max)),
        ]
        for (header, size, expected) in cases {
            #expect(RequestedRange(header: header, size: size) == expected, "\(header ?? "nil") on \(size) bytes")
        }
    }

    @Test("Content-Range chunks are parsed without overflow and refused when their length cannot be counted")
    func chunkRanges() {
        #expect(ChunkRange(header: "0-9")?.length == 10)
        #expect(ChunkRange(header: "bytes 10-19/100") == ChunkRange(header: "10-19"))
        #expect(ChunkRange(header: "0-\(Int64.max - 1)")?.length == Int64.max)
        for bad in ["0-\(Int64.max)", "0-18446744073709551616", "-1-5", "5-4", "a-b", "1", "1-2-3", "", "+1-2", " 1-2", "1- 2"] {
            #expect(ChunkRange(header: bad) == nil, "\(bad)")
        }
    }
}
