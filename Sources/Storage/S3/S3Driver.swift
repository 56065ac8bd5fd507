import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Where and how to reach an S3 bucket.
public struct S3Settings: Sendable, Equatable {
    /// Endpoint URL, e.g. `https://s3.eu-central-1.amazonaws.com` or `http://127.0.0.1:9000`.
    public var endpoint: String
    /// Region used in signatures.
    public var region: String
    /// Bucket name.
    public var bucket: String
    /// Key prefix inside the bucket (no leading or trailing slash), or empty.
    public var prefix: String
    /// Access key id.
    public var accessKey: String
    /// Secret access key.
    public var secretKey: String
    /// `endpoint/bucket/key` (true) or `bucket.endpoint/key` (false).
    public var pathStyle: Bool
    /// Bytes buffered before a segment of an upload in progress is written (at least 5 MiB).
    public var partSize: Int
    /// Whether blob pulls are answered with a redirect to a presigned URL (clients then read from S3 directly).
    public var redirect: Bool = false

    /// Creates settings.
    public init(endpoint: String, region: String, bucket: String, prefix: String = "", accessKey: String, secretKey: String,
                pathStyle: Bool = true, partSize: Int = 8 * 1024 * 1024) {
        self.endpoint = endpoint
        self.region = region
        self.bucket = bucket
        self.prefix = prefix
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.pathStyle = pathStyle
        self.partSize = max(partSize, 5 * 1024 * 1024)
    }
}

/// Storage on S3 (or any server speaking its API), signed with SigV4 on AsyncHTTPClient.
///
/// Objects map to keys `<prefix>/<path>`. An object written with `writer(for:startingAt:)` (an upload in progress)
/// is kept as segments `<path>/.segment-<offset>`, each written once, so a writer reopened at an offset — by any
/// instance — drops the segments beyond it and appends; `move` then assembles the segments into the destination
/// with a multipart upload (server-side copies when segments are large enough, streamed otherwise).
public struct S3Driver: StorageDriver {
    let settings: S3Settings
    let client: HTTPClient
    let signer: SigV4Signer
    let scheme: String
    let host: String
    let basePath: String

    /// A short name for logs.
    public var name: String { "s3" }

    static let segmentMarker = ".segment-"
    static let minimumPart = 5 * 1024 * 1024

    /// Prepares the driver; `client` is shared and owned by the caller.
    public init(settings: S3Settings, client: HTTPClient) throws {
        guard let url = URL(string: settings.endpoint), let scheme = url.scheme, let host = url.host else {
            throw StorageError.backend("the S3 endpoint must be a URL such as https://s3.amazonaws.com")
        }
        self.settings = settings
        self.client = client
        self.signer = SigV4Signer(accessKey: settings.accessKey, secretKey: settings.secretKey, region: settings.region)
        self.scheme = scheme
        let port = url.port.map { ":\($0)" } ?? ""
        if settings.pathStyle {
            self.host = host + port
            self.basePath = "/" + settings.bucket
        } else {
            self.host = settings.bucket + "." + host + port
            self.basePath = ""
        }
    }

    // MARK: Keys and requests

    func key(_ path: StoragePath) -> String {
        settings.prefix.isEmpty ? path.description : settings.prefix + "/" + path.description
    }

    func segmentKey(_ path: StoragePath, offset: Int64) -> String {
        key(path) + "/" + Self.segmentMarker + String(format: "%020lld", offset)
    }

    struct Reply {
        var status: UInt
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    /// Sends a signed request and collects the (small) answer.
    func send(_ method: HTTPMethod, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [],
              body: ByteBuffer? = nil, parts: [ByteBuffer]? = nil, accept: Set<UInt> = [200]) async throws -> Reply {
        let response = try await execute(method, key: key, query: query, headers: headers, parts: parts ?? body.map { [$0] })
        let collected = try await response.body.collect(upTo: 64 * 1024 * 1024)
        let reply = Reply(status: response.status.code, headers: response.headers, body: collected)
        guard accept.contains(reply.status) else { throw failure(method, key, reply) }
        return reply
    }

