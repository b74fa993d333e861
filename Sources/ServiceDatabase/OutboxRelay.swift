import Broker
import Logging
import ServiceLifecycle
import Store
import ServiceSupport

/// Publishes what transactions queued in the outbox, with publisher confirms, and marks it sent:
/// a service's state change and the messages announcing it commit together, and the messages
/// leave even if the broker was down at commit time.
///
/// It drains the outbox whenever a commit signals ``Store/outboxChannel`` (so a message leaves
/// within milliseconds of its commit) and every `pollInterval` in any case (a missed
/// notification or a lost listening connection delays nothing for long). Every step is bounded
/// (``stepTimeout``): a pool that cannot reach the database, a hung server or a silent broker
/// fail the step, which is logged and tried again at the next wake-up, so the relay resumes by
/// itself after any outage. Several relays may run at once (rows are claimed `SKIP LOCKED`).
///
/// Every `backlogInterval` it measures the backlog of its rows (``OutboxMetrics``): an outbox
/// that grows while the broker is away, or that one relay cannot keep up with, shows there.
public struct OutboxRelay: Service {
    let store: Store
    let publisher: Publisher
    let logger: Logger
    /// Bound on one publish, so a dead broker does not hold the outbox rows' locks for ever.
    let publishTimeout: Duration
    let pollInterval: Duration
    /// Bound on one relay step (claim, publish a batch, mark sent).
    let stepTimeout: Duration
    /// How often the backlog is measured: a query of its own, so not at every wake-up.
    let backlogInterval: Duration
    let metrics = OutboxMetrics()
    static let batchSize = 100

    public init(
        store: Store, publisher: Publisher, logger: Logger, publishTimeout: Duration = .seconds(10),
        pollInterval: Duration = .milliseconds(500), stepTimeout: Duration = .seconds(60),
        backlogInterval: Duration = .seconds(5)
    ) {
        self.store = store
        self.publisher = publisher
        self.logger = logger
        self.publishTimeout = publishTimeout
        self.pollInterval = pollInterval
        self.stepTimeout = stepTimeout
        self.backlogInterval = backlogInterval
    }

    public func run() async throws {
        let (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await store.listenForOutbox(wake: wake, retryAfter: pollInterval) }
                group.addTask {
                    while !Task.isCancelled {
                        wake.yield()
                        try? await Task.sleep(for: pollInterval)
                    }
                }
                group.addTask { await measureBacklog() }
                var failing = false
                for await _ in wakeups {
                    do {
                        while try await step() == Self.batchSize {}
                        if failing { logger.notice("outbox relay sending again") }
                        failing = false
                    } catch {
                        if Task.isCancelled { break }
                        // Logged once per outage, not at every poll.
                        if !failing { logger.warning("outbox relay failed; retrying", metadata: ["error": "\(error)"]) }
                        failing = true
                    }
                }
                group.cancelAll()
            }
        }
    }

    /// Measures the backlog until cancelled. A failed measurement (the database is away) leaves
    /// the last figures; the relay's own step logs the outage.
    func measureBacklog() async {
        while !Task.isCancelled {
            do {
                let store = self.store
                metrics.backlog(try await withDeadline(stepTimeout, onOverrun: .abandon) { try await store.outboxBacklog() })
            } catch {
                if Task.isCancelled { return }
                logger.debug("could not measure the outbox backlog", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: backlogInterval)
        }
    }

    /// One bounded relay step: how many rows it sent.
    func step() async throws -> Int {
        let (store, publisher, logger, timeout, metrics) = (self.store, self.publisher, self.logger, publishTimeout, self.metrics)
        return try await withDeadline(stepTimeout, onOverrun: .abandon) {
            try await store.relayOutbox(limit: Self.batchSize) { records in
                try await Self.send(records.map(OutgoingMessage.init), publisher: publisher, timeout: timeout,
                                    logger: logger, metrics: metrics)
            }
        }
    }

    /// Publishes the messages in their order, waiting for their confirms together, and counts
    /// each the broker confirmed. Throws the first failure after all have ended: the rows then
    /// stay unsent and are published again, the confirmed ones too (and counted again);
    /// consumers deduplicate.
    static func send(
        _ messages: [OutgoingMessage], publisher: Publisher, timeout: Duration, logger: Logger, metrics: OutboxMetrics
    ) async throws {
        var unroutable: [OutgoingMessage] = []
        var failure: (any Error)?
        for (message, result) in zip(messages, await publisher.publishAll(messages, timeout: timeout)) {
            switch result {
            case .success:
                metrics.published(type: message.type)
            case .failure(BrokerError.unroutable(_, let routingKey, let reason)):
                // No queue takes it (an agent whose queue was deleted): retrying would fail for
                // ever and hold back every row after it, so it goes to the dead-letter queue.
                // Other failures are transient and retried.
                logger.error("an outbox message has no queue; dead-lettered", metadata: [
                    "message_id": "\(message.messageID)", "routing_key": "\(routingKey)", "reason": "\(reason)",
                ])
                unroutable.append(message.deadLettered(reason: "unroutable from the outbox: \(reason)"))
            case .failure(let error):
                failure = failure ?? error
            }
        }
        for result in await publisher.publishAll(unroutable, timeout: timeout) {
            try result.get()
            metrics.deadLettered()
        }
        if let failure { throw failure }
    }
}
