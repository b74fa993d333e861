import Foundation
import Messages
@testable import Scheduler
import Store
import Testing

/// The registry documents the scheduler reads for every spec are decoded once per text.
@Suite struct AgentDescriptionsTests {
    static let host = ObjectID("8bce7696-f641-411c-a0ce-6ed066d912a3")!

    static func node(id: UUID, vcpus: Int) -> GraphNode {
        let object = Object(type: .agentComputeKVM, id: ObjectID(id), desiredState: "alived", hostID: host,
                            capacity: Capacity(vcpus: vcpus, memory: Size(8, .gb)))
        return GraphNode(id: id, type: ObjectType.agentComputeKVM.rawValue, name: "",
                         object: MessageCodec.encodeString(object, format: .json))
    }

    @Test func aChangedDocumentIsReadAgainAndAnUnchangedOneIsKept() {
        let descriptions = AgentDescriptions()
        let id = UUID()
        #expect(descriptions.description(of: Self.node(id: id, vcpus: 4))?.capacity == Resources(capacity: Capacity(vcpus: 4, memory: Size(8, .gb))))
        #expect(descriptions.description(of: Self.node(id: id, vcpus: 4))?.hostID == Self.host)
        #expect(descriptions.description(of: Self.node(id: id, vcpus: 8))?.capacity == Resources(capacity: Capacity(vcpus: 8, memory: Size(8, .gb))),
                "a heartbeat with new capacity is seen at once")
    }

    @Test func aDocumentWithoutAHostDescribesNoAgent() {
        let node = GraphNode(id: UUID(), type: ObjectType.agentComputeKVM.rawValue, name: "", object: #"{"type":"agent/compute/kvm"}"#)
        #expect(AgentDescriptions().description(of: node) == nil)
    }
}
