import Broker
import Clients
import Foundation
import Messages
import Testing

@testable import AgentRuntime

/// The Notifies an agent sends have the seed's section 5.2/5.3 shape.
@Suite struct NotifyComposerTests {
    let volumer = NotifyComposer(agentType: .agentVolumerFile, identity: AgentIdentity(
        agentID: Seeds.volumerAgentID, hostID: ObjectID("8bce7696-f641-411c-a0ce-6ed066d912a3")!))
    let porter = NotifyComposer(agentType: .agentPorterVLAN, identity: AgentIdentity(
        agentID: Seeds.porterAgentID, hostID: ObjectID("8bce7696-f641-411c-a0ce-6ed066d912a3")!))

    @Test func volumeSuccessIsSeed52() throws {
        var volume = try Seeds.requestVolume.object
        volume.url = "file:///data/d99163ed-0093-40a0-a61b-365a1aece509"
        let notify = volumer.success(specID: 100, object: volume, message: nil, waitedFor: [])
        #expect(notify == (try Seeds.notifyVolume))
    }

    @Test func nicSuccessAfterWaitingIsSeed53() throws {
        let request = try Seeds.requestNIC
        let waited = ReadinessRules.unmetDependencies(of: request.object)
        let nic = request.object.replacingEmbedded(with: [Seeds.networkID: try Seeds.notifyNetwork.object])
        let notify = porter.success(specID: 100, object: nic, message: nil, waitedFor: waited)
        #expect(notify == (try Seeds.notifyNIC))
    }

    @Test func objectWithoutScheduledAgentGetsThisAgent() throws {
        let bare = Object(type: .volumeFile, id: Seeds.volumeID, desiredState: "allocated", size: Size(10, .gb))
        let notify = volumer.failure(specID: 7, object: bare, reason: "the disk is full")
        #expect(notify.level == .error)
        #expect(notify.message == "Failed to create resource: the disk is full.")
        #expect(notify.object.scheduledAgent == volumer.agent)
        #expect(volumer.agent.type == .agentVolumerFile && volumer.agent.desiredState == "alived")
    }

    @Test func verbsFollowTheDesiredState() {
        let cases: [(String?, String)] = [(nil, "create"), ("allocated", "create"), ("deleted", "delete"),
                                          ("destroyed", "destroy"), ("poweroff", "power off")]
        for (state, verb) in cases {
            #expect(NotifyComposer.verb(for: Object(type: .volumeFile, desiredState: state)) == verb)
        }
    }

    @Test func addressedToTheConductorAndEachDependentAgentOnce() throws {
        let agentA = ObjectID(), agentB = ObjectID()
        func dependent(on agent: ObjectID?) -> Object {
            var object = Object(type: .vmKVM, id: ObjectID())
            if let agent { object.dependencies = [.scheduled(on: Object(type: .agentComputeKVM, id: agent))] }
            return object
        }
        let notify = try Seeds.notifyVolume
        let dependents = [dependent(on: agentA), dependent(on: agentB), dependent(on: agentA), dependent(on: nil)]
        let messages = volumer.messages(for: notify, dependents: dependents, requestID: "request-1", trace: nil)
        #expect(messages.map(\.routingKey) == [ConductorClient.queue, AgentClient.queue(agentA), AgentClient.queue(agentB)])
        #expect(Set(messages.map(\.messageID)).count == 3, "each Notify has its own message_id")
        // Answering the same request again (it was redelivered) gives the same ids, so the
        // receivers recognise the repeat; another request or attempt gives others.
        let again = volumer.messages(for: notify, dependents: dependents, requestID: "request-1", trace: nil)
        #expect(again.map(\.messageID) == messages.map(\.messageID))
        var nextAttempt = notify
        nextAttempt.attempt = (notify.attempt ?? 0) + 1
        let other = volumer.messages(for: nextAttempt, dependents: dependents, requestID: "request-1", trace: nil)
        #expect(Set(other.map(\.messageID)).isDisjoint(with: messages.map(\.messageID)))
        #expect(messages.allSatisfy { UUID(uuidString: $0.messageID) != nil }, "derived ids are UUIDs")
        #expect(messages.allSatisfy { $0.type == "Notify" && $0.correlationID == "100" })
        let body = try MessageCodec.decode(NotifyMessage.self, from: Data(messages[0].body), format: .json)
        #expect(body == notify)
    }
}
