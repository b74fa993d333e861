import Messages
import ServiceSupport

/// The scheduler's settings (see docs/configuration.md).
public struct SchedulerSettings: Sendable {
    /// `scheduler.agent_timeout_seconds` (N0CORE_SCHEDULER_AGENT_TIMEOUT_SECONDS): an agent
    /// whose last heartbeat is older than this gets no new objects. Default 30, three of the
    /// agents' default 10 s heartbeats.
    public var agentTimeoutSeconds: Int
    /// `scheduler.concurrency` (N0CORE_SCHEDULER_CONCURRENCY): specs scheduled at once by this
    /// replica. Keep it at most `amqp.prefetch`. Default 4.
    public var concurrency: Int
    /// `scheduler.batch_size` (N0CORE_SCHEDULER_BATCH_SIZE): specs scheduled in one transaction,
    /// at most. The specs in hand when a transaction begins share it; 1 schedules each alone.
    /// Default 16 (bounded in practice by ``concurrency``).
    public var batchSize: Int
    /// When set, only these agents get new objects: a scheduler confined to part of the
    /// registry (tests use it to keep to the agents they registered). Not a configuration key.
    public var onlyAgents: Set<ObjectID>?
    /// The name the scheduler records processed messages under (shared by every replica, so a
    /// message redelivered to another replica is still recognised).
    public var consumerName: String
    /// The longest one attempt at scheduling a spec may take before it is abandoned (rolled
    /// back) and tried again.
    public var attemptTimeout: Duration
    /// `scheduler.placement_deadline_seconds` (N0CORE_SCHEDULER_PLACEMENT_DEADLINE_SECONDS): how
    /// long a spec that could fit waits for room (agents back, capacity freed) before it fails.
    /// Default 600.
    public var placementDeadlineSeconds: Double
    /// `scheduler.deferred_retry_max_seconds`: the longest pause between two tries of a waiting
    /// spec (the first is 1 s, doubling). Default 10.
    public var deferredRetryMaxSeconds: Double
    /// `scheduler.registry_cache_seconds` (N0CORE_SCHEDULER_REGISTRY_CACHE_SECONDS): how long
    /// the candidate agents read for one spec, indexed, serve the next ones (``RegistryCache``);
    /// 0 reads and indexes them for every spec. Default 5, half the agents' default heartbeat.
    public var registryMaxAge: Duration

    public init(
        agentTimeoutSeconds: Int = 30, concurrency: Int = 4, batchSize: Int = 16, onlyAgents: Set<ObjectID>? = nil,
        consumerName: String = "n0core-scheduler", attemptTimeout: Duration = .seconds(30),
        placementDeadlineSeconds: Double = 600, deferredRetryMaxSeconds: Double = 10, registryMaxAge: Duration = .seconds(5)
    ) {
        self.agentTimeoutSeconds = agentTimeoutSeconds
        self.concurrency = concurrency
        self.batchSize = batchSize
        self.onlyAgents = onlyAgents
        self.consumerName = consumerName
        self.attemptTimeout = attemptTimeout
        self.placementDeadlineSeconds = placementDeadlineSeconds
        self.deferredRetryMaxSeconds = deferredRetryMaxSeconds
        self.registryMaxAge = registryMaxAge
    }

    /// The pause before the next try of a waiting spec that has been tried `attempts` times.
    func deferredRetryDelay(afterAttempts attempts: Int) -> Double {
        min(deferredRetryMaxSeconds, Double(1 << min(max(attempts, 0), 10)))
    }

    /// Reads the `scheduler.*` keys.
    public init(_ configuration: ServiceConfiguration) throws {
        let reader = configuration.reader
        let timeout = try reader.bounded("scheduler.agent_timeout_seconds", default: 30, in: 1...86_400, unit: "seconds")
        let concurrency = try reader.bounded("scheduler.concurrency", default: 4, in: 1...256, unit: "specs")
        let batchSize = try reader.bounded("scheduler.batch_size", default: 16, in: 1...256, unit: "specs")
        let deadline = try reader.bounded("scheduler.placement_deadline_seconds", default: 600, in: 1...2_592_000, unit: "seconds")
        let retryMax = try reader.bounded("scheduler.deferred_retry_max_seconds", default: 10, in: 1...3_600, unit: "seconds")
        let registryCache = try reader.bounded("scheduler.registry_cache_seconds", default: 5, in: 0...60, unit: "seconds")
        self.init(agentTimeoutSeconds: timeout, concurrency: concurrency, batchSize: batchSize,
                  placementDeadlineSeconds: Double(deadline), deferredRetryMaxSeconds: Double(retryMax),
                  registryMaxAge: .seconds(registryCache))
    }
}
