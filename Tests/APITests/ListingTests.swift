import Foundation
import Hummingbird
import HummingbirdTesting
import Messages
import Store
import Testing
import TestSupport

@testable import API

/// `GET /api/spec`, `GET /api/agents` and `GET /api/graph` without a selector, over real HTTP on
/// the real database: pages that join up, the state filter, and bad parameters.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct ListingTests {
    static let version = NewSpecVersion(annotations: "{}", submitted: "{}", resolved: #"{"spec":{}}"#)

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    /// Every item of a listing, following `next` with `limit`.
    static func all(_ api: APIHarness, _ path: String, key: String, limit: Int) async throws -> (items: [[String: Any]], pages: Int) {
        var items: [[String: Any]] = []
        var cursor: String?
        var pages = 0
        repeat {
            let separator = path.contains("?") ? "&" : "?"
            let uri = path + separator + "limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? "")
            let response = try await api.send(.get, uri, accept: "application/json")
            #expect(response.status == .ok, "\(uri): \(String(buffer: response.body))")
            let body = try json(response)
            let page = try #require(body[key] as? [[String: Any]])
            #expect(page.count <= limit)
            items += page
            cursor = body["next"] as? String
            pages += 1
        } while cursor != nil && pages < 100
        return (items, pages)
    }

    @Test func specsNewestFirstByPagesAndState() async throws {
        try await APIHarness.run { api in
            var ids: [Int64] = []
            for _ in 0..<5 { ids.append(try await api.store.createSpec(Self.version).specID) }
            let objects = [UUID(), UUID(), UUID()]
            try await api.store.withTransaction { tx in
                try await tx.acceptPlacements(objects, specID: ids[1], version: 0)
                try await tx.setPlacementPhase(.applied, objectIDs: [objects[0], objects[1]])
                try await tx.setState(.applied, specID: ids[1], version: 0)
                try await tx.setState(.failed, specID: ids[3], version: 0, reason: "no room")
            }

            let (specs, pages) = try await Self.all(api, "/api/spec", key: "specs", limit: 2)
            #expect(specs.compactMap { ($0["id"] as? NSNumber)?.int64Value } == ids.reversed())
            #expect(pages == 3)
            let applied = try #require(specs.first { ($0["id"] as? NSNumber)?.int64Value == ids[1] })
            #expect(applied["state"] as? String == "applied")
            #expect(applied["version"] as? Int == 0)
            #expect(applied["objects"] as? [String: Int] == ["APPLIED": 2, "PENDING": 1])
            #expect(applied["updated_at"] as? String != nil && applied["created_at"] as? String != nil)

            let (pending, _) = try await Self.all(api, "/api/spec/?state=pending", key: "specs", limit: 1)
            #expect(pending.compactMap { ($0["id"] as? NSNumber)?.int64Value } == [ids[4], ids[2], ids[0]])
            let (failed, _) = try await Self.all(api, "/api/spec?state=failed", key: "specs", limit: 50)
            #expect(failed.compactMap { ($0["id"] as? NSNumber)?.int64Value } == [ids[3]])

            let yaml = try await api.send(.get, "/api/spec?limit=1", accept: "application/yaml")
            #expect(yaml.headers[.contentType]?.hasPrefix("application/yaml") == true)
            #expect(String(buffer: yaml.body).contains("next: s\(ids[4])"))

            for (query, message) in [("limit=0", "limit must be a whole number from 1 to 500"),
                                     ("limit=501", "limit must be a whole number from 1 to 500"),
                                     ("state=done", "state must be one of pending, applied, failed, superseded"),
                                     ("cursor=x", "cursor is not one this route gave"),
                                     ("cursor=a1", "cursor is not one this route gave"),
                                     ("stat=pending", "unknown query parameter 'stat'; this route takes cursor, limit, state")] {
                let response = try await api.send(.get, "/api/spec?\(query)", accept: "application/json")
                #expect(response.status == .badRequest, "\(query)")
                #expect(String(buffer: response.body).contains(message), "\(query): \(String(buffer: response.body))")
            }
            #expect(try await api.send(.get, "/api/spec", token: nil).status == .unauthorized)
        }
    }

    @Test func agentsWithHeartbeatCapacityAndClaims() async throws {
        try await APIHarness.run { api in
            let host = UUID()
            let agents = (0..<3).map { _ in UUID() }
            let object = MessageCodec.encodeString(
                Object(type: .agentComputeKVM, hostID: ObjectID(host), capacity: Capacity(vcpus: 8, memory: Size(16, .gb))), format: .json)
            try await api.store.withTransaction { tx in
                try await tx.upsertNodes(agents.enumerated().map { index, id in
                    GraphNode(id: id, type: "agent/compute/kvm", name: "kvm-\(index)", desiredState: index == 2 ? "dead" : "alived",
                              object: object)
                } + [GraphNode(id: UUID(), type: "resource/vm", name: "web", specID: 1)])
                try await tx.recordHeartbeat(agentID: agents[0], intervalSeconds: 5)
                try await tx.upsertClaims([Claim(objectID: UUID(), agentID: agents[0], specID: 1, vcpus: 2,
                                                 memoryBytes: 1 << 30, diskBytes: 0)])
            }
            let (listed, pages) = try await Self.all(api, "/api/agents", key: "agents", limit: 2)
            #expect(pages == 2)
            #expect(listed.compactMap { $0["id"] as? String } == agents.map { $0.uuidString.lowercased() }.sorted())
            let first = try #require(listed.first { $0["id"] as? String == agents[0].uuidString.lowercased() })
            #expect(first["liveness"] as? String == "alived")
            #expect(first["host_id"] as? String == host.uuidString.lowercased())
            #expect(first["last_heartbeat"] as? String != nil)
            #expect((first["capacity"] as? [String: Any])?["vcpus"] as? Int == 8)
            #expect((first["claimed"] as? [String: Any])?["vcpus"] as? Int == 2)
            #expect((first["claimed"] as? [String: Any])?["memory_bytes"] as? Int == 1 << 30)
            let dead = try #require(listed.first { $0["id"] as? String == agents[2].uuidString.lowercased() })
            #expect(dead["liveness"] as? String == "dead")
            #expect(dead["last_heartbeat"] == nil)
            #expect((dead["claimed"] as? [String: Any])?["claims"] as? Int == 0)
            #expect(try await api.send(.get, "/api/agents?cursor=n\(String(repeating: "0", count: 32))").status == .badRequest)
        }
    }

    @Test func theWholeGraphByPages() async throws {
        try await APIHarness.run { api in
            let ids = (0..<5).map { _ in UUID() }
            try await api.store.withTransaction { tx in
                try await tx.upsertNodes(ids.map { GraphNode(id: $0, type: "resource/vm", name: "n", specID: 1) })
                try await tx.upsertEdges(ids.dropFirst().map { GraphEdge(source: ids[0], target: $0, relation: "r") }
                    + [GraphEdge(source: ids[1], target: ids[2], relation: "r")])
            }
            var nodes: [String] = []
            var edges = 0
            var cursor: String?
            var pages = 0
            repeat {
                let response = try await api.send(.get, "/api/graph?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""),
                                                  accept: "application/json")
                #expect(response.status == .ok)
                let body = try Self.json(response)
                let page = try #require(body["nodes"] as? [[String: Any]]).compactMap { $0["id"] as? String }
                let pageEdges = try #require(body["edges"] as? [[String: Any]])
                #expect(pageEdges.allSatisfy { page.contains($0["source"] as? String ?? "") })
                nodes += page
                edges += pageEdges.count
                cursor = body["next"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(nodes == ids.map { $0.uuidString.lowercased() }.sorted())
            #expect(edges == 5)
            #expect(pages == 3)
            let whole = try await api.send(.get, "/api/graph", accept: "application/yaml")
            #expect(whole.status == .ok)
            #expect(try await api.send(.get, "/api/graph?spec_id=1&limit=2").status == .badRequest)
            // A misspelt selector is refused, not read as "the whole graph".
            let misspelt = try await api.send(.get, "/api/graph?specid=1", accept: "application/json")
            #expect(misspelt.status == .badRequest)
            #expect(String(buffer: misspelt.body).contains("unknown query parameter 'specid'"))
        }
    }
}
