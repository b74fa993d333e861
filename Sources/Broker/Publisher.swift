import Logging
import ServiceLifecycle
import Synchronization

/// Publishes messages with publisher confirms, over its own connection and thread.
///
/// `publish` returns only once the broker has confirmed the message (persisted it to every
/// queue it routes to), so a caller may commit "sent" afterwards. Until then the publisher keeps
/// trying: while disconnected it waits, and if the connection breaks before the confirm it
/// reconnects with backoff and publishes again. That makes delivery at-least-once: consumers
/// must deduplicate by `message_id`.
///
/// Run it in the service's `ServiceGroup`, before the services that use it, so it stops last and
/// can still deliver their final messages:
/// ```swift
/// let publisher = Publisher(configuration: broker, logger: logger)
/// let group = ServiceGroup(services: [publisher, consumer, scheduler], logger: logger)
/// ```
public final class Publisher: Service, BrokerConnectionReporting {
    let worker: ConnectionWorker<PublisherEngine>
    private let callers = PendingPublishes()
    private let requestIDs = Atomic<UInt64>(0)

    /// - Parameters:
    ///   - topology: declared on every (re)connect. Declare the queues this service publishes to,
    ///     so that a message sent before its consumer ever started is kept, not unroutable.
    public init(configuration: BrokerConfiguration, topology: Topology = Topology(), logger: Logger) {
        let engine = PublisherEngine(topology: topology, configuration: configuration, callers: callers, logger: logger)
        worker = ConnectionWorker(configuration: configuration, role: "publisher", engine: engine, logger: logger)
    }

    /// Connects and keeps the connection up until graceful shutdown or cancellation; then waits
    /// briefly for outstanding confirms and closes the connection. Messages still unconfirmed
    /// then fail with ``BrokerError/shutDown``.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await worker.run()
        } onGracefulShutdown: {
            self.worker.requestStop()
        }
    }

    /// Publishes `message` and returns once the broker confirmed it.
    ///
    /// Waits while the broker is unreachable. Honours task cancellation (throws
    /// `CancellationError`; the message may or may not have been delivered).
    ///
    /// - Parameter timeout: fail with ``BrokerError/timedOut`` if not confirmed in time; nil waits
    ///   as long as it takes.
    /// - Throws: ``BrokerError/unroutable(exchange:routingKey:reason:)`` for a mandatory message no
    ///   queue takes, ``BrokerError/nacked(attempts:)``, ``BrokerError/timedOut``,
    ///   ``BrokerError/shutDown``.
    public func publish(_ message: OutgoingMessage, timeout: Duration? = nil) async throws {
        try await publishAll([message], timeout: timeout)[0].get()
    }

    /// Publishes `messages` in their order, all at once, and returns when the broker has
    /// confirmed (or refused) every one: one wait for the batch's confirms instead of one per
    /// message. Each message ends as ``publish(_:timeout:)`` would, in the same order.
    ///
    /// - Parameter timeout: for the whole batch; a message not confirmed by then fails with
    ///   ``BrokerError/timedOut``.
    public func publishAll(_ messages: [OutgoingMessage], timeout: Duration? = nil) async -> [Result<Void, any Error>] {
        guard !messages.isEmpty else { return [] }
        let count = UInt64(messages.count)
        let batch = PublishBatch(firstID: requestIDs.add(count, ordering: .relaxed).newValue - count + 1, count: messages.count)
        let requests = zip(batch.ids, messages).map { PublisherEngine.Request(id: $0, message: $1) }
        var timer: Task<Void, any Error>?
        defer { timer?.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[Result<Void, any Error>], Never>) in
                batch.wait(with: continuation)
                for id in batch.ids {
                    callers.insert(id) { batch.complete(id, with: $0) }
                }
                if let timeout {
                    timer = Task { [callers, worker] in
                        try await Task.sleep(for: timeout)
                        for id in batch.ids { callers.complete(id, with: .failure(BrokerError.timedOut)) }
                        _ = worker.submit(.cancel(ids: batch.ids))
                    }
                }
                let failure: (any Error)?
                switch worker.submit(.publish(requests), unlessCancelled: true) {
                case .accepted: failure = nil
                case .cancelled: failure = CancellationError()
                case .shutDown: failure = BrokerError.shutDown
                }
                if let failure {
                    for id in batch.ids { callers.complete(id, with: .failure(failure)) }
                }
            }
        } onCancel: {
            for id in batch.ids { callers.complete(id, with: .failure(CancellationError())) }
            _ = worker.submit(.cancel(ids: batch.ids))
        }
    }

    public var connectionState: BrokerConnectionState { worker.status.state }

    public func connectionStateUpdates() -> AsyncStream<BrokerConnectionState> { worker.status.updates() }
}
