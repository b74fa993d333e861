import TestSupport
import Foundation
import Testing
@testable import Messages

@Suite struct MessageTests {
    let agentID = ObjectID("2463f81d-20d8-4395-a3c4-84a271a5b3a7")!
    let hostID = ObjectID("8bce7696-f641-411c-a0ce-6ed066d912a3")!
    let sentAt = Date(timeIntervalSince1970: 1_700_000_000.250)

    var heartbeat: HeartbeatMessage {
        HeartbeatMessage(
            agent: Object(type: .agentComputeKVM, id: agentID, desiredState: "alived", hostID: hostID,
                          capacity: Capacity(vcpus: 2, memory: Size(4, .gb), disk: Size(100, .gb))),
            intervalSeconds: 5, sentAt: sentAt)
    }

    @Test func messageTypes() {
        #expect(SpecMessage.messageType.rawValue == "Spec")
        #expect(RequestMessage.messageType.rawValue == "Request")
        #expect(NotifyMessage.messageType.rawValue == "Notify")
        #expect(HeartbeatMessage.messageType.rawValue == "Heartbeat")
    }

    /// A heartbeat is the agent object itself, with its interval and time beside its fields.
    @Test func heartbeatIsAFlatAgentObject() throws {
        let json = MessageCodec.encodeString(heartbeat, format: .json)
        #expect(json == #"{"capacity":{"disk":"100gb","memory":"4gb","vcpus":2},"host_id":"8bce7696-f641-411c-a0ce-6ed066d912a3","#
            + #""id":"2463f81d-20d8-4395-a3c4-84a271a5b3a7","interval_seconds":5,"sent_at":"2023-11-14T22:13:20.250Z","#
            + #""state":"alived","type":"agent/compute/kvm"}"#)
        for format in WireFormat.allCases {
            let data = MessageCodec.encode(heartbeat, format: format)
            #expect(try MessageCodec.decode(HeartbeatMessage.self, from: data, format: format) == heartbeat)
        }
    }

    @Test func heartbeatMustComeFromAnAgent() {
        let text = """
        type: resource/nic
        id: 2463f81d-20d8-4395-a3c4-84a271a5b3a7
        interval_seconds: 5
        sent_at: 2023-11-14T22:13:20Z
        """
        let error = #expect(throws: DocumentError.self) {
            try MessageCodec.decode(HeartbeatMessage.self, from: text, format: .yaml)
        }
        #expect(error?.problems.map(\.path) == ["type"])
        #expect(error?.description.contains("a heartbeat carries an agent object") == true)

