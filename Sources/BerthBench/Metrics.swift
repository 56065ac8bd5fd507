/// One reported figure: how it is named, its unit, which way is better and Berth's target for it.
struct Metric: Sendable {
    let key: String
    let title: String
    let unit: String
    let higherIsBetter: Bool
    /// Describes the target and says whether Berth's and distribution's medians meet it.
    let target: (@Sendable (_ berth: Double, _ distribution: Double, _ limits: MachineLimits) -> (String, Bool))?
    /// For HTTPS rows: the plain-HTTP row whose Berth / distribution ratio this row's ratio must at least match.
    var plainKey: String? = nil

    /// Every row of the report: the embedded rounds, the authenticated rounds, the PostgreSQL + S3 rounds, the listing
    /// workload, then memory and start time.
    static let all: [Metric] = {
        let rows = embeddedAndAuthenticated
        let split = rows.firstIndex { $0.key == "populate_rps" } ?? rows.endIndex
        return Array(rows[..<split]) + scaled + https + Array(rows[split...])
    }()

    /// The rows of the HTTPS rounds (both registries serving the same certificate) after those of their plain-HTTP
    /// baseline (the same workloads, also with client and registry on separate CPUs): each HTTPS row must keep at
    /// least its baseline's ratio to distribution.
    static let https: [Metric] = {
        let keys = ["push_mono_mbps", "pull_mbps", "manifest_get_rps", "manifest_get_p50_ms", "manifest_get_p99_ms", "peak_rss_mb"]
        let rows = keys.compactMap { key in embeddedAndAuthenticated.first { $0.key == key } }
        return rows.map {
            Metric(key: "split_" + $0.key, title: "Split CPUs, plain: " + $0.title, unit: $0.unit, higherIsBetter: $0.higherIsBetter, target: nil)
        } + rows.map {
            Metric(key: "tls_" + $0.key, title: "Split CPUs, HTTPS: " + $0.title, unit: $0.unit, higherIsBetter: $0.higherIsBetter, target: nil,
                   plainKey: "split_" + $0.key)
        }
    }()

    /// The rows of the PostgreSQL + S3 rounds: the embedded rows again, without targets (the issue sets none; the
    /// S3 server's own speed bounds both registries).
    static let scaled: [Metric] = {
        let keys = ["push_mono_mbps", "push_chunked_mbps", "pull_mbps", "manifest_get_rps", "manifest_get_p99_ms", "manifest_head_rps",
                    "manifest_head_p99_ms", "small_pushes_per_s", "peak_rss_mb", "startup_ms"]
        return keys.compactMap { key in
            embeddedAndAuthenticated.first { $0.key == key }.map {
                Metric(key: "s3_" + key, title: "PostgreSQL + S3: " + $0.title, unit: $0.unit, higherIsBetter: $0.higherIsBetter, target: nil)
            }
        }
    }()

