import Configuration
import Messages
import ServiceSupport

/// How an agent runs, read from the configuration file and `N0CORE_*` variables.
///
/// | key | environment | default |
/// |---|---|---|
/// | `agent.id` | `N0CORE_AGENT_ID` | generated once, kept in `agent.state_dir` |
/// | `host.id` | `N0CORE_HOST_ID` | kept in `agent.state_dir`; first from `/etc/machine-id` |
/// | `agent.state_dir` | `N0CORE_AGENT_STATE_DIR` | `/var/lib/n0core/<kind>` (`volumer-file` …) |
/// | `agent.heartbeat_seconds` | `N0CORE_AGENT_HEARTBEAT_SECONDS` | 10 |
/// | `agent.dependency_timeout_seconds` | `N0CORE_AGENT_DEPENDENCY_TIMEOUT_SECONDS` | 60 |
/// | `agent.apply_timeout_seconds` | `N0CORE_AGENT_APPLY_TIMEOUT_SECONDS` | 300 |
/// | `agent.progress_seconds` | `N0CORE_AGENT_PROGRESS_SECONDS` | 20 |
/// | `agent.early_notify_limit` | `N0CORE_AGENT_EARLY_NOTIFY_LIMIT` | 1024 |
/// | `agent.early_notify_ttl_seconds` | `N0CORE_AGENT_EARLY_NOTIFY_TTL_SECONDS` | 600 |
///
/// Parked requests stay unacknowledged, so at most `amqp.prefetch` (`N0CORE_AMQP_PREFETCH`,
/// default 32) requests can wait for dependencies at once; see ``AgentRuntime``.
public struct AgentConfiguration: Sendable, Hashable {
    /// `agent.id`; nil to use (or generate) the one kept in ``stateDirectory``.
    public var agentID: ObjectID?
    /// `host.id`; nil to use (or derive) the one kept in ``stateDirectory``.
    public var hostID: ObjectID?
    /// Identity, held objects and early notifies live here, one small file each.
    public var stateDirectory: String
    /// Time between heartbeats; the first one is sent at start (the join).
    public var heartbeatInterval: Duration
    /// How long a request waits for its dependencies' `Notify` before failing.
    public var dependencyTimeout: Duration
    /// How long one apply may take before the request fails.
    public var applyTimeout: Duration
    /// While a request waits for dependencies or is applied for longer than this, the agent
    /// tells the conductor every interval (`INFO`), which moves the conductor's deadline
    /// (`conductor.apply_deadline_seconds`, keep it above twice this) on.
    public var progressInterval: Duration
    /// Early notifies kept at most (the oldest go first).
    public var earlyNotifyLimit: Int
    /// How long an early notify is kept for a request that has not arrived yet.
    public var earlyNotifyLifetime: Duration
    /// The consumer's prefetch: how many requests may be parked at once (logged when reached).
    public var prefetch: Int

    public init(
        agentID: ObjectID? = nil,
        hostID: ObjectID? = nil,
        stateDirectory: String,
        heartbeatInterval: Duration = .seconds(10),
        dependencyTimeout: Duration = .seconds(60),
        applyTimeout: Duration = .seconds(300),
        progressInterval: Duration = .seconds(20),
        earlyNotifyLimit: Int = 1024,
        earlyNotifyLifetime: Duration = .seconds(600),
        prefetch: Int = 32
    ) {
        self.agentID = agentID
        self.hostID = hostID
        self.stateDirectory = stateDirectory
        self.heartbeatInterval = heartbeatInterval
        self.dependencyTimeout = dependencyTimeout
        self.applyTimeout = applyTimeout
        self.progressInterval = progressInterval
        self.earlyNotifyLimit = earlyNotifyLimit
        self.earlyNotifyLifetime = earlyNotifyLifetime
        self.prefetch = prefetch
    }

    /// Reads the keys above for an agent of `agentType`.
    /// - Throws: ``ConfigurationError`` naming a key whose value is not usable.
    public init(reader: ConfigReader, agentType: ObjectType, prefetch: Int) throws {
        func seconds(_ key: String, _ defaultValue: Int) throws -> Duration {
            // The heartbeat's interval travels in every heartbeat, where the conductor holds it
            // to the same bounds.
            try reader.seconds(key, default: defaultValue,
                               in: key == "agent.heartbeat_seconds" ? HeartbeatMessage.intervalBounds : 1...2_592_000)
        }
        func id(_ key: String) throws -> ObjectID? {
            guard let text = reader.string(forKey: ConfigKey(key)), !text.isEmpty else { return nil }
            guard let id = ObjectID(text) else {
                throw ConfigurationError.invalid(key: key, value: text, expected: "a UUID")
            }
            return id
        }
        let limit = try reader.bounded("agent.early_notify_limit", default: 1024, in: 1...1_000_000, unit: "results")
        self.init(
            agentID: try id("agent.id"),
            hostID: try id("host.id"),
            stateDirectory: reader.string(forKey: "agent.state_dir", default: "/var/lib/n0core/\(agentType.agentKind)"),
            heartbeatInterval: try seconds("agent.heartbeat_seconds", 10),
            dependencyTimeout: try seconds("agent.dependency_timeout_seconds", 60),
            applyTimeout: try seconds("agent.apply_timeout_seconds", 300),
            progressInterval: try seconds("agent.progress_seconds", 20),
            earlyNotifyLimit: limit,
            earlyNotifyLifetime: try seconds("agent.early_notify_ttl_seconds", 600),
            prefetch: prefetch
        )
    }
}

extension ObjectType {
    /// `compute-kvm`, `volumer-file`, `porter-vlan`: the agent's name in paths.
    public var agentKind: String {
        rawValue.split(separator: "/").dropFirst().joined(separator: "-")
    }
}
