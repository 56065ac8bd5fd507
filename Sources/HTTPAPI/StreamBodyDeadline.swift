import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// In each HTTP/2 stream, after the codec: the HTTP/1.1 body-stall deadline for request bodies. While the server
/// is reading a body and has asked for more, a stream that delivers nothing for `stall` is reset, so a client
/// cannot hold streams (and the uploads behind them) open by trickling nothing. Slow bodies that keep moving are
/// never cut.
final class StreamBodyDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let stall: TimeAmount
    private var readingBody = false
    private var waitingSince: NIODeadline?
    private var timer: RepeatedTask?

    init(stall: TimeAmount) { self.stall = stall }

    /// Armed once the server waits for body bytes, so streams whose request ends with its head (GET, HEAD) cost no timer.
    private func armTimer(_ context: ChannelHandlerContext) {
        guard timer == nil else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            let (handler, context) = loopBound.value
            handler.check(context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        waitingSince = nil
        switch unwrapInboundIn(data) {
        case .head: readingBody = true
        case .body: break
        case .end: readingBody = false
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        if readingBody, waitingSince == nil {
            waitingSince = .now()
            armTimer(context)
        }
        context.read()
    }

    private func check(_ context: ChannelHandlerContext) {
        guard readingBody, let waitingSince, NIODeadline.now() - waitingSince > stall else { return }
        timer?.cancel()
        timer = nil
        context.close(promise: nil)
    }
}
