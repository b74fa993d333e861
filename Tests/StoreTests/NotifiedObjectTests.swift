import Foundation
import Store
import TestSupport
import Testing

/// The conductor's one read per result: the same node, round, scheduled agents and failed
/// agents as the four reads it replaces.
@Suite("Notified object", .enabled(if: IntegrationEnvironment.hasDatabase))
struct NotifiedObjectTests {
    static let scheduled = "n0stack/n0core/scheduler/scheduled"

    @Test func oneReadGivesWhatTheSeparateReadsGive() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let (object, bare) = (UUID(), UUID())
            let agents = [UUID(), UUID()].sorted { $0.uuidString < $1.uuidString }
            let other = UUID()
            try await store.withTransaction { tx in
                try await tx.upsertNodes([
                    GraphNode(id: object, type: "volume/file", name: "disk", specID: 7, desiredState: "present", object: "{}"),
                    GraphNode(id: bare, type: "nic", name: "nic", specID: 7, object: "{}"),
                ])
                try await tx.upsertEdges(agents.reversed().map {
                    GraphEdge(source: object, target: $0, relation: Self.scheduled, properties: "{}", specID: 7)
                } + [GraphEdge(source: object, target: other, relation: "n0stack/n0core/other", properties: "{}", specID: 7)])
                try await tx.acceptPlacements([object], specID: 7, version: 2)
                try await tx.setPlacementPhase(.scheduled, objectIDs: [object], attempt: [object: 3])
                for failure in [
                    RecordedFailure(specID: 7, version: 1, objectID: object, agentID: agents[0], reason: "a"),
                    RecordedFailure(specID: 7, version: 2, objectID: object, agentID: agents[1], reason: "b"),
                    RecordedFailure(specID: 7, version: 2, objectID: object, agentID: nil, reason: "no agent"),
                    RecordedFailure(specID: 7, version: 2, objectID: bare, agentID: other, reason: "another object's"),
                ] { try await tx.recordFailure(failure) }
            }
            try await store.withTransaction { tx in
                let read = try #require(try await tx.notifiedObject(object, scheduledRelation: Self.scheduled))
                #expect(read.node == (try await tx.node(object)))
                #expect(read.placement == (try await tx.placements([object]))[object])
                #expect(read.placement?.attempt == 3)
                #expect(read.scheduledAgents == (try await tx.scheduledPlacements([object], relation: Self.scheduled)).map(\.agentID))
                #expect(read.scheduledAgents == agents)
                #expect(read.failedAgents == [1: [agents[0]], 2: [agents[1]]])

                let unplaced = try #require(try await tx.notifiedObject(bare, scheduledRelation: Self.scheduled))
                #expect(unplaced.placement == nil && unplaced.scheduledAgents.isEmpty)
                #expect(unplaced.failedAgents == [2: [other]])
                #expect(try await tx.notifiedObject(UUID(), scheduledRelation: Self.scheduled) == nil)
            }
        }
    }
}
