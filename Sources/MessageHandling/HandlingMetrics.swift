import Metrics

/// What the dispatcher counts, per queue (docs/metrics.md): deliveries taken, handlings tried
/// again, deliveries moved to the dead-letter queue; deliveries by message type and outcome, how
/// long handling took, settlements that failed, and the deliveries in hand.
struct HandlingMetrics: Sendable {
    let queue: String

    /// A delivery was taken from the queue (a redelivery too).
    func consumed() {
        Counter(label: "n0core_messages_consumed_total", dimensions: [("queue", queue)]).increment()
    }

    /// A handling that failed in passing is tried again.
    func retried() {
        Counter(label: "n0core_messages_retried_total", dimensions: [("queue", queue)]).increment()
    }

    /// A delivery is in the dead-letter queue (the broker confirmed it).
    func deadLettered() {
        Counter(label: "n0core_messages_dead_lettered_total", dimensions: [("queue", queue)]).increment()
    }

    func handled(type: String, outcome: String, duration: Duration) {
        Counter(label: "n0core_messages_handled_total",
                dimensions: [("queue", queue), ("type", type), ("outcome", outcome)]).increment()
        Metrics.Timer(label: "n0core_message_handling_seconds", dimensions: [("queue", queue), ("type", type)])
            .recordNanoseconds(Int64(duration.components.seconds) * 1_000_000_000
                + Int64(duration.components.attoseconds / 1_000_000_000))
    }

    func settleFailed() {
        Counter(label: "n0core_message_settle_failures_total", dimensions: [("queue", queue)]).increment()
    }

    func inHand(_ count: Int) {
        Gauge(label: "n0core_messages_in_hand", dimensions: [("queue", queue)]).record(count)
    }

    func paused(_ paused: Bool) {
        Gauge(label: "n0core_consumer_paused", dimensions: [("queue", queue)]).record(paused ? 1 : 0)
    }
}
