import NIOCore
import Synchronization

/// Hands the chunks of one download to one reader while the download goes on elsewhere (the proxy cache stores a
/// blob and streams it to the client that asked for it at the same time). At most `capacity` chunks wait for the
/// reader: a slow reader slows the download. A reader that leaves (`cancel`) no longer holds the download back.
final class ChunkRelay: Sendable {
    private struct State {
        var opened = false
        var length: Int64? = nil
        var openWaiter: CheckedContinuation<Int64?, any Error>? = nil
        var buffer: [ByteBuffer] = []
        var finished = false
        var failure: (any Error)? = nil
        var readerGone = false
        var readerWaiter: CheckedContinuation<ByteBuffer?, any Error>? = nil
        var writerWaiter: CheckedContinuation<Void, Never>? = nil
    }

    private let state = Mutex(State())
    let capacity: Int

    /// A relay holding at most `capacity` chunks for the reader.
    init(capacity: Int = 16) {
        self.capacity = max(1, capacity)
    }

    // MARK: - The download's side

    /// The download started; `length` is its size when the remote announced one.
    func open(length: Int64?) {
        let waiter = state.withLock { state -> CheckedContinuation<Int64?, any Error>? in
            guard !state.opened, !state.finished else { return nil }
            state.opened = true
            state.length = length
            defer { state.openWaiter = nil }
            return state.openWaiter
        }
        waiter?.resume(returning: length)
    }

    /// Passes a chunk to the reader; waits while `capacity` chunks are already waiting for it.
    func send(_ chunk: ByteBuffer) async {
        let waiter = state.withLock { state -> CheckedContinuation<ByteBuffer?, any Error>? in
            guard !state.readerGone, !state.finished else { return nil }
            if let waiter = state.readerWaiter {
                state.readerWaiter = nil
                return waiter
            }
            state.buffer.append(chunk)
            return nil
        }
        if let waiter {
            waiter.resume(returning: chunk)
            return
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let proceed = state.withLock { state -> Bool in
                if state.readerGone || state.buffer.count < capacity { return true }
                state.writerWaiter = continuation
                return false
            }
            if proceed { continuation.resume() }
        }
    }

    /// The download ended: the reader gets the rest of the chunks, then the end or `failure`.
    func finish(_ failure: (any Error)? = nil) {
        let (opener, reader) = state.withLock { state -> (CheckedContinuation<Int64?, any Error>?, CheckedContinuation<ByteBuffer?, any Error>?) in
            guard !state.finished else { return (nil, nil) }
            state.finished = true
            state.failure = failure
            defer {
                state.openWaiter = nil
                state.readerWaiter = nil
            }
            return (state.openWaiter, state.buffer.isEmpty ? state.readerWaiter : nil)
        }
        if let opener {
            if let failure { opener.resume(throwing: failure) } else { opener.resume(returning: nil) }
        }
        if let reader {
            if let failure { reader.resume(throwing: failure) } else { reader.resume(returning: nil) }
        }
    }

    // MARK: - The reader's side

    /// Waits until the download started and returns its announced length; throws when it failed before starting.
    func opening() async throws -> Int64? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int64?, any Error>) in
            let ready = state.withLock { state -> Result<Int64?, any Error>? in
                if state.opened { return .success(state.length) }
                if state.finished { return state.failure.map { .failure($0) } ?? .success(nil) }
                state.openWaiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// The next chunk; nil at the end; throws what the download failed with.
    func next() async throws -> ByteBuffer? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ByteBuffer?, any Error>) in
            let (ready, writer) = state.withLock { state -> (Result<ByteBuffer?, any Error>?, CheckedContinuation<Void, Never>?) in
                if !state.buffer.isEmpty {
                    let chunk = state.buffer.removeFirst()
                    defer { state.writerWaiter = nil }
                    return (.success(chunk), state.writerWaiter)
                }
                if state.finished { return (state.failure.map { .failure($0) } ?? .success(nil), nil) }
                if state.readerGone { return (.success(nil), nil) }
                state.readerWaiter = continuation
                return (nil, nil)
            }
            writer?.resume()
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// The reader left: the download goes on without it.
    func cancel() {
        let (writer, reader) = state.withLock { state -> (CheckedContinuation<Void, Never>?, CheckedContinuation<ByteBuffer?, any Error>?) in
            state.readerGone = true
            state.buffer.removeAll()
            defer {
                state.writerWaiter = nil
                state.readerWaiter = nil
            }
            return (state.writerWaiter, state.readerWaiter)
        }
        writer?.resume()
        reader?.resume(returning: nil)
    }
}
