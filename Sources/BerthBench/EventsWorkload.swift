import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What the event path costs (Berth only; distribution has no events): small-artifact pushes per second without any
/// webhook policy and with two (each with one target, a local receiver that answers at once), with Berth's CPU per
/// push in each; then how many events wait in the outbox and how many deliveries in the job queue a second after a
/// hooked load stops, and how long until every notification has arrived.
///
/// After a warm-up, a round runs eight segments of equal length in the order plain, hooked, hooked, plain, hooked,
/// plain, plain, hooked (the reverse in odd rounds) and compares the sums. A single plain-then-hooked pair was dominated by drift on these shared
/// two-core machines: with the webhook subscriber switched off altogether (so both halves did the same work) it still
/// "cost" between −36% and +10% depending on which half ran first. The mirrored order cancels a drift that is
/// steady over the round; the second, mirrored half of the round cancels one that bends, and doubles the samples (with
/// four segments a round, single rounds of the same binary still ranged from −0.3% to 13.7%).
struct EventsWorkload {
    let workloads: Workloads
    let http: BenchHTTP
    let registry: RegistryUnderTest
    let log: @Sendable (String) -> Void

    /// Seconds of load per segment (eight per round).
    var segmentSeconds: Double { max(2, workloads.settings.smallSeconds / 2) }

    /// Totals of one variant over its segments.
    struct Tally {
        var pushes = 0.0
        var seconds = 0.0
        var cpuSeconds = 0.0
    }

    func measure(round: Int) async throws -> RoundResult {
        let sink = try await WebhookSink.start()
        defer { Task { await sink.stop() } }
        try await http.send(.POST, "/api/v2.0/projects", headers: [("Content-Type", "application/json")],
                            body: .bytes(ByteBuffer(string: #"{"project_name":"events","metadata":{"public":"true"}}"#)), expect: [201])
        // A fresh server is slower for its first seconds of load (caches, allocator, database pages).
        _ = try await workloads.smallPushes(repository: "events/warmup", lasting: 4)
        var result: RoundResult = [:]
        var plain = Tally(), hooked = Tally()
        var backlog = 0.0, open = 0.0, drain = 0.0
        let first = [false, true, true, false, true, false, false, true]
        let order = round % 2 == 0 ? first : first.map { !$0 }
        var index = 0
        while index < order.count {
            // Consecutive hooked segments share their policies; the drain is waited for after the last of them.
            let isHooked = order[index]
            var run = 1
            while index + run < order.count && order[index + run] == isHooked { run += 1 }
            let policies = isHooked ? try await createPolicies(sink: sink) : []
            let before = sink.count
            for part in 0 ..< run {
                let cpuBefore = registry.cpuSeconds(), clock = ContinuousClock.now
                // A repository of its own per segment, so that no segment pushes what an earlier one stored already.
                let repository = "events/\(isHooked ? "hooked" : "plain")-\(index + part + 1)"
                let rate = try await workloads.smallPushes(repository: repository, lasting: segmentSeconds)
                let elapsed = seconds(ContinuousClock.now - clock)
                let lastHooked = isHooked && part == run - 1
                var figures: (backlog: Double, open: Double, drain: Double)? = nil
                // Every segment is followed by the same pause (a hooked one's deliveries finish in it), so every
                // segment starts after one: a pause lets the kernel write back the files of the last load, and a
                // segment after a pause ran faster than one right after another.
                if lastHooked { figures = try await waitForDeliveries() } else { try await Task.sleep(for: .milliseconds(1100)) }
                // Berth's CPU for this segment; a hooked one includes the deliveries that finished after its load.
                let cpu = registry.cpuSeconds() - cpuBefore
                if isHooked {
                    hooked.pushes += rate * elapsed; hooked.seconds += elapsed; hooked.cpuSeconds += cpu
                } else {
                    plain.pushes += rate * elapsed; plain.seconds += elapsed; plain.cpuSeconds += cpu
                }
                if let figures {
                    backlog = max(backlog, figures.backlog); open = max(open, figures.open); drain = max(drain, figures.drain)
                }
                log(String(format: "  segment %d, %@ webhook policies: %.0f pushes/s, Berth CPU %.2f ms per push", index + part + 1,
                           isHooked ? "two" : "no", rate, 1000 * cpu / max(rate * elapsed, 1)))
            }
            if isHooked {
                log("  notifications received: \(sink.count - before)")
                for policy in policies { try await http.send(.DELETE, policy, expect: [200]) }
            }
            index += run
        }
        result["events_plain_pushes_per_s"] = plain.pushes / max(plain.seconds, 0.001)
        result["events_hooked_pushes_per_s"] = hooked.pushes / max(hooked.seconds, 0.001)
        result["events_plain_cpu_ms"] = 1000 * plain.cpuSeconds / max(plain.pushes, 1)
        result["events_hooked_cpu_ms"] = 1000 * hooked.cpuSeconds / max(hooked.pushes, 1)
        result["events_outbox_backlog"] = backlog
        result["events_open_notifications"] = open
        result["events_drain_s"] = drain
        if let plainRate = result["events_plain_pushes_per_s"], let hookedRate = result["events_hooked_pushes_per_s"], plainRate > 0 {
            result["events_cost_pct"] = 100 * (1 - hookedRate / plainRate)
        }
        log(String(format: "  small pushes without webhook policies %.0f/s, with two %.0f/s", result["events_plain_pushes_per_s"] ?? 0,
                   result["events_hooked_pushes_per_s"] ?? 0))
        return result
    }

    /// Creates the two policies (one target each, the sink) and returns their locations.
    func createPolicies(sink: WebhookSink) async throws -> [String] {
        var policies: [String] = []
        for name in ["first", "second"] {
            let body = #"{"name":"\#(name)","enabled":true,"event_types":["PUSH_ARTIFACT"],"targets":[{"type":"http","address":"\#(sink.url)"}]}"#
            let created = try await http.send(.POST, "/api/v2.0/projects/events/webhook/policies", headers: [("Content-Type", "application/json")],
                                              body: .bytes(ByteBuffer(string: body)), expect: [201])
            if let location = created.headers.first(name: "Location") { policies.append(location) }
        }
        return policies
    }

    /// A second after a hooked load: the events still in the outbox and the notifications not yet delivered; then
    /// waits until both are empty and says how long after the load that was.
    func waitForDeliveries() async throws -> (backlog: Double, open: Double, drain: Double) {
        let end = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(1100))
        func open(_ figures: [String: Double]) -> Double {
            (figures["berth_webhook_tasks{status=\"Pending\"}"] ?? 0) + (figures["berth_webhook_tasks{status=\"Running\"}"] ?? 0)
        }
        let figures = try await metrics()
        var after = figures
        while open(after) > 0 || (after["berth_event_outbox_backlog"] ?? 0) > 0, ContinuousClock.now - end < .seconds(300) {
            try await Task.sleep(for: .milliseconds(250))
            after = try await metrics()
        }
        return (figures["berth_event_outbox_backlog"] ?? .nan, open(figures), seconds(ContinuousClock.now - end))
    }

    func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
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
