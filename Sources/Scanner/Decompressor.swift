import CBerthCompress

/// How a layer's bytes are compressed, told by their first bytes (media types are not trusted: clients label
/// layers loosely, and the magic numbers are unambiguous).
public enum LayerCompression: String, Sendable, Equatable {
    case gzip, zstd, none

    /// The compression that `prefix` (the first bytes of a blob, at least 4 when the blob has them) starts.
    public static func detect(_ prefix: some Collection<UInt8>) -> LayerCompression {
        let head = Array(prefix.prefix(4))
        if head.count >= 2, head[0] == 0x1F, head[1] == 0x8B { return .gzip }
        if head == [0x28, 0xB5, 0x2F, 0xFD] { return .zstd }
        return .none
    }

    /// Whether Zstandard layers can be read on this machine (the system's libzstd.so.1 is loaded at run time).
    public static var zstdAvailable: Bool { berth_zstd_available() != 0 }
}

/// Why compressed data could not be read.
public struct DecompressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, in words.
    public let description: String

    init(_ description: String) { self.description = description }
}

/// Decompresses a stream chunk by chunk (gzip with several members, raw deflate, Zstandard), handing each piece of
/// output to the caller as it is made: memory stays at one output buffer whatever the ratio, and the total output is
/// bounded so a compression bomb costs bounded time too.
public final class Decompressor {
    /// The most output one stream may produce before it is refused.
    public let maximumOutput: Int64
    /// Output produced so far.
    public private(set) var produced: Int64 = 0
    /// Whether the data ended where the format allows it to.
    public private(set) var isComplete = false

    private let format: berth_compression_format
    private let state: OpaquePointer
    private var output: [UInt8]

    /// A decompressor for `compression` (not `.none`) whose output may total at most `maximumOutput` bytes.
    public convenience init(_ compression: LayerCompression, maximumOutput: Int64 = 1 << 36) throws {
        switch compression {
        case .gzip: try self.init(format: BERTH_COMPRESSION_GZIP, maximumOutput: maximumOutput)
        case .zstd:
            guard LayerCompression.zstdAvailable else { throw DecompressionError("the layer is zstd-compressed and libzstd.so.1 is not installed here") }
            try self.init(format: BERTH_COMPRESSION_ZSTD, maximumOutput: maximumOutput)
        case .none: throw DecompressionError("the data is not compressed")
        }
    }

    /// A raw-deflate decompressor (zip entries) bounded to `maximumOutput` bytes.
    public static func deflate(maximumOutput: Int64) throws -> Decompressor {
        try Decompressor(format: BERTH_COMPRESSION_DEFLATE, maximumOutput: maximumOutput)
    }

    private init(format: berth_compression_format, maximumOutput: Int64) throws {
        guard let state = berth_decompressor_create(format) else { throw DecompressionError("could not start a decompressor") }
        self.format = format
        self.state = state
        self.maximumOutput = max(0, maximumOutput)
        self.output = [UInt8](repeating: 0, count: 64 * 1024)
    }

    deinit { berth_decompressor_free(state) }

    /// Decompresses `input`, calling `emit` with each piece of output (a piece is only valid during the call).
    /// Input after the end of a raw-deflate stream is not consumed: the count of bytes used is returned.
    @discardableResult
    public func feed(_ input: some Collection<UInt8>, _ emit: (ArraySlice<UInt8>) throws -> Void) throws -> Int {
        let bytes = Array(input)
        var offset = 0
        while true {
            if isComplete && format == BERTH_COMPRESSION_DEFLATE { return offset }
            var consumed = 0, made = 0
            let status = bytes.withUnsafeBufferPointer { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    berth_decompress(state, inBuffer.baseAddress.map { $0 + offset }, bytes.count - offset, &consumed,
                                     outBuffer.baseAddress, outBuffer.count, &made)
                }
            }
            if status == BERTH_DECOMPRESS_ERROR {
                throw DecompressionError(String(cString: berth_decompressor_message(state)))
            }
            offset += consumed
            if made > 0 {
                produced += Int64(made)
                guard produced <= maximumOutput else {
                    throw DecompressionError("the data expands beyond \(maximumOutput) bytes")
                }
                try emit(output[0..<made])
            }
            isComplete = status == BERTH_DECOMPRESS_END
            // Done when every input byte is used and the last call did not fill the output (nothing left to flush).
            if offset == bytes.count && made < output.count { return offset }
            if consumed == 0 && made == 0 { return offset }
        }
    }

    /// Checks that the stream ended completely (not truncated inside a member or frame).
    public func finish() throws {
        guard isComplete else { throw DecompressionError("the compressed data is truncated") }
    }
}
