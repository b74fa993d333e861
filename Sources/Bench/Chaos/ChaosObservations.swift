import Foundation

/// A version the load generator was told was stored: `POST` answered 201 (version 0) or
/// `DELETE` answered 202 (a later version).
public struct AcceptedVersion: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case create, delete
    }

    public var specID: Int64
    public var version: Int
    public var kind: Kind
    /// Seconds since the load started.
    public var at: Double

    public init(specID: Int64, version: Int, kind: Kind, at: Double = 0) {
        self.specID = specID
        self.version = version
        self.kind = kind
        self.at = at
    }
}

/// One row of `spec_versions`.
public struct VersionRow: Sendable, Hashable, Codable {
    public var specID: Int64
    public var version: Int
    /// `pending`, `applied`, `failed` or `superseded`.
    public var state: String
    public var reason: String?
    /// Whether this is the spec's latest version.
    public var latest: Bool

    public init(specID: Int64, version: Int, state: String, reason: String? = nil, latest: Bool = true) {
        self.specID = specID
        self.version = version
        self.state = state
        self.reason = reason
        self.latest = latest
    }
}

/// One resource node of the graph, with the agent its `scheduled` edge points at.
public struct NodeRow: Sendable, Hashable, Codable {
    public var id: String
    public var type: String
    public var specID: Int64?
    public var desiredState: String?
    public var observedState: String?
    /// The target of its `n0stack/n0core/resource/scheduled` edge.
    public var scheduledAgent: String?

    public init(id: String, type: String, specID: Int64? = nil, desiredState: String? = nil, observedState: String? = nil,
                scheduledAgent: String? = nil) {
        self.id = id.lowercased()
        self.type = type
        self.specID = specID
        self.desiredState = desiredState
        self.observedState = observedState
        self.scheduledAgent = scheduledAgent?.lowercased()
    }

    /// Driven to `deleted` or `destroyed`.
    public var isRemoved: Bool {
        ["deleted", "destroyed"].contains(desiredState ?? "")
    }
}

/// A capacity claim the checker finds suspicious: its object is deleted, or has no node.
public struct ClaimRow: Sendable, Hashable, Codable {
    public var objectID: String
    public var agentID: String
    public var specID: Int64?
    /// The object's desired state; nil when it has no node.
    public var desiredState: String?

    public init(objectID: String, agentID: String, specID: Int64? = nil, desiredState: String? = nil) {
        self.objectID = objectID
        self.agentID = agentID
        self.specID = specID
        self.desiredState = desiredState
    }
}

/// A service process and whether it still runs when the checks are made.
public struct ServiceLiveness: Sendable, Hashable, Codable {
    public var name: String
    public var pid: Int32?
    public var running: Bool

    public init(name: String, pid: Int32?, running: Bool) {
        self.name = name
        self.pid = pid
        self.running = running
    }
}

/// Everything the checks look at, read after the load stopped and the system settled.
public struct ChaosObservations: Sendable, Hashable, Codable {
    public var accepted: [AcceptedVersion]
    /// Every row of `spec_versions` (the suite's database holds only its own specs).
    public var versions: [VersionRow]
    public var nodes: [NodeRow]
    public var held: [HeldRecord]
    /// Held-object files that could not be read.
    public var unreadableHeld: [String]
    /// Claims of deleted objects and claims whose object has no node.
    public var suspiciousClaims: [ClaimRow]
    public var deadLetters: [DeadLetterRecord]
    /// `message_id`s of the poison messages the suite published.
    public var poisonIDs: [String]
    public var services: [ServiceLiveness]
    /// Consumers whose `n0core_consumer_paused` gauge is still 1 at the end.
    public var pausedConsumers: [PausedConsumer]
    /// Services whose `/metrics` were read, and the ones that could not be.
    public var metricsRead: Int
    public var metricsErrors: [String]

    public init(accepted: [AcceptedVersion] = [], versions: [VersionRow] = [], nodes: [NodeRow] = [],
                held: [HeldRecord] = [], unreadableHeld: [String] = [], suspiciousClaims: [ClaimRow] = [],
                deadLetters: [DeadLetterRecord] = [], poisonIDs: [String] = [], services: [ServiceLiveness] = [],
                pausedConsumers: [PausedConsumer] = [], metricsRead: Int = 0, metricsErrors: [String] = []) {
        self.pausedConsumers = pausedConsumers
        self.metricsRead = metricsRead
        self.metricsErrors = metricsErrors
        self.accepted = accepted
        self.versions = versions
        self.nodes = nodes
        self.held = held
        self.unreadableHeld = unreadableHeld
        self.suspiciousClaims = suspiciousClaims
        self.deadLetters = deadLetters
        self.poisonIDs = poisonIDs
        self.services = services
    }
}
