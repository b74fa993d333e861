import Configuration
import ServiceSupport

/// The conductor's own settings (`conductor.*` keys, `N0CORE_CONDUCTOR_*` variables; see
/// `docs/configuration.md`).
public struct ConductorConfiguration: Sendable, Equatable {
    /// Attempts an object gets in all, the first placement included, before it and its spec
    /// version fail (`conductor.max_attempts`, default 3).
    public var maxAttempts: Int
    /// How long a scheduled object may go without a word from its agent (a result, or a progress
    /// report that moves the deadline on) before it counts as failed on that agent
    /// (`conductor.apply_deadline_seconds`, default 120). Agents report progress every
    /// `agent.progress_seconds` (default 20) while they wait for dependencies or apply, so a
    /// slow apply is never rescheduled while its agent works; keep this above twice that.
    public var applyDeadline: Duration
    /// How often the sweeper looks for dead agents and overdue objects
    /// (`conductor.sweep_interval_seconds`, default 5).
    public var sweepInterval: Duration
    /// Deliveries handled at once by one replica (`conductor.concurrency`, default 8). Results
    /// for one spec are serialized by a row lock whatever this is.
    public var concurrency: Int
    /// Results recorded in one transaction, at most (`conductor.batch_size`, default 16; 1
    /// records each alone). The results in hand when a transaction begins share it, so a quiet
    /// queue waits for nothing; under load, fewer commits record the same results.
    public var batchSize: Int
    /// How long a stored version's objects may wait for a scheduler to take their `Spec` before
    /// it is sent again (`conductor.accepted_deadline_seconds`, default 900): a `Spec` lost on
    /// the way is not waited for for ever.
    public var acceptedDeadline: Duration
    /// After the conductor could not hear (a broker or database outage, a restart), how long it
    /// hears again before objects past their deadline count as failed
    /// (`conductor.lease_grace_seconds`, default 30): results and progress reports held up by
    /// the outage arrive first.
    public var leaseGrace: Duration
    /// After hearing resumes, the conductor counts as caught up with its queue once it reads a
    /// heartbeat sent since; with no agent alive to send one, after this long
    /// (`conductor.catch_up_seconds`, default 60).
    public var catchUpLimit: Duration
    /// How long one delivery's transaction or one sweep may wait on the database; past it the
    /// database counts as out (the consumer pauses and the conductor is deaf), because a pool
    /// whose server vanished can keep a caller waiting instead of failing.
    public var databaseTimeout: Duration
    /// The broker user each hypervisor's agents publish as (`conductor.agent_user`, e.g.
    /// `n0core-hypervisor-{host_id}`): a heartbeat or result from any other user is dead-lettered
    /// as forged. nil (the default) checks no sender: the development environment, where every
    /// service is one broker user, and a deployment still moving its hypervisors to users of
    /// their own (docs/deployment.md).
    public var agentSenders: AgentSenders?

    public init(
        maxAttempts: Int = 3, applyDeadline: Duration = .seconds(120), sweepInterval: Duration = .seconds(5),
        concurrency: Int = 8, batchSize: Int = 16, acceptedDeadline: Duration = .seconds(900), leaseGrace: Duration = .seconds(30),
        catchUpLimit: Duration = .seconds(60), databaseTimeout: Duration = .seconds(20), agentSenders: AgentSenders? = nil
    ) {
        self.agentSenders = agentSenders
        self.databaseTimeout = databaseTimeout
        self.leaseGrace = leaseGrace
        self.catchUpLimit = catchUpLimit
        self.maxAttempts = maxAttempts
        self.applyDeadline = applyDeadline
        self.sweepInterval = sweepInterval
        self.concurrency = concurrency
        self.batchSize = batchSize
        self.acceptedDeadline = acceptedDeadline
    }

    /// Reads the `conductor.*` keys; a value that is not a positive whole number is an error
    /// that names its key, rather than a silent default.
    public init(_ configuration: ServiceConfiguration) throws {
        let reader = configuration.reader
        var senders: AgentSenders?
        if let template = reader.string(forKey: "conductor.agent_user"), !template.isEmpty {
            guard let parsed = AgentSenders(template: template) else {
                throw ConfigurationError.invalid(
                    key: "conductor.agent_user", value: template,
                    expected: "a broker user name containing \(AgentSenders.placeholder), e.g. n0core-hypervisor-\(AgentSenders.placeholder)")
            }
            senders = parsed
        }
        self.init(
            maxAttempts: try reader.bounded("conductor.max_attempts", default: 3, in: 1...100, unit: "attempts"),
            applyDeadline: try reader.seconds("conductor.apply_deadline_seconds", default: 120),
            sweepInterval: try reader.seconds("conductor.sweep_interval_seconds", default: 5, in: 1...3_600),
            concurrency: try reader.bounded("conductor.concurrency", default: 8, in: 1...256, unit: "deliveries"),
            batchSize: try reader.bounded("conductor.batch_size", default: 16, in: 1...256, unit: "results"),
            acceptedDeadline: try reader.seconds("conductor.accepted_deadline_seconds", default: 900),
            leaseGrace: try reader.seconds("conductor.lease_grace_seconds", default: 30),
            catchUpLimit: try reader.seconds("conductor.catch_up_seconds", default: 60),
            databaseTimeout: try reader.seconds("conductor.database_timeout_seconds", default: 20, in: 1...3_600),
            agentSenders: senders)
    }

    /// ``applyDeadline`` in seconds, for the database's interval arithmetic.
    var applyDeadlineSeconds: Double { Self.seconds(applyDeadline) }
    var acceptedDeadlineSeconds: Double { Self.seconds(acceptedDeadline) }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
