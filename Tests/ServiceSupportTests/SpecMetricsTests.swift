import Metrics
import MetricsTestKit
import ServiceDatabase
import Store
import Testing

/// What the services count of the version changes their store reports after each commit.
@Suite struct SpecMetricsTests {
    @Test func acceptedAndSettledVersionsAreCountedAndTheAppliedOnesTimed() throws {
        let metrics = TestMetrics()
        withMetricsFactory(metrics) {
            SpecMetrics().record([
                .accepted, .accepted, .accepted,
                .settled(.applied, after: .milliseconds(1500)), .settled(.failed, after: .seconds(3)),
                .settled(.superseded, after: .seconds(1)),
            ])
        }
        #expect(metrics.counterTotal(label: "n0core_spec_versions_accepted_total") == 3)
        for state in ["applied", "failed", "superseded"] {
            #expect(metrics.counterTotal(label: "n0core_spec_versions_settled_total", dimensions: [("state", state)]) == 1)
        }
        let applied = try metrics.expectTimer("n0core_spec_accepted_to_applied_seconds")
        #expect(applied.values == [1_500_000_000], "only the applied version, timed from its acceptance")
    }
}
