import Broker
import Foundation
import Hummingbird
import HummingbirdTesting
import Messages
import Store
import Testing
import TestSupport
import Yams

@testable import API

/// The API over real HTTP on the real database and broker (seed sections 1–3).
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct APIIntegrationTests {
    @Test func seedRequestAsWrittenIsAcceptedWithTheSeedAnswerAndSpecMessage() async throws {
        try await APIHarness.run { api in
            let response = try await api.send(.post, "/api/spec/", body: SeedDocuments.submittedSpec)
            #expect(response.status == .created)
            #expect(response.headers[.contentType]?.hasPrefix("application/yaml") == true)
            let answer = try SeedShape.load(String(buffer: response.body))
            let seedAnswer = SeedShape.normalized(try SeedShape.load(SeedDocuments.specResponse))
            #expect(SeedShape.differences(expected: seedAnswer, actual: answer, ignoring: ["id", "created_at"]) == [])
            let map = try #require(answer as? [String: Any])
            let specID = try #require(map["id"] as? Int)
            #expect(specID > 0)
            #expect((map["created_at"] as? String).flatMap { try? Date($0, strategy: .iso8601) } != nil)

            // The Spec message on `scheduler`: the seed's section 3, one flat list, ids only.
            let messages = try await api.published.forSpec(Int64(specID))
            #expect(messages.count == 1)
            let message = try #require(messages.first)
            #expect(message.properties.type == "Spec")
            #expect(message.properties.correlationID == String(specID))
            #expect(message.properties.contentType == "application/json")
            #expect(message.properties.headers["traceparent"]?.hasPrefix("00-") == true)
            var spec = try #require(try JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any])
            var seedSpec = try #require(SeedShape.normalized(try SeedShape.load(SeedDocuments.specMessage)) as? [String: Any])
            // Lists compare in one order: by type.
            spec["spec"] = (spec["spec"] as? [[String: Any]])?.sorted { "\($0["type"]!)" < "\($1["type"]!)" }
            seedSpec["spec"] = (seedSpec["spec"] as? [[String: Any]])?.sorted { "\($0["type"]!)" < "\($1["type"]!)" }
            #expect(SeedShape.differences(expected: seedSpec, actual: spec, ignoring: ["id"], extraKeys: ["version"]) == [])
            #expect(spec["id"] as? Int == specID)
            // The message names the objects the answer assigned, and only those.
            #expect(Set(SeedShape.uuids(in: spec["spec"]!)).isSubset(of: Set(SeedShape.uuids(in: map["spec"]!)).union(["85cf3a3a-18e4-4fe2-b406-9e79079cae07"])))
        }
    }

    @Test func answersInTheFormatAskedFor() async throws {
        try await APIHarness.run { api in
            let json = try await api.send(.post, "/api/spec", body: SeedDocuments.submittedSpec, accept: "application/json")
            #expect(json.status == .created)
            #expect(json.headers[.contentType]?.hasPrefix("application/json") == true)
            let answer = try MessageCodec.decode(SpecResponse.self, from: String(buffer: json.body), format: .json)
            #expect(answer.spec["web"]?.vncPassword == "hogehoge")

            // Later reads mask the VNC password.
            let read = try await api.send(.get, "/api/spec/\(answer.id)/versions/0")
            #expect(read.status == .ok)
            #expect(!String(buffer: read.body).contains("hogehoge"))
            let status = try await api.send(.get, "/api/spec/\(answer.id)", accept: "application/yaml")
            #expect(status.status == .ok)
            let text = String(buffer: status.body)
            #expect(!text.contains("hogehoge"))
            #expect(text.contains("state: pending"))
            #expect(text.contains("progress: PENDING"))
        }
    }

    @Test func everyRouteNeedsTheToken() async throws {
        try await APIHarness.run { api in
            for (method, uri) in [(HTTPRequest.Method.post, "/api/spec"), (.get, "/api/spec/1"), (.get, "/api/graph?spec_id=1"), (.get, "/api/openapi.yaml")] {
                let body = method == .post ? SeedDocuments.submittedSpec : nil
                let missing = try await api.send(method, uri, body: body, token: nil)
                #expect(missing.status == .unauthorized, "\(method) \(uri)")
                let wrong = try await api.send(method, uri, body: body, token: "wrong")
                #expect(wrong.status == .unauthorized, "\(method) \(uri)")
            }
            let health = try await api.send(.get, "/healthz", token: nil)
            #expect(health.status == .ok)
            let specs = try await IntegrationEnvironment.count("specs", in: api.store)
            #expect(specs == 0)
        }
    }

    @Test func newVersionsConflictsAndDeletion() async throws {
        try await APIHarness.run { api in
            let created = try MessageCodec.decode(
                SpecResponse.self,
                from: String(buffer: try await api.send(.post, "/api/spec", body: SeedDocuments.submittedSpec).body), format: .yaml)
            // A new version from the answer, with more memory: only the VM changes.
            var document = SpecDocument(version: 0, annotations: created.annotations, spec: created.spec)
            document.spec["web"]?.memory = Size(8, .gb)
            let body = MessageCodec.encodeString(document, format: .yaml)
            let replaced = try await api.send(.put, "/api/spec/\(created.id)", body: body)
            #expect(replaced.status == .ok)
            let v1 = try MessageCodec.decode(SpecResponse.self, from: String(buffer: replaced.body), format: .yaml)
            #expect(v1.version == 1)
            #expect(v1.spec["web"]?.id == created.spec["web"]?.id)
            try await waitUntil("the version 1 Spec", within: .seconds(15)) { api.published.all.filter { $0.properties.correlationID == String(created.id) }.count >= 2 }
            try await Task.sleep(for: .milliseconds(500))
            // Distinct message ids: delivery is at-least-once, a copy may arrive twice under load.
            var seen = Set<String?>()
            let messages = api.published.all.filter {
                $0.properties.correlationID == String(created.id) && seen.insert($0.properties.messageID).inserted
            }
            #expect(messages.count == 2, "one Spec per version, no more")
            let second = try MessageCodec.decode(SpecMessage.self, from: Data(messages[1].body), format: .json)
            #expect(second.version == 1)
            #expect(second.spec.map(\.type) == [.vmKVM])
            #expect(second.spec.first?.memory == Size(8, .gb))

            // Version 0 had not settled (no scheduler runs here): it is superseded, with an event.
            #expect(try await api.store.specVersion(created.id, version: 0)?.state == .superseded)
            let superseded = try await api.store.events(specID: created.id).filter { $0.kind == .superseded }
            #expect(superseded.map(\.version) == [0])
            // The changed VM's round moved to version 1; the others stay with version 0.
            let rounds = try await api.store.withTransaction { tx in
                try await tx.placements(created.spec.compactMap { $0.object.id?.uuid })
            }
            #expect(rounds[created.spec["web"]!.id!.uuid]?.version == 1)
            #expect(rounds[created.spec["var_network"]!.id!.uuid]?.version == 0)

            // The same document again replaces a version that is no longer the latest.
            let stale = try await api.send(.put, "/api/spec/\(created.id)", body: body)
            #expect(stale.status == .conflict)
            #expect(String(buffer: stale.body).contains("version 1"))

            // DELETE drives every object to deleted.
            let deleted = try await api.send(.delete, "/api/spec/\(created.id)", accept: "application/json")
            #expect(deleted.status == .accepted)
            let graph = try await api.send(.get, "/api/graph?spec_id=\(created.id)", accept: "application/json")
            let nodes = try #require((try JSONSerialization.jsonObject(with: Data(buffer: graph.body)) as? [String: Any])?["nodes"] as? [[String: Any]])
            #expect(nodes.count == 4)
            #expect(nodes.allSatisfy { $0["desired_state"] as? String == "deleted" })
            #expect(!String(buffer: graph.body).contains("hogehoge"))
            let edges = (try JSONSerialization.jsonObject(with: Data(buffer: graph.body)) as? [String: Any])?["edges"] as? [[String: Any]]
            #expect(edges?.count == 3)

            let vmID = try #require(created.spec["web"]?.id)
            let object = try await api.send(.get, "/api/objects/\(vmID)", accept: "application/json")
            #expect(object.status == .ok)
            #expect(String(buffer: object.body).contains("\"desired_state\":\"deleted\""))
            #expect(try await api.send(.get, "/api/objects/\(UUID())").status == .notFound)
            #expect(try await api.send(.get, "/api/spec/999999").status == .notFound)
        }
    }

    @Test func aResourceOwnedByAnotherSpecCannotBeChanged() async throws {
        try await APIHarness.run { api in
            let created = try MessageCodec.decode(
                SpecResponse.self,
                from: String(buffer: try await api.send(.post, "/api/spec", body: SeedDocuments.submittedSpec).body), format: .yaml)
            let volumeID = try #require(created.spec["web"]?.dependencies?[1].object.id)
            let other = """
            spec:
              grow:
                type: resource/vm/kvm
                vcpus: 1
                memory: 1gb
                dependencies:
                  - object: {id: \(volumeID), size: 100gb}
                    property: {r: n0stack/n0core/vm/attachments}
            """
            let response = try await api.send(.post, "/api/spec", body: other, accept: "application/json")
            #expect(response.status == .unprocessableContent)
            #expect(String(buffer: response.body).contains("belongs to spec \(created.id)"))
            #expect(try await IntegrationEnvironment.count("specs", in: api.store) == 1)
        }
    }

    /// With the broker unreachable the API still accepts specs; once it is back, each `Spec`
    /// arrives exactly once. The API reaches RabbitMQ through a relay this test starts and stops,
    /// so other suites keep their broker.
    @Test
    func specsAcceptedWhileTheBrokerIsDownArriveOnceItIsBack() async throws {
        let broker = try IntegrationEnvironment.requireBroker()
        let relay = TCPRelay(target: broker)
        var throughRelay = broker
        throughRelay.port = relay.port
        try await APIHarness.run(brokerURL: throughRelay) { api in
            let response = try await api.send(.post, "/api/spec", body: SeedDocuments.submittedSpec)
            #expect(response.status == .created)
            let specID = try MessageCodec.decode(SpecResponse.self, from: String(buffer: response.body), format: .yaml).id
            try await Task.sleep(for: .seconds(1))
            #expect(api.published.all.isEmpty)
            try relay.start()
            defer { relay.stop() }
            let messages = try await api.published.forSpec(specID, timeout: .seconds(30))
            try await Task.sleep(for: .seconds(2))
            #expect(messages.count == 1)
            let deliveries = api.published.all.filter { $0.properties.correlationID == String(specID) }
            #expect(deliveries.count == 1, "message ids: \(deliveries.map { $0.properties.messageID ?? "none" })")
            // Marked sent once its confirm is in, which can follow the delivery on a busy machine.
            try await waitUntil("the outbox row marked sent") {
                try await IntegrationEnvironment.count("outbox WHERE sent_at IS NULL", in: api.store) == 0
            }
        }
    }

    @Test func openAPIDocumentListsExactlyTheRoutes() async throws {
        try await APIHarness.run { api in
            let response = try await api.send(.get, "/api/openapi.yaml")
            #expect(response.status == .ok)
            let document = try #require(try Yams.load(yaml: String(buffer: response.body)) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: Any])
            var documented: Set<String> = []
            for (path, item) in paths {
                for method in (item as? [String: Any])?.keys ?? [:].keys where method != "parameters" {
                    documented.insert("\(method.uppercased()) \(path)")
                }
            }
            #expect(documented == APIRouteList.routes(api.store))
        }
    }
}
