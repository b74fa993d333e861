import Foundation
import Messages
import TestSupport
import Testing

@testable import Conductor

@Suite("Decoding the conductor's queue")
struct IncomingMessageTests {
    @Test func decodesTheSeedsNotifyByItsType() throws {
        let notify = try MessageCodec.decode(NotifyMessage.self, from: SeedDocuments.notifyVolume, format: .yaml)
        let id = UUID()
        let message = try IncomingMessage.decode(
            type: "Notify", messageID: id.uuidString.lowercased(), body: MessageCodec.encode(notify, format: .json))
        #expect(message == .notify(notify, messageID: id))
    }

    @Test func decodesAHeartbeat() throws {
        let heartbeat = HeartbeatMessage(
            agent: Object(type: .agentVolumerFile, id: ObjectID(), desiredState: "alived", hostID: ObjectID()),
            intervalSeconds: 10, sentAt: Date(timeIntervalSince1970: 1_700_000_000))
        let message = try IncomingMessage.decode(type: "Heartbeat", messageID: nil, body: MessageCodec.encode(heartbeat, format: .json))
        #expect(message == .heartbeat(heartbeat))
    }

    @Test(arguments: [
        (nil as String?, "{}", "no AMQP type"),
        ("Spec", "{}", "unexpected message type 'Spec'"),
        ("Bogus", "{}", "unexpected message type 'Bogus'"),
        ("Notify", "not json", "undecodable Notify body"),
        ("Heartbeat", #"{"type": "resource/nic", "id": "8451da31-5e3a-4c46-aa3a-2a557382a6cd"}"#, "undecodable Heartbeat body"),
    ])
    func rejectsWhatItCannotProcess(type: String?, body: String, reason: String) {
        #expect {
            try IncomingMessage.decode(type: type, messageID: UUID().uuidString, body: Data(body.utf8))
        } throws: { error in
            (error as? IncomingRejection)?.reason.contains(reason) == true
        }
    }

    @Test func aNotifyWithoutAUUIDMessageIDCannotBeRecordedOnce() throws {
        let notify = try MessageCodec.decode(NotifyMessage.self, from: SeedDocuments.notifyNetwork, format: .yaml)
        let body = MessageCodec.encode(notify, format: .json)
        for messageID in [nil, "not-a-uuid"] {
            #expect(throws: IncomingRejection.self) { try IncomingMessage.decode(type: "Notify", messageID: messageID, body: body) }
        }
    }
}
