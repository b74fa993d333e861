import Broker
import Foundation
import MessageHandling
import Messages
import Testing

@testable import AgentRuntime

/// What an agent makes of each message on its queue.
@Suite struct IncomingMessageTests {
    func classify(_ type: String?, _ body: String) -> IncomingMessage {
        IncomingMessage.classify(Envelope(body: Array(body.utf8), properties: MessageProperties(type: type), redelivered: false))
    }

    func volumeRequest(size: String = "10gb", type: String = "resource/volume/file", extra: String = "") -> String {
        """
        {"spec_id": 12, "object": {"type": "\(type)", "id": "d99163ed-0093-40a0-a61b-365a1aece509",
         "name": "new_volume", "status": "allocated", "size": "\(size)"\(extra)},
         "depended_by": [{"type": "resource/vm/kvm", "id": "56410722-d507-472a-a800-c89211b7c261"}]}
        """
    }

    @Test func validRequestAndNotifyDecode() throws {
        guard case .request(let request) = classify("Request", volumeRequest()) else {
            Issue.record("expected a request")
            return
        }
        #expect(request.object.size == Size(10, .gb))
        #expect(request.dependedBy.map(\.id) == [Seeds.vmID])
        let notify = MessageCodec.encodeString(try Seeds.notifyVolume, format: .json)
        #expect(classify("Notify", notify) == .notify(try Seeds.notifyVolume))
    }

    @Test func sizeThatFailsDecodingIsStillAnsweredNamingTheProblem() throws {
        guard case .refusedRequest(let refused) = classify("Request", volumeRequest(size: "4zb")) else {
            Issue.record("expected a refused request")
            return
        }
        #expect(refused.specID == 12)
        #expect(refused.object == Object(type: .volumeFile, id: Seeds.volumeID, name: "new_volume", desiredState: "allocated"))
        #expect(refused.problem.description.contains("object.size"))
        #expect(refused.problem.description.contains("4zb"))
        #expect(refused.dependedBy.map(\.id) == [Seeds.vmID])
    }

    @Test func unknownTypeIsAnsweredQuotingIt() throws {
        guard case .refusedRequest(let refused) = classify("Request", volumeRequest(type: "resource/volume/nfs")) else {
            Issue.record("expected a refused request")
            return
        }
        #expect(refused.object.type == nil)
        #expect(refused.object.id == Seeds.volumeID)
        #expect(refused.typeText == "resource/volume/nfs")
        #expect(refused.problem.description.contains("unknown type 'resource/volume/nfs'"))
    }

    @Test func whatCannotBeNamedIsDeadLettered() {
        let cases: [(String?, String, String)] = [
            ("Request", "{not json", "undecodable Request"),
            ("Request", #"{"object": {"id": "d99163ed-0093-40a0-a61b-365a1aece509", "size": "4zb"}}"#, "undecodable Request"),
            ("Request", #"{"spec_id": 1, "object": {"type": "resource/volume/file", "size": "4zb"}}"#, "undecodable Request"),
            ("Notify", #"{"spec_id": 1}"#, "undecodable Notify"),
            ("Spec", "{}", "does not belong"),
            ("Heartbeat", "{}", "does not belong"),
            (nil, "{}", "unknown message type"),
            ("Bogus", "{}", "unknown message type 'Bogus'"),
        ]
        for (type, body, reason) in cases {
            guard case .deadLetter(let actual) = classify(type, body) else {
                Issue.record("\(type ?? "nil") \(body) should be dead-lettered")
                continue
            }
            #expect(actual.contains(reason), "\(actual)")
        }
    }
}
