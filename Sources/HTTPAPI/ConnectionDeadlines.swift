import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// How long a client may take before its connection is closed. None of these cut a slow transfer that is still
/// moving: the body deadline counts only time in which the server waited for bytes and none came.
public struct ConnectionDeadlines: Sendable, Equatable {
    /// From a request's first byte until its header is complete (answered with 408 when it passes).
    public var header: Duration
    /// A connection with no request in progress (a new one included).
    public var idle: Duration
    /// While a request body is being read: the longest the server waits for the next byte.
    public var bodyStall: Duration

    /// Creates deadlines.
    public init(header: Duration = .seconds(30), idle: Duration = .seconds(60), bodyStall: Duration = .seconds(60)) {
        self.header = header
        self.idle = idle
        self.bodyStall = bodyStall
    }
}

/// Hummingbird's HTTP/1.1 channel with `ConnectionDeadlines` enforced: a handler in front of the HTTP decoder (after TLS) sees
/// every byte and every read the server asks for, and one after it sees where requests and responses begin and end.
///
/// The pipeline is Hummingbird's `HTTP1Channel` pipeline, built here so that the number of request parts queued
/// towards the handler (`InboundQueue`) can follow what one part holds.
public struct DeadlineHTTP1Channel: ServerChildChannel {
    public typealias Value = HTTP1Channel.Value
    let responder: HTTPChannelHandler.Responder
    let configuration: HTTP1Channel.Configuration
    let deadlines: ConnectionDeadlines
    let inboundQueue: InboundQueue

    /// Wraps an HTTP/1.1 channel configuration; `inboundQueue` bounds the request parts read ahead of the handler.
    public init(responder: @escaping HTTPChannelHandler.Responder, configuration: HTTP1Channel.Configuration, deadlines: ConnectionDeadlines,
                inboundQueue: InboundQueue = .socket) {
        self.responder = responder
        self.configuration = configuration
        self.deadlines = deadlines
        self.inboundQueue = inboundQueue
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let clock = ConnectionClock(deadlines: deadlines, logger: logger)
        let configuration = self.configuration
        let queue = inboundQueue
        return channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(ByteActivityHandler(clock), position: .last)
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = configuration.httpDecoder.maxHeaderFieldSize
            limits.maxHeaderListSize = configuration.httpDecoder.maxHeaderListSize
            limits.maxHeaderFieldCount = configuration.httpDecoder.maxHeaderFieldCount
            // As HTTP1Channel.setup: NIOAsyncChannel orders pipelined requests, errors are answered by the application,
            // and HTTPTypes has validated outbound headers already.
            try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
                                                     withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandler(RequestPhaseHandler(clock))
            try pipeline.addHandlers(configuration.additionalChannelHandlers())
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: configuration.idleTimeout.map { .init($0) }, logger: logger))
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(
                backPressureStrategy: .init(lowWatermark: queue.resumeBelow, highWatermark: queue.pauseAt), isOutboundHalfClosureEnabled: true))
        }
    }

    public func handle(value: Value, logger: Logger) async {
        await HTTP1Channel(responder: responder, configuration: configuration).handle(value: value, logger: logger)
    }
}

/// How many request parts a connection reads ahead of its handler: reading pauses once `pauseAt` parts wait and
/// resumes when fewer than `resumeBelow` do. A part is what one read burst brought, so its size depends on the transport.
public struct InboundQueue: Sendable, Equatable {
    /// Reading resumes when fewer parts than this wait.
    public let resumeBelow: Int
    /// Reading pauses when this many parts wait.
    public let pauseAt: Int

    /// Plain TCP: a part is one socket read (up to 64 KiB), so NIOAsyncChannel's default of ten holds up to 640 KiB.
    public static let socket = InboundQueue(resumeBelow: 2, pauseAt: 10)
    /// After TLS: a part is everything one read burst decrypted (four socket reads, up to 256 KiB), so two of them
    /// hold less than ten plain parts do. Eight concurrent HTTPS uploads of 256 MiB peaked about 15 MB higher with
    /// ten and 4 MB higher with four (83–85 MB against 87–89), at the same throughput within the noise.
    public static let decryptedBursts = InboundQueue(resumeBelow: 1, pauseAt: 2)
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with connection deadlines.
    public static func http1(configuration: HTTP1Channel.Configuration, deadlines: ConnectionDeadlines) -> HTTPServerBuilder {
        .init { responder in DeadlineHTTP1Channel(responder: responder, configuration: configuration, deadlines: deadlines) }
    }
}

