import Broker
import Clients
import Foundation
import Logging
import Messages
import ServiceLifecycle
import ServiceSupport
import W3CTraceContext

/// Everything the three agent kinds share; the ``AgentDriver`` supplies what differs.
///
/// On start it prepares the driver, reconciles (compares what it was asked to hold with what
/// the driver finds on the host, and reports differences), joins with a heartbeat and keeps
/// sending one every ``AgentConfiguration/heartbeatInterval``. Then it consumes its own queue,
/// which carries two kinds of message, told apart by the AMQP `type`:
///
/// - `Request`: checked (type served, id, ``AgentDriver/validate(_:)``), then held until its
///   embedded dependencies are ready (``AgentDriver/unmetDependencies(of:)``), filled in from
///   their `Notify`s, then applied through the driver. The result goes out as a `Notify` to the
///   conductor and to the agent of every object in `depended_by`; only once the broker has
///   confirmed those is the request acknowledged. A request that waits longer than
///   ``AgentConfiguration/dependencyTimeout`` fails with an `ERROR` that names what it waited
///   for and from which agent. A request whose body is malformed but still names its spec and
///   object is answered with an `ERROR` (nothing is created); anything else undecodable goes
///   to the dead-letter queue.
/// - `Notify`: another agent's result, recorded on the ``DependencyBoard`` (kept even when no
///   request waits for it yet, bounded and expiring, and on disk), then acknowledged.
///
/// A waiting ("parked") request stays unacknowledged, so a restart loses nothing: the broker
/// redelivers it. The price is that parked requests count against the consumer's prefetch
/// (`amqp.prefetch`, default 32): when that many requests wait at once, the `Notify`s they wait
/// for queue up behind them and they fail at their deadline (then the conductor reschedules).
/// Raise the prefetch on agents that must hold more.
///
/// Graceful shutdown (SIGTERM) stops taking messages, lets requests being applied finish
/// (apply, notify, ack), and leaves parked ones unacknowledged for redelivery. Run it in a
/// `ServiceGroup` after its publisher and consumer, so they stop after it.
public final class AgentRuntime: Service {
    public let identity: AgentIdentity
    let driver: any AgentDriver
    let configuration: AgentConfiguration
    let consumer: Consumer
    let publisher: any MessagePublishing
    let logger: Logger
    let board: DependencyBoard
    let held: HeldObjects
    let composer: NotifyComposer
    let locks = KeyedLock<ObjectID>()
    let inFlight = InFlightRequests()

    /// How long a `Notify` or heartbeat may wait for the broker's confirm.
    static let publishTimeout: Duration = .seconds(30)

    /// - Parameters:
    ///   - consumer: of ``Clients/AgentClient/queue(_:)`` for `identity.agentID`.
    ///   - publisher: declares ``Clients/ConductorClient/topology`` and the agent's own queue.
    public init(
        driver: any AgentDriver,
        identity: AgentIdentity,
        configuration: AgentConfiguration,
        consumer: Consumer,
        publisher: any MessagePublishing,
        logger: Logger
    ) throws {
        var logger = logger
        logger[metadataKey: "agent_id"] = "\(identity.agentID)"
        self.driver = driver
        self.identity = identity
        self.configuration = configuration
        self.consumer = consumer
        self.publisher = publisher
        self.logger = logger
        let state = URL(fileURLWithPath: configuration.stateDirectory, isDirectory: true)
        held = try HeldObjects(directory: state.appendingPathComponent("held", isDirectory: true))
        board = DependencyBoard(
            limit: configuration.earlyNotifyLimit, lifetime: configuration.earlyNotifyLifetime,
            directory: state.appendingPathComponent("notifies", isDirectory: true), logger: logger)
        composer = NotifyComposer(agentType: driver.agentType, identity: identity)
    }

    /// How many requests are waiting for their dependencies right now.
    public var parkedRequestCount: Int {
        get async { await board.waitingCount }
    }

    public func run() async throws {
        try await driver.prepare()
        await reconcile()
        logger.info("agent joining", metadata: [
            "agent_type": "\(driver.agentType.rawValue)", "host_id": "\(identity.hostID)",
            "queue": "\(consumer.queue)",
        ])
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.sendHeartbeats() }
            group.addTask { await self.consume() }
            // Heartbeats only end when cancelled, so the first to finish is the consumption
            // (shut down, or the whole agent cancelled): then heartbeats stop too.
            await group.next()
            group.cancelAll()
        }
        logger.info("agent stopped")
    }

    /// Handles deliveries until graceful shutdown; returns once the requests being applied have
    /// been answered, leaving parked ones unacknowledged.
    private func consume() async {
        await withDiscardingTaskGroup { group in
            do {
                for try await delivery in consumer.cancelOnGracefulShutdown() {
                    switch IncomingMessage.classify(type: delivery.properties.type, body: delivery.data) {
                    case .notify(let notify):
                        // In line, so a Notify is recorded before any later message is looked at.
                        await record(notify, delivery: delivery)
                    case .request(let request):
                        group.addTask { await self.handle(request, delivery: delivery) }
                    case .refusedRequest(let refused):
                        group.addTask { await self.refuse(refused, delivery: delivery) }
                    case .deadLetter(let reason):
                        try? await delivery.deadLetter(reason: reason)
                    }
                }
            } catch is CancellationError {
            } catch {
                logger.error("consuming the agent's queue failed", metadata: ["error": "\(error)"])
            }
            await board.stop()
        }
    }

    // MARK: Notify

    private func record(_ notify: NotifyMessage, delivery: Delivery) async {
        await board.record(notify)
        logger.debug("recorded a Notify", metadata: [
            "spec_id": "\(notify.specID)", "object_id": "\(notify.object.id?.description ?? "-")",
            "level": "\(notify.level.rawValue)",
        ])
        try? await delivery.ack()
    }
}
