import Foundation
import Logging
import Messages
import Store

/// Keeps the agent registry (graph nodes of agents, see ``AgentRecord``) and the heartbeat table
/// from which the sweeper decides who is dead.
struct AgentRegistry: Sendable {
    let store: any ConductorRepository
    let logger: Logger

    /// Records a heartbeat: the agent's node (`alived`, its capacity, `updated_at` now) and when
    /// it was heard from. Not deduplicated by message id: recording a heartbeat twice is harmless
    /// (both say "alive now"), and a row per heartbeat in `processed_messages` would be the
    /// conductor's largest write for nothing.
    func record(_ heartbeat: HeartbeatMessage) async throws {
        let agent = try AgentRecord(heartbeat)
        let previous = try await store.transaction { tx in
            let previous = try await tx.node(agent.id.uuid, forUpdate: true)
            try await tx.upsertNodes([agent.node])
            try await tx.recordHeartbeat(agentID: agent.id.uuid, intervalSeconds: agent.intervalSeconds)
            return previous
        }
        let metadata: Logger.Metadata = [
            "agent_id": "\(agent.id)", "agent_type": "\(agent.type.rawValue)", "host_id": "\(agent.hostID)",
            "state": "\(agent.state)",
        ]
        if previous == nil {
            logger.info("agent joined", metadata: metadata)
        } else if previous?.desiredState != agent.state {
            logger.notice(agent.state == AgentRecord.alived ? "agent is back" : "agent left", metadata: metadata)
        } else {
            logger.trace("heartbeat", metadata: metadata)
        }
    }

    /// The agents of every type, alive and dead, as the registry holds them now.
    func census() async throws -> AgentCensus {
        let types = AgentCensus.agentTypes.map(\.rawValue)
        return AgentCensus(try await store.transaction { tx in try await tx.agentCounts(types: types) })
    }

    /// Declares dead every agent silent for more than three of its intervals. Safe with several
    /// replicas: each agent's node is locked and its silence checked again before it is marked.
    ///
    /// - Returns: the agents declared dead by this call.
    /// - Parameter heardFor: how long this conductor has heard without a break (``Hearing``).
    func markSilentAgentsDead(heardFor: Duration) async throws -> [UUID] {
        let silent = try await store.transaction { tx in try await tx.silentAgents() }
        var dead: [UUID] = []
        for candidate in silent
        where AgentLiveness.isDead(lastSeen: candidate.lastSeen, intervalSeconds: candidate.intervalSeconds, now: candidate.now,
                                   heardFor: heardFor) {
            let marked = try await store.transaction { tx -> Bool in
                guard var node = try await tx.node(candidate.agentID, forUpdate: true),
                      node.desiredState == AgentRecord.alived,
                      let heartbeat = try await tx.agentHeartbeat(candidate.agentID),
                      AgentLiveness.isDead(lastSeen: heartbeat.lastSeen, intervalSeconds: heartbeat.intervalSeconds,
                                           now: heartbeat.now, heardFor: heardFor)
                else { return false }
                node.desiredState = AgentRecord.dead
                if var object = try? MessageCodec.decode(Object.self, from: node.object, format: .json) {
                    object.desiredState = AgentRecord.dead
                    node.object = MessageCodec.encodeString(object, format: .json)
                }
                try await tx.upsertNodes([node])
                return true
            }
            if marked {
                dead.append(candidate.agentID)
                logger.warning("agent stopped sending heartbeats; it is dead", metadata: [
                    "agent_id": "\(ObjectID(candidate.agentID))", "interval_seconds": "\(candidate.intervalSeconds)",
                    "silent_seconds": "\(Int(candidate.now.timeIntervalSince(candidate.lastSeen)))",
                ])
            }
        }
        return dead
    }
}
