import Prometheus

extension PrometheusMetricsFactory {
    /// The buckets of every n0core timer. Its durations run from milliseconds (a message
    /// handled, a version applied by simulated agents) to minutes (an image downloaded, a guest
    /// defined, a version applied on real hosts); swift-prometheus's default buckets stop at 10 s.
    public static let n0coreDurationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600),
    ]

    /// The buckets of the batch sizes (`n0core_message_batch_size`): from one message alone up to
    /// the largest `*.batch_size`.
    public static let n0coreBatchSizeBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256]

    /// The factory a daemon bootstraps swift-metrics with, into `registry` (its `/metrics`).
    public static func n0core(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = n0coreDurationBuckets
        factory.valueHistogramBuckets["n0core_message_batch_size"] = n0coreBatchSizeBuckets
        return factory
    }
}
