import ArgumentParser
import BerthServer

@main
struct Berth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "berth",
        abstract: "An OCI container registry in one Swift server.",
        version: berthVersion,
        subcommands: [Serve.self, Trust.self, CA.self, Advisories.self, ScanCommand.self, Quota.self, GarbageCollect.self],
        defaultSubcommand: Serve.self
    )
}
