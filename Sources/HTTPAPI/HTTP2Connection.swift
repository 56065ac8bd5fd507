import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP2
import NIOHTTPTypes
import NIOHTTPTypesHTTP2

/// An HTTP/2 connection: NIO's HTTP/2 with Berth's settings, each stream served by Hummingbird's request loop.
/// Hummingbird's own HTTP/2 channel cannot be configured and closes a stream as soon as its response is handed
/// over, which resets streams whose last frames have not gone out yet and, counted as protocol "glitches" by the
/// peer or by NIO itself, eventually drops whole connections under load. Here a stream ends when both sides have
/// ended it (`handleHTTP` waits for that), responses carry END_STREAM on their last frame, flow-control windows fit
/// registry transfers, and the connection closes after `idle` without streams or when the server shuts down.
public struct BerthHTTP2Channel: ServerChildChannel {
    /// The connection's stream multiplexer.
    public struct Value: ServerChildChannelValue {
        let streams: NIOHTTP2Handler.AsyncStreamMultiplexer<NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>>
        public let channel: any Channel
    }

    let requests: HTTP1Channel
    let streamHandlers: @Sendable () -> [any RemovableChannelHandler]
    let idle: Duration
    let bodyStall: Duration

    /// Serves `responder` on HTTP/2 streams, with `configuration`'s extra handlers in each stream; `deadlines` give
    /// the connection's idle time and each request body's stall limit.
    public init(responder: @escaping HTTPChannelHandler.Responder, configuration: HTTP1Channel.Configuration, deadlines: ConnectionDeadlines) {
        requests = HTTP1Channel(responder: responder, configuration: configuration)
        streamHandlers = configuration.additionalChannelHandlers
        idle = deadlines.idle
        bodyStall = deadlines.bodyStall
    }

    /// NIO's HTTP/2 settings for registry traffic.
    static var configuration: NIOHTTP2Handler.Configuration {
        var configuration = NIOHTTP2Handler.Configuration()
        configuration.connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: 256),
            HTTP2Setting(parameter: .initialWindowSize, value: 1 << 20),
            HTTP2Setting(parameter: .maxHeaderListSize, value: 64 << 10),
        ]
        // Large windows: a blob upload should not wait for a window update every 64 KiB.
        configuration.connection.targetWindowSize = 16 << 20
        configuration.stream.targetWindowSize = 1 << 20
        // NIO closes a connection after 200 stream errors over its whole life; busy, long-lived connections of
        // well-behaved clients get there (a late WINDOW_UPDATE or RST_STREAM on a stream that just closed counts).
        // Rate-based limits (resets, control frames, empty DATA frames) stay at NIO's defaults.
        configuration.connection.maximumConnectionGlitches = 10_000
        return configuration
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let keeper = HTTP2ConnectionKeeper(idle: TimeAmount(idle), logger: logger)
            let handlers = streamHandlers
            let stall = TimeAmount(bodyStall)
            let streams = try channel.pipeline.syncOperations.configureAsyncHTTP2Pipeline(
                mode: .server, streamDelegate: keeper, configuration: Self.configuration
            ) { stream in
                stream.eventLoop.makeCompletedFuture {
                    try stream.pipeline.syncOperations.addHandler(HTTP2EndStreamCoalescer())
                    try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTPServerCodec())
                    try stream.pipeline.syncOperations.addHandler(StreamBodyDeadline(stall: stall))
                    try stream.pipeline.syncOperations.addHandlers(handlers())
                    return try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(wrappingChannelSynchronously: stream)
                }
            }
            // After NIO's HTTP/2 handler: the keeper writes HTTP/2 frames (GOAWAY).
            try channel.pipeline.syncOperations.addHandler(keeper)
            return Value(streams: streams, channel: channel)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        do {
            try await withThrowingDiscardingTaskGroup { group in
                for try await stream in value.streams.inbound {
                    group.addTask { await requests.handleHTTP(asyncChannel: stream, logger: logger) }
                }
            }
        } catch {
            logger.debug("HTTP/2 connection ended", metadata: ["error": "\(error)"])
        }
    }
}

/// Watches one HTTP/2 connection's streams: closes the connection after `idle` without any, and when the server
/// shuts down sends GOAWAY and closes once the open streams are done (at most 10 seconds later).
final class HTTP2ConnectionKeeper: ChannelInboundHandler, NIOHTTP2StreamDelegate, @unchecked Sendable {  // used on its event loop only
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = HTTP2Frame
    let idle: TimeAmount
    let logger: Logger
    private var context: ChannelHandlerContext?
    private var openStreams = 0
    private var idleTimer: Scheduled<Void>?
    private var quiescing = false

    init(idle: TimeAmount, logger: Logger) {
        self.idle = idle
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        armIdleTimer()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        self.context = nil
    }

    func streamCreated(_ id: HTTP2StreamID, channel: any Channel) {
        openStreams += 1
        idleTimer?.cancel()
        idleTimer = nil
    }

    func streamClosed(_ id: HTTP2StreamID, channel: any Channel) {
        openStreams = max(0, openStreams - 1)
        guard openStreams == 0 else { return }
        if quiescing { context?.close(promise: nil) } else { armIdleTimer() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
        quiescing = true
        let goAway = HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: .maxID, errorCode: .noError, opaqueData: nil))
        context.writeAndFlush(NIOAny(goAway), promise: nil)
        if openStreams == 0 {
            context.close(promise: nil)
        } else {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .seconds(10)) { loopBound.value.close(promise: nil) }
        }
    }

    private func armIdleTimer() {
        guard let context else { return }
        idleTimer?.cancel()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let logger = self.logger
        idleTimer = context.eventLoop.scheduleTask(in: idle) {
            logger.debug("closing an idle HTTP/2 connection")
            loopBound.value.close(promise: nil)
        }
    }
}
