import Metrics
import Prometheus
import ServiceSupport
import Testing

/// A daemon's timers are histograms whose buckets reach the minutes real hosts take.
@Suite struct MetricsBucketsTests {
    @Test func timersCountMinutesInBucketsOfTheirOwn() {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory.n0core(registry: registry)
        let timer = Metrics.Timer(label: "n0core_test_seconds", factory: factory)
        timer.record(duration: .milliseconds(40))
        timer.record(duration: .seconds(90))
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let lines = Set(String(decoding: buffer, as: UTF8.self).split(separator: "\n").map(String.init))
        #expect(lines.contains(#"n0core_test_seconds_bucket{le="0.05"} 1"#))
        #expect(lines.contains(#"n0core_test_seconds_bucket{le="60.0"} 1"#))
        #expect(lines.contains(#"n0core_test_seconds_bucket{le="120.0"} 2"#), "90 s has a bucket below +Inf")
        #expect(lines.contains(#"n0core_test_seconds_bucket{le="600.0"} 2"#))
        #expect(lines.contains(#"n0core_test_seconds_count 2"#))
    }
}