    func execute(_ method: HTTPMethod, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [],
                 body: ByteBuffer? = nil) async throws -> HTTPClientResponse {
        try await execute(method, key: key, query: query, headers: headers, parts: body.map { [$0] })
    }

    /// Statuses S3 asks clients to retry (InternalError, SlowDown, ServiceUnavailable and gateway errors).
    static let retriedStatuses: Set<UInt> = [500, 502, 503, 504]
    /// Tries per request: the first and up to three retries, 100, 200 and 400 ms apart.
    static let attempts = 4

    /// Sends a signed request whose body is `parts` one after another (sent as they are, never joined). Answers S3
    /// asks to retry, and failed connections, are retried: every request Berth makes is idempotent, and a retried
    /// multipart start at worst leaves an unused upload id behind.
    func execute(_ method: HTTPMethod, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [],
                 parts: [ByteBuffer]?) async throws -> HTTPClientResponse {
        let path = basePath + (key.map { "/" + SigV4Signer.uriEncode($0, keepSlash: true) } ?? "/")
        let payloadHash = SigV4Signer.payloadHash(parts ?? [])
        let length = parts?.reduce(0) { $0 + $1.readableBytes }
        var allHeaders = headers
        if let length { allHeaders.append(("content-length", String(length))) }
        let queryString = SigV4Signer.canonicalQuery(query)
        var attempt = 0
        while true {
            attempt += 1
            let signed = signer.sign(method: method.rawValue, host: host, path: path, query: query, headers: allHeaders, payloadHash: payloadHash)
            var request = HTTPClientRequest(url: "\(scheme)://\(host)\(path)\(queryString.isEmpty ? "" : "?" + queryString)")
            request.method = method
            for (name, value) in allHeaders + signed where name != "content-length" { request.headers.add(name: name, value: value) }
            if let parts, let length {
                request.body = parts.count == 1 ? .bytes(parts[0]) : .stream(BufferSequence(buffers: parts), length: .known(Int64(length)))
            }
            do {
                let response = try await client.execute(request, timeout: .seconds(300))
                guard Self.retriedStatuses.contains(response.status.code), attempt < Self.attempts else { return response }
                _ = try? await response.body.collect(upTo: 1 << 20)
            } catch {
                guard attempt < Self.attempts else { throw StorageError.backend("S3 \(method.rawValue) \(key ?? "bucket") failed: \(error)") }
            }
            try await Task.sleep(for: .milliseconds(50 << attempt))
        }
    }

    func failure(_ method: HTTPMethod, _ key: String?, _ reply: Reply) -> StorageError {
        let detail = S3XML.error(in: Data(reply.body.readableBytesView)).map { "\($0.code): \($0.message)" } ?? "HTTP \(reply.status)"
        return .backend("S3 \(method.rawValue) \(key ?? "bucket"): \(detail)")
    }

    // MARK: Listing helpers

