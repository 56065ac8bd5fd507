import ArgumentParser
import BerthServer
import Foundation

/// `berth quota`: project quotas from the command line.
struct Quota: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check project quotas.", subcommands: [Verify.self])

    /// `berth quota verify`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every project's storage usage from its repositories' links and compare it with the recorded usage.")
        @OptionGroup var options: ServerOptions

        func run() async throws {
            let (checked, found) = try await QuotaAdministration.verify(configuration: try options.configuration(), logger: Advisories.quietLogger())
            for discrepancy in found { print(discrepancy) }
            guard found.isEmpty else {
                FileHandle.standardError.write(Data("\(found.count) of \(checked) project quotas differ from their links\n".utf8))
                throw ExitCode(1)
            }
            print("all \(checked) project quotas agree with their links")
        }
    }
}
