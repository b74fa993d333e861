import Foundation
import MessageHandling
import Messages
import Store

/// An agent as the registry keeps it (the contract's "Agent registry"): a graph node whose id is
/// the agent id, named "<type> <host_id>", owned by no spec, with the agent state as its desired
/// state and the agent `Object` (type, id, host_id, state, capacity, and what other hosts reach it
/// by: `ip_addresses`, `url`) as its document. The
/// heartbeat's own fields (interval, time sent) stay out of it.
struct AgentRecord: Sendable, Equatable {
    var agent: Object
    var id: ObjectID
    var type: ObjectType
    var hostID: ObjectID
    var intervalSeconds: Int

    /// Agent states (an agent's desired state).
    static let alived = "alived"
    static let dead = "dead"

    /// Validates a heartbeat; a heartbeat the registry cannot use is an ``MessageRejection``.
    init(_ heartbeat: HeartbeatMessage) throws(MessageRejection) {
        let agent = heartbeat.agent
        guard let type = agent.type, type.isAgent, let id = agent.id else {
            throw MessageRejection("a heartbeat must carry an agent object with its type and id")
        }
        guard let hostID = agent.hostID else {
            throw MessageRejection("the heartbeat of agent \(id) has no host_id: the scheduler cannot place anything on it")
        }
        self.id = id
        self.type = type
        self.hostID = hostID
        intervalSeconds = heartbeat.intervalSeconds
        // An agent that announces it is leaving (`state: dead`) is recorded as dead at once.
        let state = agent.desiredState == Self.dead ? Self.dead : Self.alived
        let addresses = agent.ipAddresses ?? []
        guard addresses.count <= Self.maximumAddresses, addresses.allSatisfy({ IPv4Address($0) != nil }) else {
            throw MessageRejection("the heartbeat of agent \(id) announces ip_addresses that are not at most "
                + "\(Self.maximumAddresses) IPv4 addresses")
        }
        if let url = agent.url {
            guard url.utf8.count <= Self.maximumURLBytes, url.hasPrefix("http://") || url.hasPrefix("https://"),
                  URL(string: url)?.host != nil else {
                throw MessageRejection("the heartbeat of agent \(id) announces a url that is not an http:// or https:// URL "
                    + "of at most \(Self.maximumURLBytes) bytes")
            }
        }
        self.agent = Object(type: type, id: id, desiredState: state, url: agent.url,
                            ipAddresses: addresses.isEmpty ? nil : addresses, hostID: hostID, capacity: agent.capacity)
    }

    /// How many underlay addresses an agent may announce.
    static let maximumAddresses = 4
    /// The longest url an agent may announce (a volumer's volume export).
    static let maximumURLBytes = 2_048

    var state: String { agent.desiredState ?? Self.alived }

    var node: GraphNode {
        GraphNode(id: id.uuid, type: type.rawValue, name: "\(type.rawValue) \(hostID)", specID: nil,
                  desiredState: state, observedState: nil,
                  object: MessageCodec.encodeString(agent, format: .json))
    }
}
