import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A webhook receiver for the events workload: answers every request 200 at once and counts them.
final class WebhookSink: Sendable {
    /// The number of requests answered.
    final class Tally: Sendable {
        let value = Atomic<Int>(0)
    }

    let channel: any Channel
    let tally: Tally

    /// The URL policies point at.
    var url: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)/hook" }
    /// Requests received so far.
    var count: Int { tally.value.load(ordering: .relaxed) }

    private init(channel: any Channel, tally: Tally) {
        self.channel = channel
        self.tally = tally
    }

    static func start() async throws -> WebhookSink {
        let tally = Tally()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap { channel.pipeline.addHandler(Answer(tally: tally)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return WebhookSink(channel: channel, tally: tally)
    }

    func stop() async { try? await channel.close() }

    final class Answer: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let tally: Tally
        init(tally: Tally) { self.tally = tally }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            tally.value.add(1, ordering: .relaxed)
            let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "0"])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
