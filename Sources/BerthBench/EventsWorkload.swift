import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What the event path costs (Berth only; distribution has no events): small-artifact pushes per second without any
/// webhook policy and with two (each with one target, a local receiver that answers at once), after a warm-up, in
/// alternating order by round, with Berth's CPU per push in each; then how many events wait in the outbox and how many deliveries in the job queue a second after the load
/// stops, and how long until every notification has arrived.
struct EventsWorkload {
    let workloads: Workloads
    let http: BenchHTTP
    let registry: RegistryUnderTest
    let log: @Sendable (String) -> Void

    func measure(round: Int) async throws -> RoundResult {
        let sink = try await WebhookSink.start()
        defer { Task { await sink.stop() } }
        try await http.send(.POST, "/api/v2.0/projects", headers: [("Content-Type", "application/json")],
                            body: .bytes(ByteBuffer(string: #"{"project_name":"events","metadata":{"public":"true"}}"#)), expect: [201])
        // A fresh server is slower for its first seconds of load (caches, allocator, database pages); without a warm-up
        // whichever variant ran first would carry that.
        _ = try await workloads.smallPushes(repository: "events/warmup", lasting: 4)
        var result: RoundResult = [:]
        let hookedFirst = round % 2 == 1
        for hooked in hookedFirst ? [true, false] : [false, true] {
            var policies: [String] = []
            if hooked {
                for name in ["first", "second"] {
                    let body = #"{"name":"\#(name)","enabled":true,"event_types":["PUSH_ARTIFACT"],"targets":[{"type":"http","address":"\#(sink.url)"}]}"#
                    let created = try await http.send(.POST, "/api/v2.0/projects/events/webhook/policies", headers: [("Content-Type", "application/json")],
                                                      body: .bytes(ByteBuffer(string: body)), expect: [201])
                    if let location = created.headers.first(name: "Location") { policies.append(location) }
                }
            }
            let before = sink.count
            let cpuBefore = registry.cpuSeconds(), benchBefore = processCPUSeconds(getpid()), clock = ContinuousClock.now
            let rate = try await workloads.smallPushes(repository: hooked ? "events/hooked" : "events/plain")
            let elapsed = ContinuousClock.now - clock
            let pushes = rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            // Berth's CPU per push during the load (its deliveries included), and the benchmark process's (clients and sink).
            result[hooked ? "events_hooked_cpu_ms" : "events_plain_cpu_ms"] = 1000 * (registry.cpuSeconds() - cpuBefore) / max(pushes, 1)
            log(String(format: "  CPU per push: Berth %.2f ms, benchmark process %.2f ms", 1000 * (registry.cpuSeconds() - cpuBefore) / max(pushes, 1),
                       1000 * (processCPUSeconds(getpid()) - benchBefore) / max(pushes, 1)))
            if hooked {
                let end = ContinuousClock.now
                try await Task.sleep(for: .milliseconds(1100))
                let figures = try await metrics()
                func open(_ figures: [String: Double]) -> Double {
                    (figures["berth_webhook_tasks{status=\"Pending\"}"] ?? 0) + (figures["berth_webhook_tasks{status=\"Running\"}"] ?? 0)
                }
                result["events_outbox_backlog"] = figures["berth_event_outbox_backlog"] ?? .nan
                result["events_open_notifications"] = open(figures)
                var after = figures
                while open(after) > 0 || (after["berth_event_outbox_backlog"] ?? 0) > 0, ContinuousClock.now - end < .seconds(300) {
                    try await Task.sleep(for: .milliseconds(250))
                    after = try await metrics()
                }
                let drained = ContinuousClock.now - end
                result["events_drain_s"] = Double(drained.components.seconds) + Double(drained.components.attoseconds) / 1e18
                log("  notifications: \(sink.count - before) received; tasks " +
                    after.filter { $0.key.hasPrefix("berth_webhook_tasks") }.map { "\($0.key)=\(Int($0.value))" }.sorted().joined(separator: " "))
                for policy in policies { try await http.send(.DELETE, policy, expect: [200]) }
            }
            result[hooked ? "events_hooked_pushes_per_s" : "events_plain_pushes_per_s"] = rate
            log(String(format: "  small pushes %@ webhook policies: %.0f/s", hooked ? "with two" : "without", rate))
        }
        if let plain = result["events_plain_pushes_per_s"], let hooked = result["events_hooked_pushes_per_s"], plain > 0 {
            result["events_cost_pct"] = 100 * (1 - hooked / plain)
        }
        return result
    }

    /// The unlabeled and labeled samples of `/metrics`, by their text before the value.
    func metrics() async throws -> [String: Double] {
        var request = HTTPClientRequest(url: http.base + "/metrics")
        if let authorization = http.authorization { request.headers.add(name: "Authorization", value: authorization) }
        let response = try await http.client.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }
}
