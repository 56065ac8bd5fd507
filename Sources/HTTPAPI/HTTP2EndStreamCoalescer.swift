import NIOCore
import NIOHTTP2

/// Below the HTTP/2 codec of a stream: puts END_STREAM on a response's last frame (its HEADERS when there is no
/// body, as for HEAD and 201/202 answers, else its last DATA frame) instead of sending it in an empty DATA frame of
/// its own. Hummingbird writes a response's end separately, which the codec turns into an empty DATA frame; with
/// many streams on a connection those empty frames arrive back to back, and NIO-based clients (AsyncHTTPClient,
/// grpc-swift) take more than one empty DATA frame in a row for an attack and close the connection. The last HEADERS
/// or DATA frame written is held until the next write (merged with a following empty end), the stream closes, or
/// `release` passes after a flush.
final class HTTP2EndStreamCoalescer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload
    static let release: TimeAmount = .milliseconds(2)

    private var pending: (payload: HTTP2Frame.FramePayload, promise: EventLoopPromise<Void>?)?
    private var releaseTask: Scheduled<Void>?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let payload = unwrapOutboundIn(data)
        if case .data(let frame) = payload, frame.endStream, frame.data.readableBytes == 0, let held = pending,
           let merged = Self.ending(held.payload) {
            pending = nil
            releaseTask?.cancel()
            releaseTask = nil
            if let promise, let first = held.promise { first.futureResult.cascade(to: promise) }
            context.write(wrapOutboundOut(merged), promise: held.promise ?? promise)
            return
        }
        writePending(context)
        if Self.ending(payload) != nil {
            pending = (payload, promise)
        } else {
            context.write(data, promise: promise)
        }
    }

    /// `payload` with END_STREAM set, for the HEADERS and DATA frames that do not end their stream yet; else nil.
    static func ending(_ payload: HTTP2Frame.FramePayload) -> HTTP2Frame.FramePayload? {
        switch payload {
        case .headers(var headers) where !headers.endStream:
            headers.endStream = true
            return .headers(headers)
        case .data(var data) where !data.endStream:
            data.endStream = true
            return .data(data)
        default:
            return nil
        }
    }

    func flush(context: ChannelHandlerContext) {
        if pending != nil, releaseTask == nil {
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            releaseTask = context.eventLoop.scheduleTask(in: Self.release) {
                let (handler, context) = loopBound.value
                handler.releaseTask = nil
                handler.writePending(context)
                context.flush()
            }
        }
        context.flush()
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        writePending(context)
        context.flush()
        context.close(mode: mode, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        releaseTask?.cancel()
        releaseTask = nil
        pending?.promise?.fail(ChannelError.ioOnClosedChannel)
        pending = nil
    }

    private func writePending(_ context: ChannelHandlerContext) {
        guard let held = pending else { return }
        pending = nil
        releaseTask?.cancel()
        releaseTask = nil
        context.write(wrapOutboundOut(held.payload), promise: held.promise)
    }
}
