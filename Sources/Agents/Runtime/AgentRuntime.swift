import Broker
import Clients
import Foundation
import Logging
import MessageHandling
import Messages
import ServiceLifecycle
import ServiceSupport
import W3CTraceContext

/// Everything the three agent kinds share; the ``AgentDriver`` supplies what differs.
///
/// On start it prepares the driver, reconciles (compares what it was asked to hold with what
/// the driver finds on the host, and reports differences), joins with a heartbeat and keeps
/// sending one every ``AgentConfiguration/heartbeatInterval`` (with the capacity measured off
/// that path, so a busy driver never silences it). Then it consumes its own queue through the
/// ``MessageDispatcher`` (``AgentHandler``); the queue carries two kinds of message, told apart
/// by the AMQP `type`:
///
/// - `Request`: checked (type served, id, ``AgentDriver/validate(_:)``, and its attempt against
///   the one this agent holds for the object: an older one is refused), then held until its
///   embedded dependencies are ready (``AgentDriver/unmetDependencies(of:)``), filled in from
///   their `Notify`s, then applied through the driver. The result goes out as a `Notify` to the
///   conductor and to the agent of every object in `depended_by`, with a `message_id` derived
///   from the request and its attempt (a repeat is recognised); only once the broker has
///   confirmed those is the request acknowledged. While it waits or applies for longer than
///   ``AgentConfiguration/progressInterval`` it tells the conductor so (`INFO`), which moves
///   the conductor's deadline on. A request that waits longer than
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
    let capacityCache: CapacityCache
    let driverMetrics: DriverMetrics

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
        held = try HeldObjects(stateDirectory: configuration.stateDirectory)
        board = DependencyBoard(
            limit: configuration.earlyNotifyLimit, lifetime: configuration.earlyNotifyLifetime,
            directory: state.appendingPathComponent("notifies", isDirectory: true), logger: logger)
        composer = NotifyComposer(agentType: driver.agentType, identity: identity)
        capacityCache = CapacityCache { [driver] in try await driver.capacity() }
        driverMetrics = DriverMetrics(driver: driver.agentType)
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
        let dispatcher = MessageDispatcher(
            source: consumer, handler: AgentHandler(runtime: self),
            // Parked requests hold their slot while they wait: as many as the prefetch lets in.
            configuration: .init(concurrency: max(1, configuration.prefetch)), logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.sendHeartbeats() }
            group.addTask { try? await dispatcher.run() }
            // Heartbeats only end when cancelled, so the first to finish is the consumption
            // (shut down, or the whole agent cancelled): then heartbeats stop too.
            await group.next()
            group.cancelAll()
        }
        logger.info("agent stopped")
    }
}
