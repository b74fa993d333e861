import Broker
import Foundation
import Logging
import MessageHandling
import Messages
import ServiceLifecycle
import ServiceDatabase
import ServiceSupport
import Store
import W3CTraceContext

/// The conductor: consumes the `conductor` queue (agents' `Notify` results and `Heartbeat`s)
/// through the ``MessageDispatcher`` and records them in the graph (``ConductorHandler``): the
/// results in hand together, up to `conductor.batch_size` per transaction, each acknowledged
/// only after its transaction committed (a rescheduling `Spec` for the scheduler is in the
/// outbox by then).
///
/// Several replicas may consume the same queue: a result is recorded once whoever receives it
/// (deduplicated by `message_id` in the transaction of its effect), and results for one spec are
/// serialized by the spec's row lock, so the last two results of a version cannot both miss
/// that it is complete. A message that can never be processed goes to the dead-letter queue with
/// the reason; while the database is away the queue pauses (``OutageGate``), spending no
/// delivery attempt. It also follows what it can hear (``hearing``), which the
/// ``ConductorSweeper`` asks before it judges anyone by silence.
public struct ConductorService: Service {
    let consumer: Consumer
    let dispatcher: MessageDispatcher<Consumer, ConductorHandler>
    /// The database's gate, shared with the sweeper.
    public let gate: OutageGate
    /// What this replica can hear, for its sweeper.
    public let hearing: HearingMonitor
    /// Batches of results recorded at once: two keep both of PostgreSQL's cores busy while one
    /// batch's statements wait on their round trips. They cannot deadlock with each other on
    /// specs, which each batch locks in ascending order.
    static let concurrentBatches = 2

    /// - Parameters:
    ///   - consumer: a consumer of ``Clients/ConductorClient/queue`` (run it in the same service
    ///     group, after the database and the publisher that carries its dead letters).
    ///   - onHandled: told how each delivery ended (for tests and metrics).
    public init(
        consumer: Consumer, store: Store, configuration: ConductorConfiguration, logger: Logger,
        onHandled: @escaping @Sendable (HandledDelivery) -> Void = { _ in }
    ) {
        self.consumer = consumer
        gate = OutageGate.database(store, logger: logger)
        hearing = HearingMonitor(gate: gate, catchUpLimit: configuration.catchUpLimit)
        let results = ResultRecorder(
            store: store, failures: FailureRecorder(maxAttempts: configuration.maxAttempts, logger: logger), logger: logger)
        let batches = configuration.batchSize > 1
            ? GroupCommit(
                queue: consumer.queue, maximumBatch: configuration.batchSize,
                maximumConcurrentBatches: Self.concurrentBatches
            ) { [results, timeout = configuration.databaseTimeout] items in
                // Bounded like one result's transaction: a batch stuck on a vanished database
                // must not keep every later result waiting behind it.
                try await withDeadline(timeout, onOverrun: .abandon) { await results.record(items) }
            } : nil
        let handler = ConductorHandler(
            results: results, batches: batches, registry: AgentRegistry(store: store, logger: logger), hearing: hearing,
            senders: configuration.agentSenders.map { SenderVerifier(senders: $0, store: store) },
            databaseTimeout: configuration.databaseTimeout, onHandled: onHandled)
        dispatcher = MessageDispatcher(
            source: consumer, handler: handler, configuration: .init(concurrency: configuration.concurrency),
            classifier: .store, gate: gate, logger: logger,
            onSettled: { settled in
                if case .deadLetter(let reason) = settled.disposition {
                    onHandled(HandledDelivery(messageID: settled.messageID, type: settled.type, outcome: .deadLettered(reason)))
                }
            })
    }

    /// Handles deliveries until graceful shutdown; the deliveries in hand are finished (and
    /// settled) before it returns.
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await hearing.follow(consumer) }
            try await dispatcher.run()
            group.cancelAll()
        }
    }
}

/// How one delivery on the conductor's queue ended.
public struct HandledDelivery: Sendable, Equatable {
    public var messageID: String?
    /// The AMQP `type` property.
    public var type: String?
    public var outcome: Outcome

    public enum Outcome: Sendable, Equatable {
        /// A success result was recorded; `versionApplied` when it completed its spec version.
        case applied(versionApplied: Bool)
        /// An error result sent its object back to the scheduler.
        case rescheduled
        /// An error result used the object's last attempt: it (and its version) failed.
        case failed
        /// An `INFO`/`WARNING` result, which decides nothing.
        case progress
        /// A result that no longer concerns its object (a late one from an agent the object
        /// already failed on, or for a desired state a newer version changed), with why.
        case ignored(String)
        /// A message already recorded (same `message_id`).
        case duplicate
        case heartbeat
        case deadLettered(String)

        init(_ outcome: ResultRecorder.Outcome) {
            switch outcome {
            case .duplicate: self = .duplicate
            case .applied(let versionApplied): self = .applied(versionApplied: versionApplied)
            case .rescheduled: self = .rescheduled
            case .failed: self = .failed
            case .progress: self = .progress
            case .ignored(let why): self = .ignored(why)
            }
        }
    }
}
