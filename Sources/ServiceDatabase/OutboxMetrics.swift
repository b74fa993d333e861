import Metrics
import Store

/// What a service's ``OutboxRelay`` counts (docs/metrics.md): messages published by type, those
/// dead-lettered because no queue takes them, and the backlog, which is the lag between a state
/// change committing and the broker having its message.
struct OutboxMetrics: Sendable {
    func published(type: String) {
        Counter(label: "n0core_outbox_published_total", dimensions: [("type", type)]).increment()
    }

    func deadLettered() {
        Counter(label: "n0core_outbox_dead_lettered_total").increment()
    }

    func backlog(_ backlog: OutboxBacklog) {
        Gauge(label: "n0core_outbox_pending_messages").record(backlog.pending)
        Gauge(label: "n0core_outbox_oldest_pending_age_seconds").record(backlog.oldestAge / .seconds(1))
    }
}