/// Where one connection stands, shared by its two handlers (both run on the connection's event loop).
final class ConnectionClock: @unchecked Sendable {  // touched only on its connection's event loop
    /// What the server is waiting for from the client.
    enum Reading {
        /// Nothing: no request has begun (the connection is idle) since `since`.
        case idle(since: NIODeadline)
        /// The rest of a request header that began at `since`.
        case header(since: NIODeadline)
        /// A request body.
        case body
        /// Nothing, because a response is being produced.
        case responding
    }

    let deadlines: ConnectionDeadlines
    let logger: Logger
    var reading: Reading = .idle(since: .now())
    /// Requests whose response has not been finished.
    var openResponses = 0
    /// Since when the server has been asking for bytes without getting any (nil when it is not asking).
    var waitingSince: NIODeadline?
    var timer: RepeatedTask?

    init(deadlines: ConnectionDeadlines, logger: Logger) {
        self.deadlines = deadlines
        self.logger = logger
    }

    func bytesArrived() {
        waitingSince = nil
        if case .idle = reading { reading = .header(since: .now()) }
    }

    func headerArrived() {
        openResponses += 1
        reading = .body
    }

    func requestEnded() {
        reading = openResponses > 0 ? .responding : .idle(since: .now())
    }

    func responseEnded() {
        openResponses = max(0, openResponses - 1)
        if openResponses == 0, case .responding = reading { reading = .idle(since: .now()) }
    }

    /// What to do now: nothing, close, or answer 408 and close.
    enum Verdict { case keep, close, requestTimeout }

    func verdict(now: NIODeadline) -> Verdict {
        switch reading {
        case .idle(let since):
            return now - since > TimeAmount(deadlines.idle) ? .close : .keep
        case .header(let since):
            return now - since > TimeAmount(deadlines.header) ? .requestTimeout : .keep
        case .body:
            guard let waitingSince else { return .keep }
            return now - waitingSince > TimeAmount(deadlines.bodyStall) ? .close : .keep
        case .responding:
            return .keep
        }
    }
}

/// First in the pipeline: sees raw bytes arrive and the server ask for more, and checks the deadlines each second.
final class ByteActivityHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData
    let clock: ConnectionClock

    init(_ clock: ConnectionClock) { self.clock = clock }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startTimer(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startTimer(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        clock.timer?.cancel()
        clock.timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        clock.timer?.cancel()
        clock.timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        clock.bytesArrived()
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        if clock.waitingSince == nil { clock.waitingSince = .now() }
        context.read()
    }

    private func startTimer(_ context: ChannelHandlerContext) {
        guard clock.timer == nil else { return }
        clock.reading = .idle(since: .now())
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        clock.timer = context.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { task in
            let (handler, context) = loopBound.value
            handler.check(context, task)
        }
    }

    private func check(_ context: ChannelHandlerContext, _ task: RepeatedTask) {
        let verdict = clock.verdict(now: .now())
        guard verdict != .keep else { return }
        task.cancel()
        clock.timer = nil
        clock.logger.debug("closing a connection that missed its deadline", metadata: ["peer": "\(context.remoteAddress?.ipAddress ?? "-")"])
        if verdict == .requestTimeout {
            let answer = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 40\r\n\r\nthe request header took too long to send"
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(ByteBuffer(string: answer))), promise: nil)
        }
        context.close(promise: nil)
    }
}

/// After the HTTP decoder: sees where requests and responses begin and end.
final class RequestPhaseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart
    let clock: ConnectionClock

    init(_ clock: ConnectionClock) { self.clock = clock }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: clock.headerArrived()
        case .body: break
        case .end: clock.requestEnded()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { clock.responseEnded() }
        context.write(data, promise: promise)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
