import Logging
import NIOCore
import NIOTLS

/// In front of TLS: a client that speaks plain HTTP to the HTTPS port gets a readable 400 telling it to use https
/// (as Go's servers answer) instead of a TLS alert it cannot show; anything else that is not a TLS handshake is
/// closed. A TLS handshake record passes through and the handler leaves the pipeline.
final class PlainHTTPRefusal: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// First bytes of the request methods a registry client sends.
    private static let methodStarts: Set<UInt8> = Set("GDPHOTC".utf8)

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return }
        if first == 0x16 {  // TLS handshake record
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        if Self.methodStarts.contains(first) {
            let body = "This port speaks HTTPS: use https:// (the client sent plain HTTP).\n"
            let answer = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer))).whenComplete { _ in context.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }
}

/// After TLS: closes a connection whose handshake has not completed within `timeout` (a client that stalls
/// mid-handshake would otherwise hold the connection forever, since the HTTP deadlines start after it).
final class HandshakeDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    let timeout: TimeAmount
    let logger: Logger
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount, logger: Logger) {
        self.timeout = timeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let logger = self.logger
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let context = loopBound.value
            logger.debug("closing a connection whose TLS handshake did not finish in time", metadata: ["peer": "\(context.remoteAddress?.ipAddress ?? "-")"])
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            timer?.cancel()
            timer = nil
            context.fireUserInboundEventTriggered(event)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }
}
