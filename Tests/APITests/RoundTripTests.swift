import Foundation
import Hummingbird
import HummingbirdTesting
import Messages
import Store
import Testing
import TestSupport

@testable import API

/// What the API answers is true and can be sent back: a version read with `GET` is accepted by
/// `PUT` unchanged (read-only fields matching, the masked password keeping the stored one), and
/// passwords show only in the answer of the request that set them.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct RoundTripTests {
    static func create(_ api: APIHarness, _ document: String = SeedDocuments.submittedSpec) async throws -> SpecResponse {
        let response = try await api.send(.post, "/api/spec", body: document, accept: "application/yaml")
        try #require(response.status == .created, "\(String(buffer: response.body))")
        return try MessageCodec.decode(SpecResponse.self, from: String(buffer: response.body), format: .yaml)
    }

    /// The VNC password of the spec's VM as stored: in the graph and in the latest version.
    static func storedPasswords(_ api: APIHarness, _ spec: SpecResponse) async throws -> (graph: String?, version: String?) {
        let vmID = try #require(spec.spec["web"]?.id)
        let node = try #require(try await api.store.node(vmID.uuid))
        let object = try MessageCodec.decode(Object.self, from: node.object, format: .json)
        let latest = try #require(try await api.store.specVersion(spec.id))
        let document = try MessageCodec.decode(SpecDocument.self, from: latest.resolved, format: .json)
        return (object.vncPassword, document.spec["web"]?.vncPassword)
    }

    @Test(arguments: ["application/yaml", "application/json"])
    func aVersionReadBackIsAcceptedUnchangedAndKeepsThePassword(format: String) async throws {
        try await APIHarness.run { api in
            let created = try await Self.create(api)
            let read = try await api.send(.get, "/api/spec/\(created.id)/versions/0", accept: format)
            #expect(read.status == .ok)
            let text = String(buffer: read.body)
            #expect(text.contains(Object.passwordMask) && !text.contains("hogehoge"))
            #expect(text.contains("created_at") && text.contains("\(created.id)"), "the read carries its read-only fields")

            let put = try await api.send(.put, "/api/spec/\(created.id)", body: text, contentType: format, accept: "application/json")
            #expect(put.status == .ok, "\(String(buffer: put.body))")
            let answer = try MessageCodec.decode(SpecResponse.self, from: String(buffer: put.body), format: .json)
            #expect(answer.version == 1)
            #expect(answer.spec["web"]?.vncPassword == Object.passwordMask, "this PUT did not set the password")

            let stored = try await Self.storedPasswords(api, created)
            #expect(stored.graph == "hogehoge", "the mask was not stored as the password")
            #expect(stored.version == "hogehoge")
            // Nothing changed, so nothing goes to the scheduler and the version is applied at once.
            try await Task.sleep(for: .milliseconds(500))
            // (Distinct message ids: delivery is at least once, and a loaded broker may repeat one.)
            let sent = Set(api.published.all.filter { $0.properties.correlationID == String(created.id) }.map(\.properties.messageID))
            #expect(sent.count == 1, "only version 0's Spec")
            let version = try #require(try await api.store.specVersion(created.id, version: 1))
            #expect(version.state == .applied)
            let events = try await api.store.events(specID: created.id).filter { $0.version == 1 }
            #expect(events.contains { $0.kind == .applied && $0.objectID == nil && $0.message.contains("changes no object") })
        }
    }

    @Test func readOnlyFieldsMustBeThoseOfTheVersionReplaced() async throws {
        try await APIHarness.run { api in
            let created = try await Self.create(api)
            let other = try await Self.create(api)
            let text = String(buffer: try await api.send(.get, "/api/spec/\(created.id)/versions/0", accept: "application/yaml").body)

            let elsewhere = try await api.send(.put, "/api/spec/\(other.id)", body: text, accept: "application/json")
            #expect(elsewhere.status == .unprocessableContent)
            #expect(String(buffer: elsewhere.body).contains("but this is spec \(other.id)"), "\(String(buffer: elsewhere.body))")

            let laterTime = text.replacingOccurrences(of: #"created_at: .*"#, with: "created_at: 2001-01-01T00:00:00.000Z",
                                                      options: .regularExpression)
            #expect(laterTime != text)
            let wrongTime = try await api.send(.put, "/api/spec/\(created.id)", body: laterTime, accept: "application/json")
            #expect(wrongTime.status == .unprocessableContent)
            #expect(String(buffer: wrongTime.body).contains("\"path\":\"created_at\""), "\(String(buffer: wrongTime.body))")

            // POST makes a new spec: a document read from one is refused, pointing at PUT.
            let posted = try await api.send(.post, "/api/spec", body: text, accept: "application/json")
            #expect(posted.status == .unprocessableContent)
            #expect(String(buffer: posted.body).contains("PUT /api/spec/\(created.id)"), "\(String(buffer: posted.body))")
            #expect(try await api.store.spec(created.id)?.latestVersion == 0, "nothing was stored")
            #expect(try await IntegrationEnvironment.count("specs", in: api.store) == 2)
        }
    }

    @Test func passwordsShowOnlyInTheAnswerOfTheRequestThatSetsThem() async throws {
        try await APIHarness.run { api in
            let created = try await Self.create(api)
            #expect(created.spec["web"]?.vncPassword == "hogehoge", "POST set it")

            var document = SpecDocument(version: 0, annotations: created.annotations, spec: created.spec)
            document.spec["web"]?.vncPassword = "newpass1"
            let put = try await api.send(.put, "/api/spec/\(created.id)", body: MessageCodec.encodeString(document, format: .yaml),
                                         accept: "application/json")
            #expect(put.status == .ok)
            #expect(String(buffer: put.body).contains("newpass1"), "this PUT set it")
            #expect(try await Self.storedPasswords(api, created) == ("newpass1", "newpass1"))

            for (method, path) in [(HTTPRequest.Method.get, "/api/spec/\(created.id)"), (.get, "/api/spec/\(created.id)/versions/1"),
                                   (.get, "/api/graph?spec_id=\(created.id)"), (.delete, "/api/spec/\(created.id)"),
                                   (.delete, "/api/spec/\(created.id)")] {
                let response = try await api.send(method, path, accept: "application/json")
                #expect(response.status.code < 300, "\(method) \(path)")
                let body = String(buffer: response.body)
                #expect(!body.contains("newpass1") && !body.contains("hogehoge"), "\(method) \(path): \(body)")
                #expect(body.contains(Object.passwordMask), "\(method) \(path)")
            }

            // The mask cannot be a new VM's password.
            let maskedDocument = SeedDocuments.submittedSpec
                .replacingOccurrences(of: "vnc_password: hogehoge", with: "vnc_password: '********'")
            let masked = try await api.send(.post, "/api/spec", body: maskedDocument, accept: "application/json")
            #expect(masked.status == .unprocessableContent)
            #expect(String(buffer: masked.body).contains("\"path\":\"spec.web.vnc_password\""))
        }
    }

    /// A later version that leaves objects unchanged: they keep the progress of the version that
    /// applied them (no scheduler runs here; the events are the ones it and the conductor write).
    @Test func unchangedObjectsKeepTheProgressOfTheVersionThatAppliedThem() async throws {
        try await APIHarness.run { api in
            let created = try await Self.create(api)
            let ids = created.spec.flatMap { entry in
                var found: [UUID] = []
                entry.object.walk { object, _ in if object.type != nil, let id = object.id { found.append(id.uuid) } }
                return found
            }
            #expect(Set(ids).count == 4)
            try await api.store.withTransaction { tx in
                try await tx.appendEvents(ids.map { Event(specID: created.id, version: 0, objectID: $0, kind: .applied,
                                                          message: "applied on agent x: Succeeded") })
                try await tx.setState(.applied, specID: created.id, version: 0)
            }
            var document = SpecDocument(version: 0, annotations: created.annotations, spec: created.spec)
            document.spec["web"]?.memory = Size(8, .gb)
            let put = try await api.send(.put, "/api/spec/\(created.id)", body: MessageCodec.encodeString(document, format: .yaml))
            #expect(put.status == .ok)

            let status = try await SpecService(store: api.store, limits: SpecLimits(), logger: .init(label: "test")).status(specID: created.id)
            #expect(status.version == 1)
            let vmID = try #require(created.spec["web"]?.id)
            for object in status.objects {
                if object.id == vmID {
                    #expect(object.progress == "PENDING" && object.version == 1, "the changed VM starts over")
                } else {
                    #expect(object.progress == "APPLIED" && object.version == 0, "\(object.type) carried over")
                    #expect(object.message == "applied on agent x: Succeeded")
                }
            }
        }
    }
}