    /// Every object under `prefix` (recursively), following continuation tokens.
    func listAll(prefix: String, delimiter: String? = nil) async throws -> (objects: [S3XML.ListedObject], prefixes: [String]) {
        var objects: [S3XML.ListedObject] = []
        var prefixes: [String] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix)]
            if let delimiter { query.append(("delimiter", delimiter)) }
            if let token { query.append(("continuation-token", token)) }
            let reply = try await send(.GET, key: nil, query: query)
            let page = S3XML.listing(Data(reply.body.readableBytesView))
            objects += page.objects
            prefixes += page.prefixes
            token = page.next
        } while token != nil
        return (objects, prefixes)
    }

    /// The segments of an upload in progress, in order, with their offsets.
    func segments(of path: StoragePath) async throws -> [(key: String, offset: Int64, size: Int64, modified: String)] {
        let prefix = key(path) + "/" + Self.segmentMarker
        return try await listAll(prefix: prefix).objects.compactMap { object in
            guard let offset = Int64(object.key.dropFirst(prefix.count)) else { return nil }
            return (object.key, offset, object.size, object.lastModified)
        }.sorted { $0.offset < $1.offset }
    }

    /// Creates the bucket (nothing happens when it exists already).
    public func createBucket() async throws {
        let response = try await execute(.PUT, key: nil)
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code == 200 || response.status.code == 409 else {
            throw failure(.PUT, nil, Reply(status: response.status.code, headers: response.headers, body: body))
        }
    }

    // MARK: StorageDriver

    public func size(of path: StoragePath) async throws -> Int64? {
        let reply = try await send(.HEAD, key: key(path), accept: [200, 404])
        if reply.status == 200 { return reply.headers.first(name: "Content-Length").flatMap { Int64($0) } }
        let parts = try await segments(of: path)
        return parts.isEmpty ? nil : parts.reduce(0) { $0 + $1.size }
    }

    public func modificationTime(of path: StoragePath) async throws -> Double? {
        let reply = try await send(.HEAD, key: key(path), accept: [200, 404])
        if reply.status == 200 { return reply.headers.first(name: "Last-Modified").flatMap(Self.httpDate) }
        return try await segments(of: path).compactMap { Self.isoDate($0.modified) }.max()
    }

    public func reader(for path: StoragePath, range: Range<Int64>?) async throws -> any StorageReader {
        if let range, range.isEmpty {
            guard try await size(of: path) != nil else { throw StorageError.notFound(path) }
            return S3Reader(driver: self, pieces: [], range: range)
        }
        // A committed object is read with one GET (no HEAD first); only a miss looks for upload segments.
        let response = try await execute(.GET, key: key(path), headers: range.map { [("range", "bytes=\($0.lowerBound)-\($0.upperBound - 1)")] } ?? [])
        switch response.status.code {
        case 200, 206:
            let length = response.headers.first(name: "Content-Length").flatMap { Int64($0) }
            let total = response.headers.first(name: "Content-Range").flatMap { $0.split(separator: "/").last.flatMap { Int64($0) } } ?? length ?? 0
            let wanted = range ?? 0 ..< total
            let reader = S3Reader(driver: self, pieces: [(key(path), 0, total)], range: wanted)
            reader.adopt(response, from: wanted.lowerBound, length: length)
            return reader
        case 404:
            _ = try? await response.body.collect(upTo: 1 << 20)
            let parts = try await segments(of: path)
            guard !parts.isEmpty else { throw StorageError.notFound(path) }
            let pieces = parts.map { (key: $0.key, offset: $0.offset, size: $0.size) }
            return S3Reader(driver: self, pieces: pieces, range: range ?? 0 ..< (pieces.last.map { $0.offset + $0.size } ?? 0))
        case 416:
            _ = try? await response.body.collect(upTo: 1 << 20)
            return S3Reader(driver: self, pieces: [], range: 0 ..< 0)
        default:
            let collected = try await response.body.collect(upTo: 1 << 20)
            throw failure(.GET, key(path), .init(status: response.status.code, headers: response.headers, body: collected))
        }
    }

    /// The keys that make up an object, with their offsets and sizes (one key for a plain object).
    func objectPieces(_ path: StoragePath) async throws -> [(key: String, offset: Int64, size: Int64)] {
        let reply = try await send(.HEAD, key: key(path), accept: [200, 404])
        if reply.status == 200 {
            return [(key(path), 0, reply.headers.first(name: "Content-Length").flatMap { Int64($0) } ?? 0)]
        }
        let parts = try await segments(of: path)
        guard !parts.isEmpty else { throw StorageError.notFound(path) }
        return parts.map { ($0.key, $0.offset, $0.size) }
    }

    public func writer(for path: StoragePath, startingAt offset: Int64) async throws -> any StorageWriter {
        var size: Int64 = 0
        for part in try await segments(of: path) {
            if part.offset >= offset {
                _ = try await send(.DELETE, key: part.key, accept: [200, 204, 404])
            } else if part.offset + part.size > offset {
                // The offset falls inside this segment: keep only its first bytes.
                let keep = offset - part.offset
                let head = try await send(.GET, key: part.key, headers: [("range", "bytes=0-\(keep - 1)")], accept: [200, 206])
                var bytes = head.body
                if bytes.readableBytes > Int(keep) { bytes = bytes.getSlice(at: bytes.readerIndex, length: Int(keep)) ?? bytes }
                _ = try await send(.PUT, key: part.key, headers: [("content-type", "application/octet-stream")], body: bytes)
                size = max(size, offset)
            } else {
                size = max(size, part.offset + part.size)
            }
        }
        guard size == offset else { throw StorageError.backend("cannot resume \(path) at \(offset): only \(size) bytes are stored") }
        return S3Writer(driver: self, path: path, size: offset)
    }

    public func redirectURL(for path: StoragePath, expiresIn seconds: Int) async throws -> String? {
        guard settings.redirect else { return nil }
        let objectPath = basePath + "/" + SigV4Signer.uriEncode(key(path), keepSlash: true)
        return signer.presign(scheme: scheme, host: host, path: objectPath, expires: seconds)
    }

    public func put(_ bytes: ByteBuffer, at path: StoragePath) async throws {
        _ = try await send(.PUT, key: key(path), headers: [("content-type", "application/octet-stream")], body: bytes)
    }

    public func get(_ path: StoragePath) async throws -> ByteBuffer {
        let reader = try await reader(for: path, range: nil)
        var collected = ByteBuffer()
        while let chunk = try await reader.next() { collected.writeImmutableBuffer(chunk) }
        await reader.close()
        return collected
    }

    public func move(_ source: StoragePath, to destination: StoragePath) async throws {
        let pieces = try await objectPieces(source)
        if pieces.count == 1 {
            try await copy(pieces[0].key, to: key(destination))
        } else {
            try await assemble(pieces, into: key(destination))
        }
        try await delete(source)
    }

    public func delete(_ path: StoragePath) async throws {
        // Only DELETE the key itself when it is an object: some servers (rclone) fail on keys that are "directories".
        if try await send(.HEAD, key: key(path), accept: [200, 404]).status == 200 {
            _ = try await send(.DELETE, key: key(path), accept: [200, 204, 404])
        }
        let below = try await listAll(prefix: key(path) + "/").objects.map(\.key)
        for object in below { _ = try await send(.DELETE, key: object, accept: [200, 204, 404]) }
    }

    public func list(_ path: StoragePath) async throws -> [String] {
        let prefix = key(path) + "/"
        let found = try await listAll(prefix: prefix, delimiter: "/")
        let names = found.objects.map { String($0.key.dropFirst(prefix.count)) } + found.prefixes.map { String($0.dropFirst(prefix.count).dropLast()) }
        return Array(Set(names.filter { !$0.isEmpty && !$0.hasPrefix(Self.segmentMarker) })).sorted()
    }

    public func objects(in path: StoragePath) async throws -> [StoredObject] {
        let prefix = key(path) + "/"
        // Committed objects only: an upload still in segments has no object of its own name yet.
        return try await listAll(prefix: prefix, delimiter: "/").objects.compactMap { object in
            let name = String(object.key.dropFirst(prefix.count))
            guard !name.isEmpty, !name.hasPrefix(Self.segmentMarker), let modified = Self.isoDate(object.lastModified) else { return nil }
            return StoredObject(name: name, size: object.size, modified: modified)
        }.sorted { $0.name < $1.name }
    }

    // MARK: Copying

    func copy(_ sourceKey: String, to destinationKey: String) async throws {
        let source = "/" + settings.bucket + "/" + SigV4Signer.uriEncode(sourceKey, keepSlash: true)
        let reply = try await send(.PUT, key: destinationKey, headers: [("x-amz-copy-source", source)])
        if let error = S3XML.error(in: Data(reply.body.readableBytesView)) {
            throw StorageError.backend("S3 copy to \(destinationKey): \(error.code): \(error.message)")
        }
    }

    /// Assembles segments into one object with a multipart upload: runs of small segments are streamed into parts of
    /// at least 5 MiB; segments already that large are copied on the server.
    func assemble(_ pieces: [(key: String, offset: Int64, size: Int64)], into destinationKey: String, serverCopies allowCopies: Bool = true) async throws {
        let started = try await send(.POST, key: destinationKey, query: [("uploads", "")], headers: [("content-type", "application/octet-stream")])
        guard let uploadID = S3XML.first("UploadId", in: Data(started.body.readableBytesView)) else { throw StorageError.backend("S3 did not start a multipart upload") }
        do {
            // Part numbers only grow: a number tried once (even by a failed server-side copy) is never reused.
            var parts: [(number: Int, etag: String)] = []
            var nextNumber = 1
            var pending: [ByteBuffer] = []
            var pendingBytes = 0
            func flush() async throws {
                guard pendingBytes > 0 else { return }
                let number = nextNumber
                nextNumber += 1
                let reply = try await send(.PUT, key: destinationKey, query: [("partNumber", String(number)), ("uploadId", uploadID)], parts: pending)
                parts.append((number, reply.headers.first(name: "ETag") ?? ""))
                pending = []
                pendingBytes = 0
            }
            for piece in pieces {
                if allowCopies, pendingBytes == 0, piece.size >= Int64(Self.minimumPart) {
                    let number = nextNumber
                    nextNumber += 1
                    let source = "/" + settings.bucket + "/" + SigV4Signer.uriEncode(piece.key, keepSlash: true)
                    let reply = try? await send(.PUT, key: destinationKey, query: [("partNumber", String(number)), ("uploadId", uploadID)],
                                                headers: [("x-amz-copy-source", source)])
                    guard let reply, let etag = S3XML.first("ETag", in: Data(reply.body.readableBytesView)) else {
                        throw CopyUnsupported()  // start over, streaming every part
                    }
                    parts.append((number, etag))
                    continue
                }
                // Streamed: a part is sent whenever enough has arrived, so memory stays near one part per upload.
                let response = try await execute(.GET, key: piece.key)
                guard response.status.code == 200 else {
                    let collected = try await response.body.collect(upTo: 1 << 20)
                    throw failure(.GET, piece.key, .init(status: response.status.code, headers: response.headers, body: collected))
                }
                for try await chunk in response.body {
                    pending.append(chunk)
                    pendingBytes += chunk.readableBytes
                    if pendingBytes >= settings.partSize { try await flush() }
                }
                if pendingBytes >= Self.minimumPart { try await flush() }
            }
            try await flush()
            let list = parts.map { "<Part><PartNumber>\($0.number)</PartNumber><ETag>\($0.etag)</ETag></Part>" }.joined()
            let done = try await send(.POST, key: destinationKey, query: [("uploadId", uploadID)],
                                      body: ByteBuffer(string: "<CompleteMultipartUpload>\(list)</CompleteMultipartUpload>"))
            if let error = S3XML.error(in: Data(done.body.readableBytesView)) {
                throw StorageError.backend("S3 completing \(destinationKey): \(error.code): \(error.message)")
            }
        } catch is CopyUnsupported {
            _ = try? await send(.DELETE, key: destinationKey, query: [("uploadId", uploadID)], accept: [200, 204, 404])
            try await assemble(pieces, into: destinationKey, serverCopies: false)
        } catch {
            _ = try? await send(.DELETE, key: destinationKey, query: [("uploadId", uploadID)], accept: [200, 204, 404])
            throw error
        }
    }

    /// The server refused a server-side part copy.
    struct CopyUnsupported: Error {}

    static func httpDate(_ text: String) -> Double? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)?.timeIntervalSince1970
    }

    static func isoDate(_ text: String) -> Double? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)?.timeIntervalSince1970
    }
}

