import Foundation
import Hummingbird
import HummingbirdTesting
import Messages
import Store
import Testing
import TestSupport

@testable import API

/// `GET /api/hosts`, `GET /api/hosts/{id}` and draining: a draining host's agents are left out
/// of the scheduler's agent query (new placements), its specs are sent to the scheduler to be moved,
/// and its objects are listed as pinned while they are still on it.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct HostDrainTests {
    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test func aDrainingHostGetsNoNewPlacementsAndListsWhatStaysPinned() async throws {
        try await APIHarness.run { api in
            let (drained, other) = (UUID(), UUID())
            let (drainedAgent, otherAgent, vm) = (UUID(), UUID(), UUID())
            func agent(_ id: UUID, on host: UUID) -> GraphNode {
                let object = MessageCodec.encodeString(
                    Object(type: .agentComputeKVM, hostID: ObjectID(host), capacity: Capacity(vcpus: 8, memory: Size(16, .gb))), format: .json)
                return GraphNode(id: id, type: "agent/compute/kvm", name: "kvm", desiredState: "alived", object: object)
            }
            try await api.store.withTransaction { tx in
                try await tx.upsertNodes([agent(drainedAgent, on: drained), agent(otherAgent, on: other),
                                          GraphNode(id: vm, type: "resource/vm/kvm", name: "web", specID: 7)])
                try await tx.upsertEdges([GraphEdge(source: vm, target: drainedAgent, relation: Relation.scheduled, properties: "{}", specID: 7)])
            }
            let query = StoreTransaction.AgentQuery(types: ["agent/compute/kvm"], aliveWithinSeconds: 3_600)
            func selected(_ query: StoreTransaction.AgentQuery) async throws -> Set<UUID> {
                Set(try await api.store.withTransaction { tx in try await tx.agents(query) }.map(\.node.id))
            }
            #expect(try await selected(query) == [drainedAgent, otherAgent])

            let path = "/api/hosts/\(drained.uuidString.lowercased())"
            let drainedAnswer = try await api.send(.put, "\(path)/drain?reason=kernel%20update", accept: "application/json")
            #expect(drainedAnswer.status == .ok)
            let detail = try Self.json(drainedAnswer)
            let host = try #require(detail["host"] as? [String: Any])
            #expect((host["drain"] as? [String: Any])?["reason"] as? String == "kernel update")
            #expect(host["objects"] as? Int == 1)
            let objects = try #require(detail["objects"] as? [[String: Any]])
            #expect(objects.map { $0["name"] as? String } == ["web"])
            #expect(objects.map { $0["pinned"] as? Bool } == [true])
            #expect(objects.map { $0["spec_id"] as? Int } == [7])
            // The scheduler is asked, once per spec on the host, to move it elsewhere.
            try await waitUntil("the move is published", within: .seconds(15)) { !api.published.all.isEmpty }
            let moves = try api.published.all.map { try MessageCodec.decodeWire(SpecMessage.self, from: Data($0.body)) }
            #expect(moves.map(\.id) == [7])
            #expect(moves.first?.annotations?[Annotations.drainingHost] == .string(drained.uuidString.lowercased()))
            #expect(moves.first?.spec.isEmpty == true)

            // New placements: only the other host. Where an object already is, and whether a
            // spec could fit once the drain ends, still see the drained host's agent.
            #expect(try await selected(query) == [otherAgent])
            var including = query
            including.including = [drainedAgent]
            #expect(try await selected(including) == [drainedAgent, otherAgent])
            var outlook = query
            outlook.includeDraining = true
            #expect(try await selected(outlook) == [drainedAgent, otherAgent])

            // Idempotent; the list shows the drain; undraining gives the host back.
            #expect(try await api.send(.put, "\(path)/drain", accept: "application/json").status == .ok)
            let list = try Self.json(try await api.send(.get, "/api/hosts", accept: "application/json"))
            let hosts = try #require(list["hosts"] as? [[String: Any]])
            #expect(hosts.count == 2)
            let listed = try #require(hosts.first { $0["host_id"] as? String == drained.uuidString.lowercased() })
            #expect((listed["drain"] as? [String: Any])?["reason"] as? String == "")
            #expect(hosts.first { $0["host_id"] as? String == other.uuidString.lowercased() }?["drain"] == nil)
            let undrained = try Self.json(try await api.send(.delete, "\(path)/drain", accept: "application/json"))
            #expect((undrained["host"] as? [String: Any])?["drain"] == nil)
            #expect((undrained["objects"] as? [[String: Any]])?.map { $0["pinned"] as? Bool } == [false])
            #expect(try await selected(query) == [drainedAgent, otherAgent])
            #expect(try await api.send(.delete, "\(path)/drain", accept: "application/json").status == .ok)
        }
    }

    @Test func badHostRequestsChangeNothing() async throws {
        try await APIHarness.run { api in
            let unknown = UUID().uuidString.lowercased()
            let cases: [(HTTPRequest.Method, String, HTTPResponse.Status)] = [
                (.put, "/api/hosts/\(unknown)/drain", .notFound),
                (.get, "/api/hosts/\(unknown)", .notFound),
                (.put, "/api/hosts/not-a-uuid/drain", .badRequest),
                (.put, "/api/hosts/\(unknown)/drain?why=x", .badRequest),
                (.put, "/api/hosts/\(unknown)/drain?reason=\(String(repeating: "x", count: 1_025))", .badRequest),
                (.put, "/api/hosts/\(unknown)/drain?reason=a%1Bb", .badRequest),
                (.get, "/api/hosts?limit=1", .badRequest),
            ]
            for (method, path, status) in cases {
                let answer = try await api.send(method, path, accept: "application/json")
                #expect(answer.status == status, "\(method) \(path)")
            }
            #expect(try await IntegrationEnvironment.count("host_drains", in: api.store) == 0)
            #expect(try await api.send(.get, "/api/hosts", token: nil).status == .unauthorized)
        }
    }
}
