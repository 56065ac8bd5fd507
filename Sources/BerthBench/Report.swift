import Foundation

/// Turns per-round results into the comparison table.
struct Report {
    let results: [RegistryKind: [RoundResult]]
    let limits: MachineLimits
    let command: String
    let settings: String
    /// Hand-written notes appended after the generated part (docs/benchmark-notes.md), if any.
    var notes: String = ""

    func format(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        if value >= 100 { return String(format: "%.0f", value) }
        if value >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.2f", value)
    }

    func cell(_ summary: Summary) -> String {
        guard summary.count > 0 else { return "–" }
        return summary.count > 1 ? "\(format(summary.median)) (\(format(summary.min))–\(format(summary.max)))" : format(summary.median)
    }

    /// The markdown table of every metric.
    func table() -> String {
        var lines = [
            "| workload | unit | Berth median (min–max) | distribution median (min–max) | Berth / distribution | Berth target | met |",
            "|---|---|---|---|---|---|---|",
        ]
        for metric in Metric.all {
            let b = Summary((results[.berth] ?? []).compactMap { $0[metric.key] })
            let d = Summary((results[.distribution] ?? []).compactMap { $0[metric.key] })
            guard b.count > 0 || d.count > 0 else { continue }
            let ratio = b.count > 0 && d.count > 0 && d.median > 0 ? String(format: "%.2f×", b.median / d.median) : "–"
            var target = ""
            var met = ""
            if let check = metric.target, b.count > 0 {
                let (text, ok) = check(b.median, d.count > 0 ? d.median : .nan, limits)
                target = text
                met = ok ? "yes" : "**no**"
            }
            if let plainKey = metric.plainKey, b.count > 0, d.count > 0, d.median > 0 {
                let pb = Summary((results[.berth] ?? []).compactMap { $0[plainKey] })
                let pd = Summary((results[.distribution] ?? []).compactMap { $0[plainKey] })
                if pb.count > 0, pd.count > 0, pd.median > 0 {
                    let plain = pb.median / pd.median
                    let secure = b.median / d.median
                    target = String(format: "%@ plain-HTTP ratio (%.2f×)", metric.higherIsBetter ? "≥" : "≤", plain)
                    met = (metric.higherIsBetter ? secure >= plain : secure <= plain) ? "yes" : "**no**"
                }
            }
            lines.append("| \(metric.title) | \(metric.unit) | \(cell(b)) | \(cell(d)) | \(ratio) | \(target) | \(met) |")
        }
        return lines.joined(separator: "\n")
    }

    /// Push and pull as fractions of the machine's limits.
    func limitsSection() -> String {
        let push = Summary((results[.berth] ?? []).compactMap { $0["push_mono_mbps"] }).median
        let pull = Summary((results[.berth] ?? []).compactMap { $0["pull_mbps"] }).median
        return """
            Machine limits measured in the same run: single-core SHA-256 \(format(limits.sha256MBps)) MB/s, \
            reading a page-cached file \(format(limits.cachedReadMBps)) MB/s. Berth's monolithic push is \
            \(format(100 * push / limits.sha256MBps))% of single-core SHA-256; its pull is \(format(100 * pull / limits.cachedReadMBps))% \
            of the cached-read rate.
            """
    }

    /// The whole docs/benchmarks.md.
    func markdown(date: String, machine: String) -> String {
        """
        # Benchmarks

        Berth against the CNCF distribution registry (`docker-registry` 2.8.2, the registry Harbor wraps), on the same
        machine in the same run, each on filesystem storage in a fresh temporary directory, log level warning and access
        logs off. The main rounds run both without authentication; the rows marked "with auth" come from extra rounds
        where every request carries Basic credentials: Berth checks them against its user database (bcrypt cost 10,
        with its cache of recently verified passwords) and its access policy (the user is a developer of a private
        project), distribution against an htpasswd file at bcrypt cost 4. The rows marked "PostgreSQL + S3" come from rounds
        in the scaled-out configuration: Berth keeps its metadata in PostgreSQL (a fresh database per round on a
        server started by `bench/run`, with fsync on) and both registries keep their bytes in an S3 bucket on a fresh
        `moto_server` per round (distribution through its `s3` driver, Berth through its own). moto is a Python server
        that keeps objects in memory; it bounds both registries' throughput there, so those rows compare the
        registries' overhead on S3 rather than S3 itself. The rows marked "HTTPS" come from rounds where both serve TLS
        with the same certificate (an ECDSA P-256 key made with openssl for the run; Berth through `http.tls.certificate`,
        distribution through its `http.tls` settings) to a client that trusts it, speaking HTTP/1.1 as in the plain rounds
        (`--tls-http2` lets it offer HTTP/2 by ALPN). Their target is Berth's plain-HTTP ratio to distribution: TLS must not cost Berth more
        than it costs distribution. Rounds alternate which registry goes first; each figure
        is the median over rounds with the range in brackets. Ratios are Berth / distribution (above 1 is better for
        Berth on rates, below 1 is better on times and memory).

        - Date: \(date)
        - Machine: \(machine)
        - Command: `\(command)`
        - Settings: \(settings)

        \(table())

        \(limitsSection())

        \(notes)


        """
    }
}

/// A one-line description of this machine.
func machineDescription() -> String {
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?
        .trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let memory = Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30)
    var uts = utsname()
    uname(&uts)
    let kernel = withUnsafeBytes(of: uts.release) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
    return "\(model), \(cores) cores, \(String(format: "%.0f", memory)) GiB RAM, Linux \(kernel)"
}
