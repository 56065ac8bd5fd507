import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection for sending HTTP that no well-behaved client would send: headers trickled byte by byte,
/// bodies shorter than their `Content-Length`, broken chunked encoding. Blocking calls, run off the cooperative pool.
final class RawConnection: @unchecked Sendable {
    private let fd: Int32

    /// Connects to `127.0.0.1:port`.
    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        // The descriptor is closed by `deinit` only: it also runs when this initializer throws (every property is
        // set by then), and a second close could close a descriptor another thread has just been given for the same
        // number — a database file of a test running alongside.
        guard result == 0 else { throw TestFailure("connect() to port \(port) failed") }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Sends bytes; false when the peer has closed the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Sends text.
    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Half-closes the sending side (the client is done, as if it hung up mid-body).
    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Everything the server sends until it closes the connection or `timeout` passes; `closed` tells which.
    func readUntilClose(timeout: Duration) async -> (bytes: [UInt8], closed: Bool) {
        await read(timeout: timeout) { _ in false }
    }

    /// Everything the server sends until a response head (status line and headers) has arrived; waits at most `timeout`.
    /// For a kept-alive connection, where waiting for the close would always wait the whole timeout.
    func readResponseHead(timeout: Duration) async -> [UInt8] {
        await read(timeout: timeout) { $0.firstRange(of: [13, 10, 13, 10]) != nil }.bytes
    }

    /// Reads until the server closes, `enough` says the bytes so far suffice, or `timeout` passes.
    private func read(timeout: Duration, until enough: @escaping @Sendable ([UInt8]) -> Bool) async -> (bytes: [UInt8], closed: Bool) {
        let fd = self.fd
        return await onOwnThread {
            var received: [UInt8] = []
            let deadline = ContinuousClock.now + timeout
            var buffer = [UInt8](repeating: 0, count: 65536)
            while ContinuousClock.now < deadline {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let remaining = deadline - ContinuousClock.now
                let milliseconds = max(1, Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
                guard poll(&poller, 1, min(milliseconds, 200)) > 0 else { continue }
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return (received, true) }
                received.append(contentsOf: buffer[0 ..< n])
                if enough(received) { return (received, false) }
            }
            return (received, false)
        }
    }

    /// The status code of the first response in `bytes`, if there is one.
    static func status(of bytes: [UInt8]) -> Int? {
        let text = String(decoding: bytes.prefix(64), as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(text.dropFirst(9).prefix(3))
    }
}
