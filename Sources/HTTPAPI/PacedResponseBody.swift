import Hummingbird
import NIOCore
import Storage

/// A response body streamed from storage at the pace the connection drains it.
///
/// A handler's writes reach its connection's event loop as queued tasks, and the writer learns that the socket is
/// full only once the loop has run them. When the loop is the slower side (it encrypts every byte over TLS), a
/// reader that does not wait would queue chunk after chunk there: eight fast TLS downloads held about 100 MB each.
/// So each chunk waits until the loop has taken the one before it (one queued hop per chunk); by then the writer
/// knows whether the socket is full and holds the next write back until it drains. At most two chunks per
/// response are in flight, and the next read from storage overlaps the loop's work on the previous chunk.
enum PacedResponseBody {
    /// `length` bytes from `reader`, closed at the end or on failure; writes are paced by `eventLoop`.
    static func make(reader: any StorageReader, length: Int64, eventLoop: any EventLoop) -> ResponseBody {
        ResponseBody(contentLength: Int(length)) { writer in
            do {
                var taken: EventLoopFuture<Void>? = nil
                while let chunk = try await reader.next() {
                    try await taken?.get()
                    try await writer.write(chunk)
                    taken = eventLoop.submit {}
                }
                try await taken?.get()
                await reader.close()
            } catch {
                await reader.close()
                throw error
            }
            try await writer.finish(nil)
        }
    }
}
