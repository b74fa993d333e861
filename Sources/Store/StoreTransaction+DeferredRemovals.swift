import Foundation
import PostgresNIO

extension StoreTransaction {
    /// Holds `removals` back until their objects are applied again. A second removal for the
    /// same object and agent (a move placed again) keeps the first: the data is still there.
    public func deferRemovals(_ removals: [DeferredRemoval]) async throws {
        for removal in removals {
            let message = removal.message
            try await run("""
                INSERT INTO deferred_removals (object_id, agent_id, attempt, spec_id, exchange, routing_key, message_type,
                                               message_id, correlation_id, headers, body)
                VALUES (\(removal.objectID), \(removal.agentID), \(removal.attempt), \(removal.specID), \(message.exchange),
                        \(message.routingKey), \(message.messageType), \(message.messageID), \(message.correlationID),
                        \(try Self.encodeHeaders(message.headers))::jsonb, \(message.body))
                ON CONFLICT (object_id, agent_id) DO NOTHING
                """)
        }
    }

    /// The agents that still hold the data of each of `objectIDs` (their removal is deferred).
    public func deferredRemovalAgents(_ objectIDs: [UUID]) async throws -> [UUID: [UUID]] {
        guard !objectIDs.isEmpty else { return [:] }
        var agents: [UUID: [UUID]] = [:]
        for row in try await run("""
            SELECT object_id, agent_id FROM deferred_removals WHERE object_id = ANY(\(objectIDs)) ORDER BY created_at, agent_id
            """) {
            let (object, agent) = try row.decode((UUID, UUID).self)
            agents[object, default: []].append(agent)
        }
        return agents
    }

    /// Takes the removals of `objectID` that were waiting for attempt `attempt` or an earlier
    /// one (the object is applied there now); the caller queues them.
    public func takeDeferredRemovals(objectID: UUID, appliedAttempt attempt: Int) async throws -> [DeferredRemoval] {
        try await run("""
            DELETE FROM deferred_removals WHERE object_id = \(objectID) AND attempt <= \(attempt)
            RETURNING object_id, agent_id, attempt, spec_id, exchange, routing_key, message_type, message_id,
                      correlation_id, headers::text, body
            """).map { row in
            let (object, agent, attempt, spec, exchange, routingKey, type, messageID, correlationID, headers, body) =
                try row.decode((UUID, UUID, Int, Int64, String, String, String, UUID, String?, String, Data).self)
            let message = OutboxMessage(exchange: exchange, routingKey: routingKey, messageType: type, messageID: messageID,
                                        correlationID: correlationID, headers: try Self.decodeHeaders(headers), body: body)
            return DeferredRemoval(objectID: object, agentID: agent, attempt: attempt, specID: spec, message: message)
        }
    }
}

extension StoreTransaction {
    /// Forgets the deferred removal of `objectID` on `agentID`: the object is placed there again.
    public func dropDeferredRemoval(objectID: UUID, agentID: UUID) async throws {
        try await run("DELETE FROM deferred_removals WHERE object_id = \(objectID) AND agent_id = \(agentID)")
    }
}
