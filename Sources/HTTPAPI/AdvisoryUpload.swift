import Foundation
import Hummingbird
import Management
import NIOCore

/// An advisory bundle uploaded to `POST /api/v2.0/advisories/import`, streamed to a temporary file (bounded) so the
/// import reads it like a file given to `berth advisories import`: a JSON document (`application/json`), a zip archive
/// (`application/zip`), or a tar archive (plain, gzip or zstd, told by its first bytes).
enum AdvisoryUpload {
    /// The largest upload accepted.
    static let maximumSize: Int64 = 2 << 30

    /// Saves the request body; returns the file's path (the caller removes it).
    static func save(_ request: Request) async throws -> String {
        if let declared = request.headers[.contentLength].flatMap({ Int64($0) }), declared > maximumSize {
            throw APIError(.payloadTooLarge, "an advisory bundle may have at most \(maximumSize) bytes")
        }
        let type = (request.headers[.contentType] ?? "").lowercased()
        let suffix = type.hasPrefix("application/json") ? ".json" : type.hasPrefix("application/zip") ? ".zip" : ".tar"
        let path = NSTemporaryDirectory() + "berth-advisories-\(UUID().uuidString)" + suffix
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
            throw APIError(.internalError, "the upload cannot be stored")
        }
        do {
            var written: Int64 = 0
            for try await buffer in request.body {
                written += Int64(buffer.readableBytes)
                guard written <= maximumSize else { throw APIError(.payloadTooLarge, "an advisory bundle may have at most \(maximumSize) bytes") }
                try file.write(contentsOf: Data(buffer: buffer))
            }
            try file.close()
            guard written > 0 else { throw APIError.badRequest("the body is empty; send a JSON document or a tar archive of them") }
            return path
        } catch {
            try? file.close()
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }
}
