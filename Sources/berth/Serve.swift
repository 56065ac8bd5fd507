import ArgumentParser
import BerthServer
import Foundation
import Hummingbird
import Logging
import NIOCore

/// `berth serve`: runs the registry until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the registry server.")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        MemoryTuning.apply()
        let settings = try options.configuration()
        let level = settings.logLevel
        let format = StructuredLogHandler.Format(rawValue: settings.log.format) ?? .text
        LoggingSystem.bootstrap { label in StructuredLogHandler(label: label, level: level, format: format) }
        let logger = Logger(label: "berth")

        let final = settings
        let box = TransportBox()
        let (app, runtime) = try await buildApplication(configuration: final, logger: logger) { channel in
            let port = channel.localAddress?.port ?? final.http.port
            let host = final.http.address
            let scheme = box.transport == nil ? "http" : "https"
            var text = ""
            if let fingerprint = box.transport?.certificates.identity.authorityFingerprint {
                let reach = final.http.externalURL.isEmpty ? "https://\(host.contains(":") ? "[\(host)]" : host):\(port)" : final.http.externalURL
                text += "berth CA fingerprint \(fingerprint)\n"
                text += "berth make a node trust this registry with: berth trust \(reach) --fingerprint \(fingerprint)\n"
            }
            text += "berth listening on \(scheme)://\(host):\(port)\n"
            FileHandle.standardOutput.write(Data(text.utf8))
            logger.notice("listening", metadata: ["address": "\(host)", "port": "\(port)", "scheme": "\(scheme)", "data": "\(final.dataDirectory)"])
        }
        box.transport = runtime.transport
        do {
            try await app.runService()
        } catch {
            await runtime.shutdown()
            throw error
        }
        await runtime.shutdown()
        logger.notice("stopped")
    }
}

/// Hands the built server's TLS to the "listening" callback, which is created before the server is.
final class TransportBox: @unchecked Sendable {  // written once before the server starts listening, read after
    var transport: TransportSecurity?
}
