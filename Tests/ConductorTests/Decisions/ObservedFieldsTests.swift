import Messages
import Testing

@testable import Conductor

@Suite("Fields agents fill")
struct ObservedFieldsTests {
    @Test func takesAgentFilledFieldsAndKeepsWhatTheUserControls() {
        let network = ObjectID()
        let stored = Object(
            type: .vmKVM, id: ObjectID(), name: "web", desiredState: "running", vcpus: 2, vncPassword: "hogehoge",
            dependencies: [Dependency(object: .reference(network), property: DependencyProperty(relation: Relation.vmAttachments))])
        var reported = stored
        reported.vncPassword = nil
        reported.desiredState = "poweroff"
        reported.url = "file:///data/x"
        reported.bridge = "br-0123456789ab"
        reported.hwAddr = "52:54:00:00:00:01"
        reported.vncAddress = "127.0.0.1:5901"
        reported.dependencies = [.scheduled(on: Object(type: .agentComputeKVM, id: ObjectID()))]

        let merged = stored.mergingObservedFields(from: reported)
        #expect(merged.url == "file:///data/x")
        #expect(merged.bridge == "br-0123456789ab")
        #expect(merged.hwAddr == "52:54:00:00:00:01")
        #expect(merged.vncAddress == "127.0.0.1:5901")
        #expect(merged.vncPassword == "hogehoge")
        #expect(merged.desiredState == "running")
        #expect(merged.dependencies == stored.dependencies)
    }

    @Test func aFieldTheAgentLeftOutKeepsItsValue() {
        let stored = Object(type: .nic, id: ObjectID(), hwAddr: "52:54:00:aa:bb:cc")
        #expect(stored.mergingObservedFields(from: Object(type: .nic, id: stored.id)).hwAddr == "52:54:00:aa:bb:cc")
    }

    /// A VM's console address is as its agent last reported it: a VM powered off has none.
    @Test func aVMsVNCAddressIsTakenAsReported() {
        let stored = Object(type: .vmKVM, id: ObjectID(), desiredState: "running", vncAddress: "127.0.0.1:5901")
        #expect(stored.mergingObservedFields(from: Object(type: .vmKVM, id: stored.id, desiredState: "poweroff")).vncAddress == nil)
        #expect(stored.mergingObservedFields(from: Object(type: .vmKVM, id: stored.id, vncAddress: "127.0.0.1:5900")).vncAddress
            == "127.0.0.1:5900")
    }
}
