import Broker
import Foundation
import Logging
import Messages
import ServiceLifecycle
import ServiceSupport
import Store
import W3CTraceContext

/// The conductor: consumes the `conductor` queue (agents' `Notify` results and `Heartbeat`s) and
/// records them in the graph, in one transaction per message, acknowledging each only after its
/// transaction committed (a rescheduling `Spec` for the scheduler is in the outbox by then).
///
/// Several replicas may consume the same queue: a result is recorded once whoever receives it
/// (deduplicated by `message_id` in the transaction of its effect), and results for one spec are
/// serialized by the spec's row lock, so the last two results of a version cannot both miss
/// that it is complete. A message that can never be processed goes to the dead-letter queue with
/// the reason; one that fails for a passing reason (the database is away) is retried, then given
/// back to the queue.
public struct ConductorService: Service {
    let consumer: Consumer
    let configuration: ConductorConfiguration
    let results: ResultRecorder
    let registry: AgentRegistry
    let logger: Logger
    let onHandled: @Sendable (HandledDelivery) -> Void

    /// Attempts at a transaction that failed for a passing reason before the delivery is given
    /// back to the queue, and the first pause between them (doubling, at most 2 s).
    static let maxTries = 8
    static let firstRetryDelay = Duration.milliseconds(50)

    /// - Parameters:
    ///   - consumer: a consumer of ``Clients/ConductorClient/queue`` (run it in the same service
    ///     group, after the database and the publisher that carries its dead letters).
    ///   - onHandled: told how each delivery ended, after it was settled (for tests and metrics).
    public init(
        consumer: Consumer, store: Store, configuration: ConductorConfiguration, logger: Logger,
        onHandled: @escaping @Sendable (HandledDelivery) -> Void = { _ in }
    ) {
        self.consumer = consumer
        self.configuration = configuration
        self.logger = logger
        self.onHandled = onHandled
        results = ResultRecorder(
            store: store, failures: FailureRecorder(maxAttempts: configuration.maxAttempts, logger: logger), logger: logger)
        registry = AgentRegistry(store: store, logger: logger)
    }

    /// Handles deliveries, up to `configuration.concurrency` at once, until graceful shutdown;
    /// the deliveries in hand are finished (and settled) before it returns.
    public func run() async throws {
        let limit = max(configuration.concurrency, 1)
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            do {
                for try await delivery in consumer.cancelOnGracefulShutdown() {
                    if inFlight >= limit {
                        await group.next()
                        inFlight -= 1
                    }
                    group.addTask { await self.handle(delivery) }
                    inFlight += 1
                }
            } catch {
                logger.error("consuming stopped", metadata: ["error": "\(error)"])
            }
            await group.waitForAll()
        }
    }

    /// Decodes, records and settles one delivery. Never throws: whatever happens, the delivery
    /// is acknowledged, dead-lettered or given back.
    func handle(_ delivery: Delivery) async {
        let properties = delivery.properties
        var outcome: HandledDelivery.Outcome
        do {
            let message = try IncomingMessage.decode(type: properties.type, messageID: properties.messageID, body: delivery.data)
            outcome = try await withRetries(messageID: properties.messageID) {
                switch message {
                case .notify(let notify, let messageID):
                    let trace = TraceContext(headers: properties.headers)?.nextHop()
                    return HandledDelivery.Outcome(try await results.record(notify, messageID: messageID, trace: trace))
                case .heartbeat(let heartbeat):
                    try await registry.record(heartbeat)
                    return .heartbeat
                }
            }
            try await delivery.ack()
        } catch let rejection as IncomingRejection {
            outcome = .deadLettered(rejection.reason)
            do {
                try await delivery.deadLetter(reason: rejection.reason)
            } catch {
                logger.error("could not dead-letter a message", metadata: ["error": "\(error)"])
            }
        } catch {
            outcome = .requeued("\(error)")
            logger.error("could not record a message; giving it back to the queue", metadata: [
                "message_id": "\(properties.messageID ?? "-")", "type": "\(properties.type ?? "-")",
                "error": "\(error)",
            ])
            try? await delivery.reject(requeue: true)
        }
        onHandled(HandledDelivery(messageID: properties.messageID, type: properties.type, outcome: outcome))
    }

    /// Runs `body` again while it fails for a passing reason (a lost connection, a serialization
    /// failure), pausing between tries; a rejection or cancellation ends it at once.
    private func withRetries<Result: Sendable>(
        messageID: String?, _ body: () async throws -> Result
    ) async throws -> Result {
        var delay = Self.firstRetryDelay
        var tries = 0
        while true {
            do {
                return try await body()
            } catch let rejection as IncomingRejection {
                throw rejection
            } catch {
                tries += 1
                if tries >= Self.maxTries || Task.isCancelled { throw error }
                logger.warning("recording a message failed; retrying", metadata: [
                    "message_id": "\(messageID ?? "-")", "error": "\(error)", "retry_in": "\(delay)",
                ])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
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
        case requeued(String)

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
