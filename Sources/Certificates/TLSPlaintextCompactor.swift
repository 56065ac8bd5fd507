import NIOCore

/// After TLS: hands decrypted bytes on in buffers sized to what they hold. NIOSSL decrypts everything one read
/// burst brings into one buffer that grows to the largest burst and keeps that capacity, so each chunk of an
/// upload body, which the HTTP decoder slices from it and queues towards the handler, would otherwise pin a
/// buffer of up to half a megabyte however few bytes it carries.
public final class TLSPlaintextCompactor: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    /// A compactor for one connection.
    public init() {}

    /// Unused capacity (bytes) above which a buffer is copied into one of its own size.
    public static let slack = 16 * 1024

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard buffer.capacity - buffer.readableBytes > Self.slack else {
            context.fireChannelRead(data)
            return
        }
        var compact = context.channel.allocator.buffer(capacity: buffer.readableBytes)
        compact.writeImmutableBuffer(buffer)
        context.fireChannelRead(wrapInboundOut(compact))
    }
}
