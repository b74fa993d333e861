import Foundation
import Messages
import Store
import W3CTraceContext

extension SpecScheduler {
    /// Moves what the spec has on a draining host elsewhere (``DrainMove``), under the spec's
    /// lock, as the graph holds it now. Nothing to move (it left already, or was removed) is done;
    /// a spec that cannot move gets a `PINNED` event per object and stays.
    func move(_ item: Item, off host: ObjectID, in tx: StoreTransaction, lockAll: Bool) async throws -> Outcome {
        let specID = item.message.id
        guard let latest = try await tx.lockSpec(specID) else { return .moved(version: 0, requests: 0) }
        guard let record = try await tx.specVersion(specID, version: latest) else {
            throw SpecRejection("spec \(specID) has no version \(latest)")
        }
        let annotations: Annotations
        do {
            annotations = try MessageCodec.decode(Annotations.self, from: record.annotations, format: .json)
        } catch {
            throw SpecRejection("spec \(specID) version \(latest) has annotations that cannot be read: \(error)")
        }
        var objects: [Object] = []
        var hostAgents = Set<ObjectID>()
        var volumeAgents: [ObjectID: ObjectID] = [:]
        for placed in try await tx.objectsPlaced(onHost: host.uuid, specID: specID) {
            guard let type = ObjectType(rawValue: placed.node.type), DrainMove.movableTypes.contains(type),
                  var object = SpecContext.decode(placed.node, logger: logger), let id = object.id else { continue }
            object.desiredState = placed.node.desiredState ?? object.desiredState
            guard !object.isBeingRemoved else { continue }
            hostAgents.insert(ObjectID(placed.agentID))
            if type == .volumeFile { volumeAgents[id] = ObjectID(placed.agentID) }
            if !objects.contains(where: { $0.id == id }) { objects.append(object.placeable) }
        }
        guard !objects.isEmpty else { return .moved(version: latest, requests: 0) }

        let constraints: SchedulingConstraints
        do {
            constraints = try SchedulingConstraints(annotations: annotations)
        } catch {
            return try await pin(tx, specID: specID, version: latest, objects: objects, host: host, reason: error.description)
        }
        // Read, not locked: the volumers only serve the copy, and placement locks agents in id order.
        let holderQuery = StoreTransaction.AgentQuery(
            types: [], including: Set(volumeAgents.values).sorted().map(\.uuid), aliveWithinSeconds: settings.agentTimeoutSeconds)
        let holders = try await registeredAgents(tx, try await tx.agents(holderQuery))
        let byID = Dictionary(holders.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let volumes = volumeAgents.sorted { $0.key < $1.key }.map { (volume: $0.key, agent: byID[$0.value]) }
        if let reason = DrainMove.pinnedReason(constraints: constraints, host: host, volumes: volumes) {
            return try await pin(tx, specID: specID, version: latest, objects: objects, host: host, reason: reason)
        }
        var moving = annotations
        moving[Annotations.rescheduling] = .string("drain")
        moving[Annotations.avoidAgents] = .string(hostAgents.sorted().map(\.description).joined(separator: ","))
        moving[Annotations.drainingHost] = nil
        var move = DrainMove(host: host, volumeHolders: [:])
        for (volume, agent) in volumes {
            if let agent, let url = agent.exportURL {
                move.volumeHolders[volume] = DrainMove.VolumeHolder(agentID: agent.id, exportURL: url)
            }
        }
        let message = SpecMessage(id: specID, version: latest, annotations: moving, spec: objects)
        return try await run(tx, message: message, messageID: item.messageID, trace: item.trace, lockAll: lockAll,
                             deferral: nil, move: move)
    }

    /// Records that the spec's objects stay on the draining host, and why.
    func pin(
        _ tx: StoreTransaction, specID: Int64, version: Int, objects: [Object], host: ObjectID, reason: String
    ) async throws -> Outcome {
        try await tx.appendEvents(objects.compactMap(\.id).map { id in
            Event(specID: specID, version: version, objectID: id.uuid, kind: .pinned,
                  message: "stays on draining host \(host): \(reason)")
        })
        return .pinned(version: version, reason: reason)
    }
}

extension SpecScheduler {
    /// The agents holding the data of the message's volumes that move as copies: a drain's
    /// holders, or, when a move is placed again (its copy failed), the agents whose removal is
    /// still deferred.
    func volumeHolders(
        _ tx: StoreTransaction, message: SpecMessage, constraints: SchedulingConstraints, move: DrainMove?
    ) async throws -> [ObjectID: DrainMove.VolumeHolder] {
        if let move { return move.volumeHolders }
        guard constraints.rescheduling else { return [:] }
        let volumes = message.spec.filter { $0.type == .volumeFile }.compactMap(\.id?.uuid)
        let rows = try await tx.deferredRemovalAgents(volumes)
        guard !rows.isEmpty else { return [:] }
        let query = StoreTransaction.AgentQuery(
            types: [], including: Set(rows.values.joined()).sorted(), aliveWithinSeconds: settings.agentTimeoutSeconds)
        let agents = Dictionary(try await registeredAgents(tx, try await tx.agents(query)).map { ($0.id.uuid, $0) },
                                uniquingKeysWith: { a, _ in a })
        var holders: [ObjectID: DrainMove.VolumeHolder] = [:]
        for (volume, holding) in rows {
            guard let agent = holding.lazy.compactMap({ agents[$0] }).first, let url = agent.exportURL else { continue }
            holders[ObjectID(volume)] = DrainMove.VolumeHolder(agentID: agent.id, exportURL: url)
        }
        return holders
    }
}
