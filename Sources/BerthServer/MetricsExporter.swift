import Jobs
import Logging
import Metadata
import Prometheus

/// Renders `/metrics`: the counters and histograms the server keeps as it works, plus figures read from the database
/// at scrape time (Harbor exporter's `harbor_project_*`, `harbor_task_queue_*`, `harbor_up`, the outbox backlog, jobs
/// and webhook tasks by status). Database figures are read at most once a second, however often it is scraped.
actor MetricsExporter {
    let registry: PrometheusCollectorRegistry
    let statistics: ExporterStatistics
    let jobs: any JobStore
    let outbox: EventOutbox
    let logger: Logger
    let refreshInterval: Duration
    private var refreshedAt: ContinuousClock.Instant?
    /// The gauges set at the last refresh, by name and labels, so series of things that are gone are removed.
    private var gauges: [String: Gauge] = [:]

    init(registry: PrometheusCollectorRegistry, statistics: ExporterStatistics, jobs: any JobStore, outbox: EventOutbox, logger: Logger,
         refreshInterval: Duration = .seconds(1)) {
        self.registry = registry
        self.statistics = statistics
        self.jobs = jobs
        self.outbox = outbox
        self.logger = logger
        self.refreshInterval = refreshInterval
    }

    /// The exposition text.
    func render() async -> String {
        if refreshedAt.map({ ContinuousClock.now - $0 >= refreshInterval }) ?? true {
            await refresh()
            refreshedAt = .now
        }
        return registry.emitToString()
    }

    private func refresh() async {
        var values: [(String, [(String, String)], Double)] = [("harbor_up", [("component", "core")], 1)]
        var databaseAnswered = false
        do {
            let projects = try await statistics.projects()
            for visibility in [true, false] {
                values.append(("harbor_project_total", [("public", String(visibility))], Double(projects.filter { $0.isPublic == visibility }.count)))
            }
            for project in projects {
                let labels = [("project_name", project.name), ("public", String(project.isPublic))]
                values.append(("harbor_project_repo_total", labels, Double(project.repositories)))
                values.append(("harbor_project_artifact_total", labels, Double(project.artifacts)))
                values.append(("harbor_project_member_total", [("project_name", project.name)], Double(project.members)))
                values.append(("harbor_project_quota_usage_byte", [("project_name", project.name)], Double(project.usageBytes)))
            }
            let now = Clock.nowMilliseconds()
            for queue in try await jobs.pendingByKind() {
                values.append(("harbor_task_queue_size", [("type", queue.kind)], Double(queue.pending)))
                values.append(("harbor_task_queue_latency", [("type", queue.kind)], queue.oldestDue.map { Double(max(0, now - $0)) / 1000 } ?? 0))
            }
            for count in try await jobs.jobCounts() {
                values.append(("berth_jobs", [("kind", count.kind), ("status", count.status.rawValue)], Double(count.count)))
            }
            values.append(("berth_event_outbox_backlog", [], Double(try await outbox.backlog())))
            for (status, count) in try await statistics.webhookTasks() {
                values.append(("berth_webhook_tasks", [("status", status)], Double(count)))
            }
            values.append(("harbor_up", [("component", "database")], 1))
            databaseAnswered = true
        } catch {
            logger.warning("metrics: reading figures from the database failed", metadata: ["error": "\(error)"])
            values.append(("harbor_up", [("component", "database")], 0))
        }
        var seen = Set<String>()
        for (name, labels, value) in values {
            let key = name + "|" + labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
            seen.insert(key)
            let gauge = gauges[key] ?? registry.makeGauge(name: name, labels: labels)
            gauges[key] = gauge
            gauge.set(to: value)
        }
        // Series of things that are gone (a deleted project) go too; when the database did not answer, the last
        // figures stay.
        guard databaseAnswered else { return }
        for (key, gauge) in gauges where !seen.contains(key) {
            registry.unregisterGauge(gauge)
            gauges[key] = nil
        }
    }
}