        let unknown = #expect(throws: DocumentError.self) {
            try MessageCodec.decode(HeartbeatMessage.self, from: text.replacingOccurrences(
                of: "type: resource/nic", with: "type: agent/porter/vlan\nuptime: 3"), format: .yaml)
        }
        #expect(unknown?.problems.map(\.path) == ["uptime"])
    }

    @Test func anyWireMessageDispatchesOnType() throws {
        let body = MessageCodec.encode(heartbeat, format: .json)
        let message = try AnyWireMessage(type: .heartbeat, body: body)
        #expect(message == .heartbeat(heartbeat))
        #expect(message.messageType == .heartbeat)
        // The wrong type for a body is an error, never a crash.
        #expect(throws: DocumentError.self) { try AnyWireMessage(type: .request, body: body) }
        #expect(throws: DocumentError.self) { try AnyWireMessage(type: .notify, body: Data([0xFF, 0xFE])) }
    }

    @Test func requestDependedBy() throws {
        let waiting = Object(type: .vmKVM, id: ObjectID(), dependencies: [.scheduled(on: Object(
            type: .agentComputeKVM, id: agentID))])
        let request = RequestMessage(specID: 7, object: Object(type: .nic, id: ObjectID()), dependedBy: [waiting])
        let yaml = MessageCodec.encodeString(request, format: .yaml)
        #expect(try MessageCodec.decode(RequestMessage.self, from: yaml, format: .yaml) == request)

        let empty = RequestMessage(specID: 7, object: Object(type: .nic))
        #expect(MessageCodec.encodeString(empty, format: .json).contains(#""depended_by":null"#))
        let missing = try MessageCodec.decode(RequestMessage.self, from: #"{"spec_id":7,"object":{"type":"resource/nic"}}"#,
                                              format: .json)
        #expect(missing == empty)
    }

    /// Annotation values keep their scalar type through JSON and YAML.
    @Test func annotationValuesKeepTheirType() throws {
        let annotations: Annotations = [
            Annotations.sameHost: true,
            Annotations.hostID: "85cf3a3a-18e4-4fe2-b406-9e79079cae07",
            Annotations.rescheduling: "with_error",
            "example/count": 3,
            "example/quoted": "true",
        ]
        let message = SpecMessage(id: 1, annotations: annotations, spec: [])
        for format in WireFormat.allCases {
            let decoded = try MessageCodec.decode(SpecMessage.self, from: MessageCodec.encode(message, format: format),
                                                  format: format)
            #expect(decoded.annotations == annotations, "\(format)")
        }
        #expect(MessageCodec.encodeString(message, format: .json).contains(#""n0stack/scheduling/same_host":true"#))
        #expect(annotations[Annotations.sameHost]?.boolValue == true)
        #expect(annotations["example/count"]?.intValue == 3)
    }

    /// An `id` reference may carry changed fields of the resource it names; a `variable`
    /// reference may not.
    @Test func idReferenceWithChanges() throws {
        let object = try MessageCodec.decode(
            Object.self, from: "id: d99163ed-0093-40a0-a61b-365a1aece509\nsize: 100gb\nstatus: deleted", format: .yaml)
        #expect(object.isReference)
        #expect(object.size == Size(100, .gb))
        #expect(object.desiredState == "deleted")
        #expect(MessageCodec.encodeString(object, format: .json)
            == #"{"id":"d99163ed-0093-40a0-a61b-365a1aece509","size":"100gb","status":"deleted"}"#)
    }

    @Test func jsonIsStable() {
        let object = Object(type: .volumeFile, id: ObjectID("d99163ed-0093-40a0-a61b-365a1aece509"), name: "v",
                            desiredState: "allocated", size: Size(10, .gb), url: "file:///data/x")
        let json = MessageCodec.encodeString(object, format: .json)
        #expect(json == #"{"id":"d99163ed-0093-40a0-a61b-365a1aece509","name":"v","size":"10gb","status":"allocated","#
            + #""type":"resource/volume/file","url":"file:///data/x"}"#)
        #expect(MessageCodec.encode(object, format: .json) == MessageCodec.encode(object, format: .json))
    }

    @Test func wireFormatFromContentType() {
        #expect(WireFormat(contentType: "application/json") == .json)
        #expect(WireFormat(contentType: "application/json; charset=utf-8") == .json)
        #expect(WireFormat(contentType: "Application/YAML") == .yaml)
        #expect(WireFormat(contentType: "application/x-yaml") == .yaml)
        #expect(WireFormat(contentType: "text/yaml") == .yaml)
        #expect(WireFormat(contentType: "application/vnd.n0core+json") == .json)
        #expect(WireFormat(contentType: "text/plain") == nil)
        #expect(WireFormat.json.contentType == "application/json")
    }

    @Test func specResponseAcceptsISO8601() throws {
        let text = SeedDocuments.specResponse.replacingOccurrences(of: "1990/1/1 00:00", with: "1990-01-01T00:00:00Z")
        let response = try MessageCodec.decode(SpecResponse.self, from: text, format: .yaml)
        #expect(response.createdAt == Date(timeIntervalSince1970: 631_152_000))
        let bad = SeedDocuments.specResponse.replacingOccurrences(of: "1990/1/1 00:00", with: "yesterday")
        let error = #expect(throws: DocumentError.self) {
            try MessageCodec.decode(SpecResponse.self, from: bad, format: .yaml)
        }
        #expect(error?.problems.first?.path == "created_at")
        #expect(error?.problems.first?.message.contains("invalid time 'yesterday'") == true)
    }
}
