import ArgumentParser
import BerthServer
import Foundation
import Logging
import Scanner

/// `berth advisories`: the vulnerability data the scanner matches images against, imported offline.
struct Advisories: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import and list the advisory data vulnerability scans use (offline bundles: OSV, Debian tracker, Alpine secdb).",
        subcommands: [Import.self, List.self, Delete.self])

    /// `berth advisories import`.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import advisory files, directories or tar(.gz/.zst) archives as one source, replacing what that source held.")
        @OptionGroup var options: ServerOptions
        @Option(name: .long, help: "The source's name (default: the first path's name, e.g. go-vulndb for go-vulndb.tar.gz).")
        var source: String?
        @Argument(help: "OSV JSON files, Debian security tracker exports, Alpine secdb files, directories or tar archives of them.")
        var paths: [String]

        func run() async throws {
            let settings = try options.configuration()
            let logger = Advisories.quietLogger()
            let started = ContinuousClock.now
            do {
                let outcome = try await AdvisoryAdministration.importSource(configuration: settings, name: source, paths: paths, logger: logger) { step in
                    FileHandle.standardError.write(Data("\(step)\n".utf8))
                }
                let elapsed = ContinuousClock.now - started
                print("imported \(outcome.source.advisories) advisories from \(outcome.documents) documents into source \(outcome.source.name) "
                    + "(\(outcome.source.format.isEmpty ? "no advisories" : outcome.source.format); newest entry \(outcome.source.newestModified.isEmpty ? "undated" : outcome.source.newestModified)) in \(elapsed)")
            } catch let error as AdvisoryFormatError {
                FileHandle.standardError.write(Data("import refused, nothing changed: \(error)\n".utf8))
                throw ExitCode(65)
            }
        }
    }

    /// `berth advisories list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the advisory sources: how many advisories, from where, imported when.")
        @OptionGroup var options: ServerOptions

        func run() async throws {
            let sources = try await AdvisoryAdministration.sources(configuration: try options.configuration(), logger: Advisories.quietLogger())
            if sources.isEmpty { print("no advisory sources; import some with berth advisories import PATH") }
            let formatter = ISO8601DateFormatter()
            for source in sources {
                let imported = formatter.string(from: Date(timeIntervalSince1970: Double(source.importedAt) / 1000))
                print("\(source.name)\t\(source.advisories) advisories\t\(source.format)\timported \(imported)\tnewest \(source.newestModified)\tfrom \(source.origin)")
            }
        }
    }

    /// `berth advisories delete`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an advisory source and its advisories.")
        @OptionGroup var options: ServerOptions
        @Argument(help: "The source's name.") var name: String

        func run() async throws {
            guard try await AdvisoryAdministration.deleteSource(configuration: try options.configuration(), name: name, logger: Advisories.quietLogger()) else {
                throw ValidationError("there is no advisory source named \(name)")
            }
            print("removed advisory source \(name)")
        }
    }

    /// Warnings and errors on standard error, nothing else (the commands print their own results).
    static func quietLogger() -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        return Logger(label: "berth")
    }
}
