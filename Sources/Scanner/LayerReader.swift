/// Reads one image layer as its blob arrives — compressed with gzip or zstd, or a plain tar — and hands back the tar
/// events: the caller never holds more than a chunk of the layer, and never writes it to disk.
public struct LayerReader {
    /// How the layer turned out to be compressed (known once its first four bytes have arrived).
    public private(set) var compression: LayerCompression?
    private var prefix: [UInt8] = []
    private var decompressor: Decompressor?
    private var tar = TarReader()
    private let maximumOutput: Int64

    /// A reader for one layer whose uncompressed tar may be at most `maximumOutput` bytes (a bound on the time a
    /// compression bomb can cost).
    public init(maximumOutput: Int64 = 1 << 36) {
        self.maximumOutput = maximumOutput
    }

    /// Consumes the next bytes of the blob; `handle` gets the tar events they complete, in order.
    public mutating func feed(_ chunk: some Collection<UInt8>, _ handle: (TarReader.Event) throws -> Void) throws {
        if compression == nil {
            prefix += chunk
            guard prefix.count >= 4 else { return }
            let buffered = prefix
            prefix = []
            try start(with: buffered, handle)
            return
        }
        try pass(chunk, handle)
    }

    /// Ends the blob: checks that neither the compression nor the tar archive was cut short.
    public mutating func finish(_ handle: (TarReader.Event) throws -> Void) throws {
        if compression == nil {
            let buffered = prefix
            prefix = []
            try start(with: buffered, handle)
        }
        try decompressor?.finish()
        try tar.finish()
    }

    private mutating func start(with bytes: [UInt8], _ handle: (TarReader.Event) throws -> Void) throws {
        let detected = LayerCompression.detect(bytes)
        compression = detected
        if detected != .none { decompressor = try Decompressor(detected, maximumOutput: maximumOutput) }
        try pass(bytes, handle)
    }

    private mutating func pass(_ chunk: some Collection<UInt8>, _ handle: (TarReader.Event) throws -> Void) throws {
        if let decompressor {
            var tar = self.tar
            defer { self.tar = tar }
            try decompressor.feed(chunk) { piece in
                for event in try tar.feed(piece) { try handle(event) }
            }
        } else {
            for event in try tar.feed(chunk) { try handle(event) }
        }
    }
}
