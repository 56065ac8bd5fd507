import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// One connection to an LDAP server: connect (plain or TLS), optionally StartTLS, then bind and search, one operation
/// at a time. Every operation has a deadline.
final class LDAPConnection: @unchecked Sendable {
    private let channel: any Channel
    private let responses: AsyncThrowingStream<[UInt8], any Error>
    private var iterator: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
    private var nextID = 1
    private let timeout: Duration

    private init(channel: any Channel, responses: AsyncThrowingStream<[UInt8], any Error>, timeout: Duration) {
        self.channel = channel
        self.responses = responses
        self.iterator = responses.makeAsyncIterator()
        self.timeout = timeout
    }

    /// Connects to `url` (`ldap://` or `ldaps://`), with `tls` settings for ldaps and StartTLS.
    static func connect(to url: LDAPURL, tls: TLSConfiguration, startTLS: Bool, timeout: Duration,
                        group: any EventLoopGroup) async throws -> LDAPConnection {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let sslContext = try (url.secure || startTLS) ? NIOSSLContext(configuration: tls) : nil
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.milliseconds(Int64(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if url.secure, let sslContext {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: url.serverHostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LDAPFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(LDAPFrameForwarder(continuation: continuation))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: url.host, port: url.port).get()
        } catch {
            throw LDAPError.connection("\(url.host):\(url.port): \(error)")
        }
        let connection = LDAPConnection(channel: channel, responses: stream, timeout: timeout)
        if startTLS, !url.secure, let sslContext {
            try await connection.startTLS(context: sslContext, hostname: url.serverHostname)
        }
        return connection
    }

    /// Simple bind. Returns false for invalid credentials (result 49); throws for other failures.
    func bind(dn: String, password: String) async throws -> Bool {
        let id = allocateID()
        let responses = try await exchange(LDAPMessages.bindRequest(id: id, dn: dn, password: password), id: id) { response in
            if case .bind = response { return true }
            return false
        }
        guard case .bind(let result) = responses.last else { throw LDAPError.protocolError("no bind response") }
        switch result.code {
        case 0: return true
        case 49: return false
        default: throw LDAPError.operation("bind", code: result.code, message: result.message)
        }
    }

    /// Searches and returns the entries (references are skipped). "No such object" gives no entries.
    func search(base: String, scope: LDAPMessages.Scope, filter: LDAPFilter, attributes: [String], sizeLimit: Int = 0) async throws -> [LDAPMessages.Entry] {
        let id = allocateID()
        let seconds = Int(timeout.components.seconds)
        let request = LDAPMessages.searchRequest(id: id, base: base, scope: scope, filter: filter, attributes: attributes, sizeLimit: sizeLimit, timeLimit: seconds)
        let responses = try await exchange(request, id: id) { response in
            if case .searchDone = response { return true }
            return false
        }
        guard case .searchDone(let result) = responses.last else { throw LDAPError.protocolError("no search result") }
        guard [0, 4, 32].contains(result.code) else { throw LDAPError.operation("search", code: result.code, message: result.message) }
        return responses.compactMap { response in
            if case .searchEntry(let entry) = response { return entry }
            return nil
        }
    }

    /// Sends an unbind and closes the connection.
    func close() async {
        let id = allocateID()
        try? await channel.writeAndFlush(ByteBuffer(bytes: LDAPMessages.unbindRequest(id: id)))
        try? await channel.close()
    }

    private func startTLS(context: NIOSSLContext, hostname: String?) async throws {
        let id = allocateID()
        let responses = try await exchange(LDAPMessages.startTLSRequest(id: id), id: id) { response in
            if case .extended = response { return true }
            return false
        }
        guard case .extended(let result) = responses.last, result.code == 0 else {
            if case .extended(let result) = responses.last { throw LDAPError.operation("StartTLS", code: result.code, message: result.message) }
            throw LDAPError.protocolError("no StartTLS response")
        }
        let handler = try NIOSSLClientHandler(context: context, serverHostname: hostname)
        try await channel.pipeline.addHandler(handler, position: .first)
    }

    private func allocateID() -> Int {
        defer { nextID += 1 }
        return nextID
    }

    /// Writes a request and collects responses with its id until `isLast` says the operation is done. If the deadline
    /// passes first, the connection is closed and the operation fails with `.timeout`.
    private func exchange(_ request: [UInt8], id: Int, isLast: (LDAPMessages.Response) -> Bool) async throws -> [LDAPMessages.Response] {
        let timedOut = NIOLockedValueBox(false)
        let channel = self.channel
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
            timedOut.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        try await channel.writeAndFlush(ByteBuffer(bytes: request))
        var collected: [LDAPMessages.Response] = []
        while true {
            let frame: [UInt8]?
            do { frame = try await iterator.next() } catch {
                throw timedOut.withLockedValue { $0 } ? LDAPError.timeout : LDAPError.connection("\(error)")
            }
            guard let frame else {
                throw timedOut.withLockedValue { $0 } ? LDAPError.timeout : LDAPError.connection("the server closed the connection")
            }
            let (messageID, response) = try LDAPMessages.decode(frame)
            guard messageID == id else {
                if messageID == 0 { throw LDAPError.protocolError("the server sent a notice of disconnection") }
                continue
            }
            collected.append(response)
            if isLast(response) { return collected }
        }
    }
}

/// Splits the byte stream into whole LDAP messages.
struct LDAPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = [UInt8]

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = try LDAPMessages.frameLength(buffer.readableBytesView), buffer.readableBytes >= length,
              let frame = buffer.readBytes(length: length) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }
}

/// Hands whole messages to the connection's stream, and ends the stream when the channel closes or fails.
final class LDAPFrameForwarder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = [UInt8]
    let continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation

    init(continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation) { self.continuation = continuation }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        continuation.yield(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish(throwing: error)
        context.close(promise: nil)
    }
}

/// A parsed `ldap://` or `ldaps://` URL.
public struct LDAPURL: Sendable, Equatable {
    /// Host name or address.
    public var host: String
    /// Port (389 and 636 by default).
    public var port: Int
    /// Whether the connection is TLS from the start (`ldaps`).
    public var secure: Bool

    /// Parses a URL; a bare `host[:port]` is taken as `ldap://`.
    public init(_ text: String) throws {
        var rest = Substring(text)
        if rest.hasPrefix("ldaps://") { secure = true; rest = rest.dropFirst(8) } else if rest.hasPrefix("ldap://") {
            secure = false; rest = rest.dropFirst(7)
        } else if rest.contains("://") {
            throw LDAPError.configuration("the URL must start with ldap:// or ldaps://")
        } else { secure = false }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if let colon = rest.lastIndex(of: ":"), !rest.hasPrefix("[") || rest[..<colon].hasSuffix("]") {
            guard let number = Int(rest[rest.index(after: colon)...]), (1 ... 65535).contains(number) else {
                throw LDAPError.configuration("bad port in the LDAP URL")
            }
            port = number
            rest = rest[..<colon]
        } else {
            port = secure ? 636 : 389
        }
        host = String(rest.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
        guard !host.isEmpty else { throw LDAPError.configuration("the LDAP URL has no host") }
    }

    /// The name to check the server certificate against (nil for an IP address, which is checked by its SAN IP).
    var serverHostname: String? {
        host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
    }
}
