import Metrics
import MetricsTestKit
import Synchronization
import Testing

import MessageHandling

extension MessageDispatcherTests {
    /// Per queue: every delivery taken, every handling tried again, and every delivery that
    /// reached the dead-letter queue (undecodable, refused, or out of retries).
    @Test func consumedRetriedAndDeadLetteredAreCountedPerQueue() async throws {
        let metrics = TestMetrics()
        let flakyFailures = Mutex(2)
        let handler = ScriptedHandler { body, _ in
            switch body {
            case "flaky": flakyFailures.withLock { $0 -= 1; return $0 >= 0 } ? .retry(reason: "lost a race") : .done
            case "poison": .retry(reason: "a bug")
            case "told": .deadLetter(reason: "told so")
            default: .done
            }
        }
        let deliveries = ["ok", "flaky", "poison", "told", "garbage"].map { FakeDelivery($0) }
        try await withMetricsFactory(metrics) {
            _ = try await dispatch(handler, retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(1))) { source in
                for delivery in deliveries { source.deliver(delivery) }
                try await eventually("all settled") { deliveries.allSatisfy { !$0.settlements.isEmpty } }
            }
        }
        let queue = [("queue", "test")]
        #expect(metrics.counterTotal(label: "n0core_messages_consumed_total", dimensions: queue) == 5)
        // flaky: 2 retries before it succeeds; poison: 2 retries, its third failure spends them.
        #expect(metrics.counterTotal(label: "n0core_messages_retried_total", dimensions: queue) == 4)
        #expect(metrics.counterTotal(label: "n0core_messages_dead_lettered_total", dimensions: queue) == 3)
        #expect(metrics.counterTotal(label: "n0core_messages_handled_total",
                                     dimensions: [("queue", "test"), ("type", "Test"), ("outcome", "done")]) == 2)
    }
}
