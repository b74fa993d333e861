import Testing
@testable import Messages

@Suite struct ObjectTypeTests {
    @Test func rawValues() {
        #expect(ObjectType.allCases.map(\.rawValue) == [
            "resource/vm/kvm", "resource/volume/file", "resource/nic", "resource/network/vlan", "resource/image",
            "agent/compute/kvm", "agent/volumer/file", "agent/porter/vlan",
        ])
    }

    @Test func agentsAndServingAgents() {
        #expect(ObjectType.allCases.filter(\.isAgent) == [.agentComputeKVM, .agentVolumerFile, .agentPorterVLAN])
        #expect(ObjectType.vmKVM.servingAgent == .agentComputeKVM)
        #expect(ObjectType.volumeFile.servingAgent == .agentVolumerFile)
        #expect(ObjectType.nic.servingAgent == .agentPorterVLAN)
        #expect(ObjectType.networkVLAN.servingAgent == .agentPorterVLAN)
        #expect(ObjectType.image.servingAgent == .agentVolumerFile)
        #expect(ObjectType.agentPorterVLAN.servingAgent == nil)
    }

    @Test(arguments: [
        (ObjectType.vmKVM, "running", "status"),
        (.volumeFile, "allocated", "status"),
        (.nic, "attached", "status"),
        (.networkVLAN, "applied", "state"),
        (.image, "available", "status"),
        (.agentComputeKVM, "alived", "state"),
        (.agentVolumerFile, "alived", "state"),
        (.agentPorterVLAN, "alived", "state"),
    ])
    func desiredStates(type: ObjectType, defaultState: String, key: String) throws {
        #expect(type.defaultDesiredState == defaultState)
        #expect(type.allowedDesiredStates.first == defaultState)
        #expect(type.desiredStateKey == key)
        // Written under its key, and read back from either key.
        let object = Object(type: type, desiredState: defaultState)
        let json = MessageCodec.encodeString(object, format: .json)
        #expect(json.contains(#""\#(key)":"\#(defaultState)""#))
        let other = key == "state" ? "status" : "state"
        let swapped = try MessageCodec.decode(
            Object.self, from: #"{"type":"\#(type.rawValue)","\#(other)":"\#(defaultState)"}"#, format: .json)
        #expect(swapped == object)
    }

    @Test func vmStates() {
        #expect(ObjectType.vmKVM.allowedDesiredStates == ["running", "poweroff", "saved", "deleted"])
        #expect(ObjectType.volumeFile.allowedDesiredStates == ["allocated", "deleted", "destroyed"])
        #expect(ObjectType.networkVLAN.allowedDesiredStates == ["applied", "down", "deleted"])
        #expect(ObjectType.agentComputeKVM.allowedDesiredStates == ["alived", "dead"])
    }

    @Test func bothStateKeysRejected() {
        let error = #expect(throws: DocumentError.self) {
            try MessageCodec.decode(Object.self, from: "type: resource/nic\nstate: attached\nstatus: attached", format: .yaml)
        }
        #expect(error?.problems.map(\.path) == ["status"])
    }
}
