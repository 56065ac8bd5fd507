import Foundation

/// Splits this machine's CPUs between the benchmark's client and the registry under test, for the rounds that compare
/// HTTPS with plain HTTP. With TLS the client encrypts and decrypts too; on a small machine that work takes CPU from the
/// server that needs it most (the faster one), so its ratio to the other server falls towards 1 whatever TLS costs
/// either server. With the client on CPUs of its own, the rows compare the servers' own costs.
struct CPUPinning: Sendable {
    /// CPUs the client (this process) keeps, in `taskset` list form.
    let client: String
    /// CPUs the registry under test runs on.
    let server: String
    /// CPUs this process was allowed at start, restored after a pinned round.
    let original: String
    /// The `taskset` binary.
    let taskset: String

    /// The first allowed CPU for the client, the rest for the server; nil with fewer than two CPUs or without `taskset`.
    static func split() -> CPUPinning? {
        guard let taskset = ["/usr/bin/taskset", "/bin/taskset"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }),
              let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return nil }
        let list = line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)
        let cpus = expand(list)
        guard cpus.count >= 2 else { return nil }
        return CPUPinning(client: String(cpus[0]), server: cpus.dropFirst().map(String.init).joined(separator: ","), original: list,
                          taskset: taskset)
    }

    /// The CPU numbers of a list such as `0-3,6`.
    static func expand(_ list: String) -> [Int] {
        list.split(separator: ",").flatMap { part -> [Int] in
            let bounds = part.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard let low = bounds.first else { return [] }
            let high = bounds.count > 1 ? bounds[1] : low
            return high >= low && high - low < 4096 ? Array(low ... high) : []
        }
    }

    /// Restricts every thread of this process to the client's CPUs.
    func pinClient() throws { try setSelf(client) }

    /// Gives this process back the CPUs it had at start.
    func release() throws { try setSelf(original) }

    private func setSelf(_ cpus: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: taskset)
        process.arguments = ["-a", "-p", "-c", cpus, String(ProcessInfo.processInfo.processIdentifier)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("taskset could not move the benchmark to CPUs \(cpus)") }
    }
}