/// Streams a byte range of an object: one ranged GET per piece, its body passed on chunk by chunk as it arrives.
final class S3Reader: StorageReader, @unchecked Sendable {
    let driver: S3Driver
    let pieces: [(key: String, offset: Int64, size: Int64)]
    private var position: Int64
    private let end: Int64
    private var body: HTTPClientResponse.Body.AsyncIterator?
    /// Bytes of the current response still to drop (a server that ignored Range) and still to pass on.
    private var toSkip: Int64 = 0
    private var toPass: Int64 = 0

    init(driver: S3Driver, pieces: [(key: String, offset: Int64, size: Int64)], range: Range<Int64>) {
        self.driver = driver
        self.pieces = pieces
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    func next() async throws -> ByteBuffer? {
        while true {
            if body != nil {
                guard var chunk = try await body!.next() else {
                    body = nil
                    if toPass > 0 { throw StorageError.backend("S3 GET ended \(toPass) bytes early") }
                    continue
                }
                if toSkip > 0 {
                    let dropped = min(toSkip, Int64(chunk.readableBytes))
                    chunk.moveReaderIndex(forwardBy: Int(dropped))
                    toSkip -= dropped
                }
                if Int64(chunk.readableBytes) > toPass { chunk = chunk.getSlice(at: chunk.readerIndex, length: Int(toPass)) ?? ByteBuffer() }
                toPass -= Int64(chunk.readableBytes)
                position += Int64(chunk.readableBytes)
                if toPass == 0 { body = nil }  // dropping the iterator ends the response
                if chunk.readableBytes > 0 { return chunk }
                continue
            }
            guard position < end, let piece = pieces.first(where: { $0.offset <= position && position < $0.offset + $0.size }) else { return nil }
            let from = position - piece.offset
            let to = min(piece.size, end - piece.offset) - 1
            let response = try await driver.execute(.GET, key: piece.key, headers: [("range", "bytes=\(from)-\(to)")])
            guard [200, 206].contains(response.status.code) else {
                let collected = try await response.body.collect(upTo: 1 << 20)
                throw driver.failure(.GET, piece.key, .init(status: response.status.code, headers: response.headers, body: collected))
            }
            adopt(response, from: from, length: response.headers.first(name: "Content-Length").flatMap { Int64($0) }, wanted: to - from + 1)
        }
    }

    /// Continues with the body of a successful GET for the bytes from `from` of a piece (`length`: its Content-Length).
    func adopt(_ response: HTTPClientResponse, from: Int64, length: Int64?, wanted: Int64? = nil) {
        let wanted = wanted ?? (end - position)
        if response.status.code == 206 {
            toSkip = 0
            toPass = min(wanted, length ?? wanted)
        } else {
            // Some servers (rclone) answer a range with 200 and just the range; others ignore Range and send it all.
            toSkip = length == wanted ? 0 : from
            toPass = wanted
        }
        body = response.body.makeAsyncIterator()
    }

    func close() async { body = nil }
}

/// Holds written chunks as they came and stores each part's worth (and the rest at commit) as one segment.
struct S3Writer: StorageWriter {
    let driver: S3Driver
    let path: StoragePath
    private(set) var size: Int64
    private var chunks: [ByteBuffer] = []
    private var buffered = 0
    private var segmentStart: Int64

    init(driver: S3Driver, path: StoragePath, size: Int64) {
        self.driver = driver
        self.path = path
        self.size = size
        self.segmentStart = size
    }

    mutating func write(_ data: ByteBuffer) async throws {
        guard data.readableBytes > 0 else { return }
        chunks.append(data)
        buffered += data.readableBytes
        size = segmentStart + Int64(buffered)
        if buffered >= driver.settings.partSize { try await flush() }
    }

    mutating func commit() async throws { try await flush() }

    mutating func cancel() async {
        chunks = []
        buffered = 0
    }

    private mutating func flush() async throws {
        guard buffered > 0 else { return }
        _ = try await driver.send(.PUT, key: driver.segmentKey(path, offset: segmentStart), headers: [("content-type", "application/octet-stream")], parts: chunks)
        segmentStart += Int64(buffered)
        chunks = []
        buffered = 0
    }
}

/// Buffers already in memory, as the async sequence a streamed request body wants.
struct BufferSequence: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let buffers: [ByteBuffer]

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<ByteBuffer>
        mutating func next() async -> ByteBuffer? { remaining.popFirst() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: buffers[...]) }
}
