import ArgumentParser
import BerthServer
import Foundation
import Hummingbird
import Logging
import NIOCore

@main
struct Berth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "berth",
        abstract: "An OCI container registry in one Swift server.",
        version: berthVersion,
        subcommands: [Serve.self],
        defaultSubcommand: Serve.self
    )
}

/// `berth serve`: runs the registry until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the registry server.")

    @Option(name: .long, help: "YAML configuration file.")
    var config: String?

    @Option(name: .long, help: "Address to listen on (default 127.0.0.1).")
    var address: String?

    @Option(name: .long, help: "Port to listen on; 0 picks a free port (default 5000).")
    var port: Int?

    @Option(name: .customLong("data-dir"), help: "Directory for the database and stored content (default ./data).")
    var dataDirectory: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    func run() async throws {
        MemoryTuning.apply()
        var settings: BerthConfiguration
        do {
            settings = try config.map(BerthConfiguration.load(yamlFile:)) ?? BerthConfiguration()
            try settings.applyEnvironment(ProcessInfo.processInfo.environment)
            if let address { settings.http.address = address }
            if let port { settings.http.port = port }
            if let dataDirectory { settings.dataDirectory = dataDirectory }
            if let logLevel { settings.log.level = logLevel }
            try settings.validate()
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }

        let level = settings.logLevel
        let format = StructuredLogHandler.Format(rawValue: settings.log.format) ?? .text
        LoggingSystem.bootstrap { label in StructuredLogHandler(label: label, level: level, format: format) }
        let logger = Logger(label: "berth")

        let final = settings
        let (app, runtime) = try await buildApplication(configuration: final, logger: logger) { channel in
            let port = channel.localAddress?.port ?? final.http.port
            let host = final.http.address
            FileHandle.standardOutput.write(Data("berth listening on http://\(host):\(port)\n".utf8))
            logger.notice("listening", metadata: ["address": "\(host)", "port": "\(port)", "data": "\(final.dataDirectory)"])
        }
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