    private static let embeddedAndAuthenticated: [Metric] = [
        Metric(key: "push_mono_mbps", title: "push, monolithic (8 clients)", unit: "MB/s", higherIsBetter: true) { b, d, l in
            ("≥ 1.5× and ≥ 70% of SHA-256 (\(Int(l.sha256MBps * 0.7)))", b >= 1.5 * d && b >= 0.7 * l.sha256MBps)
        },
        Metric(key: "push_chunked_mbps", title: "push, 10 MiB chunks (8 clients)", unit: "MB/s", higherIsBetter: true) { b, d, l in
            ("≥ 1.5× and ≥ 70% of SHA-256 (\(Int(l.sha256MBps * 0.7)))", b >= 1.5 * d && b >= 0.7 * l.sha256MBps)
        },
        Metric(key: "pull_mbps", title: "pull (8 clients)", unit: "MB/s", higherIsBetter: true) { b, d, _ in ("≥ 1.2×", b >= 1.2 * d) },
        Metric(key: "manifest_get_rps", title: "manifest GET (64 conns)", unit: "req/s", higherIsBetter: true) { b, d, _ in ("≥ 2×", b >= 2 * d) },
        Metric(key: "manifest_get_p50_ms", title: "manifest GET p50", unit: "ms", higherIsBetter: false, target: nil),
        Metric(key: "manifest_get_p99_ms", title: "manifest GET p99", unit: "ms", higherIsBetter: false) { b, _, _ in ("< 10 ms", b < 10) },
        Metric(key: "manifest_head_rps", title: "manifest HEAD (64 conns)", unit: "req/s", higherIsBetter: true) { b, d, _ in ("≥ 2×", b >= 2 * d) },
        Metric(key: "manifest_head_p50_ms", title: "manifest HEAD p50", unit: "ms", higherIsBetter: false, target: nil),
        Metric(key: "manifest_head_p99_ms", title: "manifest HEAD p99", unit: "ms", higherIsBetter: false) { b, _, _ in ("< 10 ms", b < 10) },
        Metric(key: "small_pushes_per_s", title: "small artifact pushes (200 clients)", unit: "pushes/s", higherIsBetter: true) { b, _, _ in ("≥ 1000/s", b >= 1000) },
        Metric(key: "events_plain_pushes_per_s", title: "events: small pushes, no webhook policy (Berth only)", unit: "pushes/s",
               higherIsBetter: true, target: nil),
        Metric(key: "events_hooked_pushes_per_s", title: "events: small pushes, two webhook policies", unit: "pushes/s", higherIsBetter: true,
               target: nil),
        Metric(key: "events_plain_cpu_ms", title: "events: Berth CPU per push, no webhook policy", unit: "ms", higherIsBetter: false, target: nil),
        Metric(key: "events_hooked_cpu_ms", title: "events: Berth CPU per push, two webhook policies (deliveries included)", unit: "ms",
               higherIsBetter: false, target: nil),
        Metric(key: "events_cost_pct", title: "events: push throughput the event path costs", unit: "%", higherIsBetter: false) { b, _, _ in
            ("< 10%", b < 10)
        },
        Metric(key: "events_outbox_backlog", title: "events: outbox backlog 1 s after the load", unit: "events", higherIsBetter: false) { b, _, _ in
            ("< 1000 (1 s of pushes at the small-push target)", b < 1000)
        },
        Metric(key: "events_open_notifications", title: "events: notifications not yet delivered 1 s after the load", unit: "notifications",
               higherIsBetter: false, target: nil),
        Metric(key: "events_drain_s", title: "events: after the load, until every notification was delivered", unit: "s", higherIsBetter: false,
               target: nil),
        Metric(key: "auth_push_mono_mbps", title: "with auth: push, monolithic (8 clients)", unit: "MB/s", higherIsBetter: true) { b, d, _ in
            ("≥ 1.5×", b >= 1.5 * d)
        },
        Metric(key: "auth_pull_mbps", title: "with auth: pull (8 clients)", unit: "MB/s", higherIsBetter: true) { b, d, _ in ("≥ 1.2×", b >= 1.2 * d) },
        Metric(key: "auth_manifest_get_rps", title: "with auth: manifest GET (64 conns)", unit: "req/s", higherIsBetter: true) { b, d, _ in ("≥ 2×", b >= 2 * d) },
        Metric(key: "auth_manifest_get_p99_ms", title: "with auth: manifest GET p99", unit: "ms", higherIsBetter: false) { b, _, _ in ("< 10 ms", b < 10) },
        Metric(key: "auth_small_pushes_per_s", title: "with auth: small artifact pushes (200 clients)", unit: "pushes/s", higherIsBetter: true) { b, _, _ in
            ("≥ 1000/s", b >= 1000)
        },
        Metric(key: "auth_peak_rss_mb", title: "with auth: peak RSS", unit: "MB", higherIsBetter: false) { b, _, _ in ("< 150 MB", b < 150) },
        Metric(key: "populate_rps", title: "listing setup: mounts + tag pushes", unit: "req/s", higherIsBetter: true, target: nil),
        Metric(key: "catalog_first_ms", title: "catalog first page (n=100)", unit: "ms", higherIsBetter: false) { b, _, _ in ("< 10 ms", b < 10) },
        Metric(key: "catalog_deep_ms", title: "catalog page at 90% depth", unit: "ms", higherIsBetter: false) { b, _, _ in ("< 10 ms", b < 10) },
        Metric(key: "catalog_deep_p99_ms", title: "catalog page at 90% depth, p99", unit: "ms", higherIsBetter: false, target: nil),
        Metric(key: "tags_list_ms", title: "tag list of a deep repository", unit: "ms", higherIsBetter: false) { b, _, _ in ("< 10 ms", b < 10) },
        Metric(key: "tags_page_ms", title: "tag list page (n=5, last=)", unit: "ms", higherIsBetter: false) { b, _, _ in ("< 10 ms", b < 10) },
        Metric(key: "scan_import_s", title: "scanning: import of the synthetic advisories (Berth only)", unit: "s", higherIsBetter: false) { b, _, _ in
            ("< 10 s for 100k", b < 10) },
        Metric(key: "scan_import_rss_mb", title: "scanning: peak RSS of that import", unit: "MB", higherIsBetter: false, target: nil),
        Metric(key: "scan_import_go_s", title: "scanning: import of the Go vulnerability database (4,291 files)", unit: "s", higherIsBetter: false, target: nil),
        Metric(key: "scan_packages", title: "scanning: packages in debootstrap's bookworm (minbase)", unit: "packages", higherIsBetter: true, target: nil),
        Metric(key: "scan_index_ms", title: "scanning: index the bookworm image (one gzip layer)", unit: "ms", higherIsBetter: false) { b, _, _ in
            ("< 1 s", b < 1000) },
        Metric(key: "scan_match_ms", title: "scanning: match it against the whole store", unit: "ms", higherIsBetter: false) { b, _, _ in
            ("< 100 ms", b < 100) },
        Metric(key: "scan_peak_rss_mb", title: "scanning: peak RSS of berth scan", unit: "MB", higherIsBetter: false) { b, _, _ in ("< 200 MB", b < 200) },
        Metric(key: "portal_populate_per_s", title: "portal setup: tagged artifact pushes into one repository (Berth only)", unit: "pushes/s",
               higherIsBetter: true, target: nil),
        Metric(key: "portal_projects_ms", title: "portal: projects list, signed-in admin, p50", unit: "ms", higherIsBetter: false, target: nil),
        Metric(key: "portal_projects_p99_ms", title: "portal: projects list, p99", unit: "ms", higherIsBetter: false) { b, _, _ in ("< 20 ms", b < 20) },
        Metric(key: "portal_repository_ms", title: "portal: repository page, 10,000 artifacts, first page, p50", unit: "ms", higherIsBetter: false,
               target: nil),
        Metric(key: "portal_repository_p99_ms", title: "portal: repository page, first page, p99", unit: "ms", higherIsBetter: false) { b, _, _ in
            ("< 20 ms", b < 20)
        },
        Metric(key: "portal_repository_deep_p99_ms", title: "portal: repository page at 90% depth, p99", unit: "ms", higherIsBetter: false) { b, _, _ in
            ("< 20 ms", b < 20)
        },
        Metric(key: "portal_summary_p99_ms", title: "portal: project summary (counts, 30-day chart), p99", unit: "ms", higherIsBetter: false,
               target: nil),
        Metric(key: "replication_berth_mbps", title: "replication: the image set (10 layers of 1 MB each) into another Berth (distribution column: skopeo sync)",
               unit: "MB/s", higherIsBetter: true) { b, d, _ in ("≥ skopeo sync", b >= d) },
        Metric(key: "replication_distribution_mbps", title: "replication: the same into distribution (distribution column: skopeo sync)",
               unit: "MB/s", higherIsBetter: true) { b, d, _ in ("≥ skopeo sync", b >= d) },
        Metric(key: "replication_event_p50_ms", title: "replication: event-based, small image push → readable at the destination, p50",
               unit: "ms", higherIsBetter: false) { b, _, _ in ("≤ 1 s", b <= 1000) },
        Metric(key: "replication_event_max_ms", title: "replication: event-based, the slowest of ten", unit: "ms", higherIsBetter: false,
               target: nil),
        Metric(key: "gc_seconds", title: "GC of 100k unreferenced blobs (Berth: online, `berth gc`; distribution: offline `garbage-collect`)",
               unit: "s", higherIsBetter: false) { b, _, _ in ("< 10 s", b < 10) },
        Metric(key: "gc_freed_mb", title: "GC: bytes freed", unit: "MB", higherIsBetter: true, target: nil),
        Metric(key: "gc_loaded_seconds", title: "GC: another 100k orphan files, 1 worker, while 8 clients push (the server's gc job unless --gc-runner cli; median of the rounds)", unit: "s", higherIsBetter: false,
               target: nil),
        Metric(key: "gc_push_p50_ms", title: "GC: small image push (8 clients) without GC (windows before and after each collection, pooled), p50", unit: "ms", higherIsBetter: false, target: nil),
        Metric(key: "gc_push_p99_ms", title: "GC: small image push (8 clients) without GC, p99", unit: "ms", higherIsBetter: false, target: nil),
        Metric(key: "gc_push_during_p50_ms", title: "GC: the same pushes while GC runs (all rounds pooled), p50", unit: "ms", higherIsBetter: false, target: nil),
        Metric(key: "gc_push_during_p99_ms", title: "GC: the same pushes while GC runs, p99", unit: "ms", higherIsBetter: false, target: nil),
        Metric(key: "gc_push_p99_ratio", title: "GC: push p99 during GC / without", unit: "×", higherIsBetter: false) { b, _, _ in ("≤ 1.2", b <= 1.2) },
        Metric(key: "idle_rss_mb", title: "RSS idle after start", unit: "MB", higherIsBetter: false) { b, _, _ in ("< 30 MB", b < 30) },
        Metric(key: "peak_rss_mb", title: "peak RSS during the round", unit: "MB", higherIsBetter: false) { b, _, _ in ("< 150 MB", b < 150) },
        Metric(key: "startup_ms", title: "start to first 200 on /v2/", unit: "ms", higherIsBetter: false) { b, _, _ in ("< 300 ms", b < 300) },
    ]
}
