import Foundation
import MessageHandling
import Messages
import Store

/// Checks who sent a message on the conductor's queue before it is recorded
/// (``AgentSenders``): a hypervisor may speak only for the agents on it.
///
/// - A heartbeat must come from the user of the host it names, and may not move an agent that is
///   registered on another host (or take the id of something that is not an agent).
/// - A result must come from the user of the host its agent is registered on; the agent is the
///   one the result names (the object's `scheduled` dependency), else the object's placement.
///   A result whose agent is unknown cannot be checked and is refused.
///
/// A refusal is a ``MessageRejection``: the message is dead-lettered with the reason.
struct SenderVerifier: Sendable {
    let senders: AgentSenders
    let store: any ConductorRepository

    func verify(_ message: IncomingMessage, userID: String?) async throws {
        switch message {
        case .heartbeat(let heartbeat):
            // Without an id or host the registry refuses the heartbeat anyway, with the reason.
            guard let agentID = heartbeat.agent.id, let host = heartbeat.agent.hostID else { return }
            try senders.check(userID: userID, host: host, what: "the heartbeat of agent \(agentID)")
            let registered = try await store.transaction { tx in try await tx.node(agentID.uuid) }
            guard let registered else { return }
            guard ObjectType(rawValue: registered.type)?.isAgent == true else {
                throw MessageRejection("forged sender: a heartbeat claims id \(agentID), which is a \(registered.type), not an agent")
            }
            if let registeredHost = Self.host(of: registered), registeredHost != host {
                throw MessageRejection(
                    "forged sender: agent \(agentID) is registered on host \(registeredHost); a heartbeat moving it to host \(host) is refused")
            }
        case .notify(let notify, _):
            guard let objectID = notify.object.id else { return }
            let claimed = notify.object.scheduledAgent?.id
            let (agent, node) = try await store.transaction { tx -> (ObjectID?, GraphNode?) in
                var agent = claimed
                if agent == nil {
                    agent = try await tx.scheduledPlacements([objectID.uuid], relation: Relation.scheduled).first.map { ObjectID($0.agentID) }
                }
                guard let agent else { return (nil, nil) }
                return (agent, try await tx.node(agent.uuid))
            }
            guard let agent else {
                throw MessageRejection("unverifiable sender: the Notify for object \(objectID) names no agent and the object is placed nowhere")
            }
            guard let node, ObjectType(rawValue: node.type)?.isAgent == true, let host = Self.host(of: node) else {
                throw MessageRejection("unverifiable sender: the Notify for object \(objectID) comes from agent \(agent), which is not registered")
            }
            try senders.check(userID: userID, host: host, what: "the Notify for object \(objectID) from agent \(agent)")
        }
    }

    /// The host an agent's registry node says it is on.
    static func host(of node: GraphNode) -> ObjectID? {
        (try? MessageCodec.decode(Object.self, from: node.object, format: .json))?.hostID
    }
}
