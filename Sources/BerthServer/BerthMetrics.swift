import Metrics
import Prometheus

/// The process's metrics: swift-metrics backed by a Prometheus registry, set up once however many servers the
/// process builds.
enum BerthMetrics {
    /// Where every metric of the process is kept.
    static let registry = PrometheusCollectorRegistry()

    private static let bootstrapped: Void = {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        MetricsSystem.bootstrap(factory)
    }()

    /// Points swift-metrics at the registry (the first call does it; later ones do nothing).
    static func bootstrap() { _ = bootstrapped }
}
