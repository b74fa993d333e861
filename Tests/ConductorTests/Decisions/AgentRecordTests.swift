import Foundation
import MessageHandling
import Messages
import Testing

@testable import Conductor

@Suite("Agent registry records")
struct AgentRecordTests {
    let host = ObjectID("8bce7696-f641-411c-a0ce-6ed066d912a3")!
    let agentID = ObjectID("2463f81d-20d8-4395-a3c4-84a271a5b3a7")!

    func heartbeat(hostID: ObjectID?, state: String = "alived") -> HeartbeatMessage {
        HeartbeatMessage(
            agent: Object(type: .agentComputeKVM, id: agentID, desiredState: state, hostID: hostID,
                          capacity: Capacity(vcpus: 8, memory: Size(16, .gb))),
            intervalSeconds: 10, sentAt: Date())
    }

    @Test func aHeartbeatBecomesTheAgentsNode() throws {
        let record = try AgentRecord(heartbeat(hostID: host))
        let node = record.node
        #expect(node.id == agentID.uuid)
        #expect(node.type == "agent/compute/kvm")
        #expect(node.name == "agent/compute/kvm 8bce7696-f641-411c-a0ce-6ed066d912a3")
        #expect(node.specID == nil)
        #expect(node.desiredState == "alived")
        #expect(node.observedState == nil)
        #expect(record.intervalSeconds == 10)
        let object = try MessageCodec.decode(Object.self, from: node.object, format: .json)
        #expect(object == Object(type: .agentComputeKVM, id: agentID, desiredState: "alived", hostID: host,
                                 capacity: Capacity(vcpus: 8, memory: Size(16, .gb))))
        #expect(!node.object.contains("interval"))
    }

    @Test func anAgentThatSaysItLeavesIsDead() throws {
        #expect(try AgentRecord(heartbeat(hostID: host, state: "dead")).node.desiredState == "dead")
    }

    @Test func aHeartbeatWithoutHostIsRejected() {
        #expect(throws: MessageRejection.self) { try AgentRecord(heartbeat(hostID: nil)) }
    }

    /// A volumer's export URL is kept in the registry, where the scheduler reads it for moves;
    /// a URL that is not http(s) is refused.
    @Test func aVolumersExportURLIsKeptAndABadOneRefused() throws {
        func volumer(url: String) -> HeartbeatMessage {
            HeartbeatMessage(agent: Object(type: .agentVolumerFile, id: agentID, desiredState: "alived", url: url, hostID: host,
                                           capacity: Capacity(disk: Size(10, .gb))),
                             intervalSeconds: 10, sentAt: Date())
        }
        let record = try AgentRecord(volumer(url: "http://10.88.0.1:8476"))
        #expect(try MessageCodec.decode(Object.self, from: record.node.object, format: .json).url == "http://10.88.0.1:8476")
        for bad in ["file:///etc/passwd", "http://", "http://" + String(repeating: "h", count: 3_000)] {
            #expect(throws: MessageRejection.self, "\(bad.prefix(20))") { try AgentRecord(volumer(url: bad)) }
        }
    }
}
