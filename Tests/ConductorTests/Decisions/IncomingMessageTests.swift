import Broker
import Foundation
import MessageHandling
import Messages
import TestSupport
import Testing

@testable import Conductor

@Suite("Decoding the conductor's queue")
struct IncomingMessageTests {
    func envelope(type: String?, messageID: String?, body: Data, headers: [String: String] = [:]) -> Envelope {
        Envelope(body: [UInt8](body), properties: MessageProperties(type: type, messageID: messageID, headers: headers),
                 redelivered: false)
    }

    @Test func decodesTheSeedsNotifyByItsType() throws {
        let notify = try MessageCodec.decode(NotifyMessage.self, from: SeedDocuments.notifyVolume, format: .yaml)
        let id = UUID()
        let message = try IncomingMessage.decode(envelope(
            type: "Notify", messageID: id.uuidString.lowercased(), body: MessageCodec.encode(notify, format: .json)))
        #expect(message == .notify(notify, messageID: id))
    }

    @Test func decodesAHeartbeat() throws {
        let heartbeat = HeartbeatMessage(
            agent: Object(type: .agentVolumerFile, id: ObjectID(), desiredState: "alived", hostID: ObjectID()),
            intervalSeconds: 10, sentAt: Date(timeIntervalSince1970: 1_700_000_000))
        let message = try IncomingMessage.decode(envelope(type: "Heartbeat", messageID: nil, body: MessageCodec.encode(heartbeat, format: .json)))
        #expect(message == .heartbeat(heartbeat))
    }

    /// A rolling upgrade: an agent one release ahead adds a field (here to the Notify and to its
    /// object) and a newer schema version; this conductor still reads it. An older message
    /// without the header (version 1) is read too.
    @Test func aNotifyFromANewerOrOlderSenderIsRead() throws {
        let notify = try MessageCodec.decode(NotifyMessage.self, from: SeedDocuments.notifyVolume, format: .yaml)
        var json = try #require(try JSONSerialization.jsonObject(with: MessageCodec.encode(notify, format: .json)) as? [String: Any])
        json["progress_percent"] = 40
        var object = try #require(json["object"] as? [String: Any])
        object["snapshot_of"] = "8451da31-5e3a-4c46-aa3a-2a557382a6cd"
        json["object"] = object
        let body = try JSONSerialization.data(withJSONObject: json)
        let id = UUID()
        let newer = try IncomingMessage.decode(envelope(
            type: "Notify", messageID: id.uuidString, body: body, headers: [WireSchema.header: "\(WireSchema.current + 1)"]))
        #expect(newer == .notify(notify, messageID: id))
        let older = try IncomingMessage.decode(envelope(type: "Notify", messageID: id.uuidString, body: MessageCodec.encode(notify, format: .json)))
        #expect(older == .notify(notify, messageID: id))
    }

    @Test(arguments: [
        (nil as String?, "{}", "no AMQP type"),
        ("Spec", "{}", "unexpected message type 'Spec'"),
        ("Bogus", "{}", "unexpected message type 'Bogus'"),
        ("Notify", "not json", "undecodable Notify"),
        ("Heartbeat", #"{"type": "resource/nic", "id": "8451da31-5e3a-4c46-aa3a-2a557382a6cd"}"#, "undecodable Heartbeat"),
    ])
    func rejectsWhatItCannotProcess(type: String?, body: String, reason: String) {
        #expect {
            try IncomingMessage.decode(envelope(type: type, messageID: UUID().uuidString, body: Data(body.utf8)))
        } throws: { error in
            (error as? MessageRejection)?.reason.contains(reason) == true
        }
    }

    @Test func aNotifyWithoutAUUIDMessageIDCannotBeRecordedOnce() throws {
        let notify = try MessageCodec.decode(NotifyMessage.self, from: SeedDocuments.notifyNetwork, format: .yaml)
        let body = MessageCodec.encode(notify, format: .json)
        for messageID in [nil, "not-a-uuid"] {
            #expect(throws: MessageRejection.self) { try IncomingMessage.decode(envelope(type: "Notify", messageID: messageID, body: body)) }
        }
    }
}
