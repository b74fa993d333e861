import Messages
import Testing

@testable import API

/// A VM's `vnc_address` is set by its compute agent, like a volume's `url`: a new VM cannot
/// carry it, an existing one only with the value stored (a read sent back), and a new version
/// keeps what the agent reported (`SpecService.observedKeys`) without counting it as a change.
@Suite struct VNCAddressFieldTests {
    let vmID = ObjectID("56410722-d507-472a-a800-c89211b7c261")!

    func document(id: ObjectID?, vncAddress: String?) -> String {
        var text = "version: 0\nspec:\n  web:\n    type: resource/vm/kvm\n"
        if let id { text += "    id: \(id)\n" }
        text += "    vcpus: 2\n    memory: 4gb\n"
        if let vncAddress { text += "    vnc_address: \(vncAddress)\n" }
        return text
    }

    @Test func onlyTheStoredValueMayBeSentBack() throws {
        let stored = Object(type: .vmKVM, id: vmID, name: "web", desiredState: "running", vcpus: 2, memory: Size(4, .gb),
                            vncAddress: "127.0.0.1:5901")
        let context = ResolutionContext(existing: [vmID: ExistingResource(object: stored, specID: 7)], specID: 7)

        let asRead = try SpecResolverTests.resolve(document(id: vmID, vncAddress: "127.0.0.1:5901"), context: context).get()
        #expect(asRead.objects.first { $0.id == vmID }?.vncAddress == "127.0.0.1:5901")
        #expect(try SpecResolverTests.problems(document(id: vmID, vncAddress: nil), context: context).isEmpty)

        let changed = try SpecResolverTests.problems(document(id: vmID, vncAddress: "0.0.0.0:5900"), context: context)
        #expect(changed.map(\.path) == ["spec.web.vnc_address"])
        #expect(changed.first?.message == "is set by the compute agent and cannot be changed; leave it out or send back the value stored")

        let fresh = try SpecResolverTests.problems(document(id: nil, vncAddress: "127.0.0.1:5900"))
        #expect(fresh.map(\.path) == ["spec.web.vnc_address"])
        #expect(fresh.first?.message == "is set by the compute agent; leave it out")
    }

    @Test func itIsObservedNotDesired() {
        let vm = Object(type: .vmKVM, id: vmID, vcpus: 2, vncAddress: "127.0.0.1:5901")
        var moved = vm
        moved.vncAddress = "127.0.0.1:5902"
        #expect(SpecService.desired(vm) == SpecService.desired(moved), "a new port is no change to apply")
        #expect(SpecService.observedKeys.contains("vnc_address"))
    }

    @Test func itTravelsAsVNCAddressAndOnlyOnVMs() throws {
        let vm = Object(type: .vmKVM, id: vmID, vcpus: 2, vncAddress: "[::1]:5900")
        let json = MessageCodec.encodeString(vm, format: .json)
        #expect(json.contains("\"vnc_address\":\"[::1]:5900\""), "\(json)")
        #expect(try MessageCodec.decode(Object.self, from: json, format: .json) == vm)
        #expect(throws: DocumentError.self) {
            try MessageCodec.decode(Object.self, from: "{\"type\":\"resource/volume/file\",\"vnc_address\":\"127.0.0.1:5900\"}", format: .json)
        }
    }
}
