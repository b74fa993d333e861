import Foundation
import Hummingbird
import HummingbirdTesting
import Messages
import Store
import Testing
import TestSupport

@testable import API

/// `?dry_run=true` on POST and PUT, and `GET /api/spec/{id}/diff`: what would change and where it
/// would go, with nothing stored or sent.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct PlanTests {
    static let volumes = """
        spec:
          disk:
            type: resource/volume/file
            size: 10gb
          scratch:
            type: resource/volume/file
            size: 1gb
        """

    /// `volumes` stored for real: its spec id, and the edit that grows `disk` to 20 GB, drops
    /// `scratch` and adds `extra` (when given).
    static func storeVolumes(_ api: APIHarness, extra: String = "") async throws -> (specID: Int, edited: String) {
        let stored = try await api.send(.post, "/api/spec", body: volumes, accept: "application/json")
        #expect(stored.status == .created)
        let body = try json(stored)
        let specID = try #require(body["id"] as? Int)
        let diskID = try #require(((body["spec"] as? [String: Any])?["disk"] as? [String: Any])?["id"] as? String)
        let edited = """
            version: 0
            spec:
              disk:
                type: resource/volume/file
                id: \(diskID)
                size: 20gb

            """ + extra
        return (specID, edited)
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    static func objects(_ body: [String: Any]) -> [String: [String: Any]] {
        Dictionary(((body["objects"] as? [[String: Any]]) ?? []).map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// A live volumer agent with `disk` of room on a host of its own.
    static func volumer(_ api: APIHarness, disk: Size) async throws -> (agent: UUID, host: UUID) {
        let (agent, host) = (UUID(), UUID())
        let object = MessageCodec.encodeString(Object(type: .agentVolumerFile, hostID: ObjectID(host), capacity: Capacity(disk: disk)),
                                               format: .json)
        try await api.store.withTransaction { tx in
            try await tx.upsertNodes([GraphNode(id: agent, type: "agent/volumer/file", name: "volumer", desiredState: "alived", object: object)])
            try await tx.recordHeartbeat(agentID: agent, intervalSeconds: 5)
        }
        return (agent, host)
    }

    @Test func aPlanSaysWhatWouldChangeAndWhereItWouldGoAndStoresNothing() async throws {
        try await APIHarness.run { api in
            let (agent, host) = try await Self.volumer(api, disk: Size(100, .gb))
            let specsBefore = try await api.store.specs(state: nil, before: nil, limit: 500).count

            let created = try await api.send(.post, "/api/spec?dry_run=true", body: Self.volumes, accept: "application/json")
            #expect(created.status == .ok, "\(String(buffer: created.body))")
            let plan = try Self.json(created)
            #expect(plan["spec_id"] == nil)
            #expect(plan["version"] as? Int == 0)
            #expect(plan["placement"] as? String == "placed")
            let disk = try #require(Self.objects(plan)["disk"])
            #expect(disk["action"] as? String == "create")
            #expect(disk["id"] == nil)
            #expect((disk["placement"] as? [String: Any])?["agent_id"] as? String == agent.uuidString.lowercased())
            #expect((disk["placement"] as? [String: Any])?["host_id"] as? String == host.uuidString.lowercased())
            // Nothing stored, nothing sent.
            #expect(try await api.store.specs(state: nil, before: nil, limit: 500).count == specsBefore)
            try await Task.sleep(for: .milliseconds(300))
            #expect(api.published.all.isEmpty)

            // The same document for real, then a plan of an edit: one changed, one left out, one new.
            let (specID, edited) = try await Self.storeVolumes(api, extra: """
                  logs:
                    type: resource/volume/file
                    size: 200gb
                """)
            let planned = try await api.send(.put, "/api/spec/\(specID)?dry_run=true", body: edited, accept: "application/json")
            #expect(planned.status == .ok, "\(String(buffer: planned.body))")
            let edit = try Self.json(planned)
            let byName = Self.objects(edit)
            #expect(edit["version"] as? Int == 1)
            #expect(byName["disk"]?["action"] as? String == "change")
            #expect(byName["disk"]?["changed_fields"] as? [String] == ["size"])
            #expect(byName["scratch"]?["action"] as? String == "delete")
            #expect(byName["logs"]?["action"] as? String == "create")
            // 200 GB does not fit on the only volumer: the version would wait, and says why.
            #expect(edit["placement"] as? String == "waiting" || edit["placement"] as? String == "impossible")
            #expect((byName["logs"]?["placement_error"] as? String)?.isEmpty == false)
            #expect(try await api.store.spec(Int64(specID))?.latestVersion == 0)

            // Checks are those of the real request.
            let stale = try await api.send(.put, "/api/spec/\(specID)?dry_run=true", body: edited.replacingOccurrences(of: "version: 0", with: "version: 7"))
            #expect(stale.status == .conflict)
            #expect(try await api.send(.post, "/api/spec?dry_run=maybe", body: Self.volumes).status == .badRequest)
            #expect(try await api.send(.post, "/api/spec?dryrun=true", body: Self.volumes).status == .badRequest)
        }
    }

    @Test func aDiffComparesTwoStoredVersions() async throws {
        try await APIHarness.run { api in
            let (specID, edited) = try await Self.storeVolumes(api)
            #expect(try await api.send(.put, "/api/spec/\(specID)", body: edited).status == .ok)
            let diff = try Self.json(try await api.send(.get, "/api/spec/\(specID)/diff?from=0&to=1", accept: "application/json"))
            let byName = Self.objects(diff)
            #expect(byName["disk"]?["action"] as? String == "change")
            #expect(byName["disk"]?["changed_fields"] as? [String] == ["size"])
            #expect(byName["scratch"]?["action"] as? String == "delete")
            let same = try Self.json(try await api.send(.get, "/api/spec/\(specID)/diff?from=1&to=1", accept: "application/json"))
            #expect(Self.objects(same).values.allSatisfy { $0["action"] as? String == "unchanged" })
            #expect(try await api.send(.get, "/api/spec/\(specID)/diff?from=0&to=9").status == .notFound)
            #expect(try await api.send(.get, "/api/spec/\(specID)/diff?from=0").status == .badRequest)
        }
    }
}
