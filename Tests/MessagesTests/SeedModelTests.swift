import TestSupport
import Foundation
import Testing
@testable import Messages

/// The seed documents decode into the values they describe, not just into something that
/// re-encodes the same.
@Suite struct SeedModelTests {
    let vmID = ObjectID("56410722-d507-472a-a800-c89211b7c261")!
    let nicID = ObjectID("a1f6a79b-7ad0-499e-b912-44eb73ea0f81")!
    let volumeID = ObjectID("d99163ed-0093-40a0-a61b-365a1aece509")!
    let networkID = ObjectID("8451da31-5e3a-4c46-aa3a-2a557382a6cd")!
    let computeAgentID = ObjectID("2463f81d-20d8-4395-a3c4-84a271a5b3a7")!

    @Test func submittedSpec() throws {
        let document = try MessageCodec.decode(SpecDocument.self, from: SeedDocuments.submittedSpec, format: .yaml)
        #expect(document.version == 0)
        #expect(document.annotations?[Annotations.sameHost] == .bool(true))
        #expect(document.annotations?[Annotations.hostID] == .string("85cf3a3a-18e4-4fe2-b406-9e79079cae07"))
        #expect(document.spec.names == ["web", "var_network"])

        let web = try #require(document.spec["web"])
        #expect(web.type == .vmKVM)
        #expect(web.id == nil)
        #expect(web.desiredState == nil)
        #expect(web.vcpus == 2)
        #expect(web.memory == Size(4, .gb))
        #expect(web.vncPassword == "hogehoge")
        let dependencies = try #require(web.dependencies)
        #expect(dependencies.count == 2)

        let nic = dependencies[0].object
        #expect(nic.type == .nic)
        #expect(nic.ipAddresses == ["192.168.0.1"])
        #expect(nic.dependencies?.first?.object == .reference(variable: "var_network"))
        #expect(nic.dependencies?.first?.property.relation == Relation.portNetwork)
        #expect(dependencies[0].property == DependencyProperty(relation: Relation.vmAttachments))

        #expect(dependencies[1].object == Object(type: .volumeFile, name: "new_volume", size: Size(10, .gb)))
        #expect(dependencies[1].property.bootPriority == 1)

        let network = try #require(document.spec["var_network"])
        #expect(network.type == .networkVLAN)
        #expect(network.parameters?.vlanID == 100)
        #expect(network.subnets == [Subnet(cidr: "192.168.0.0/24", dhcp: DHCP(
            range: "192.168.0.1-192.168.0.127", nameservers: ["192.168.0.254"], gateway: "192.168.0.254"))])
    }

    @Test func specResponse() throws {
        let response = try MessageCodec.decode(SpecResponse.self, from: SeedDocuments.specResponse, format: .yaml)
        #expect(response.id == 100)
        #expect(response.version == 0)
        #expect(response.spec["web"]?.id == vmID)
        #expect(response.spec["web"]?.desiredState == "running")
        #expect(response.spec["var_network"]?.desiredState == "applied")
        #expect(response.spec["web"]?.dependencies?[1].object.desiredState == "allocated")
    }

    @Test func specMessage() throws {
        let message = try MessageCodec.decode(SpecMessage.self, from: SeedDocuments.specMessage, format: .yaml)
        #expect(message.id == 100)
        #expect(message.version == nil)
        #expect(message.spec.map(\.type) == [.vmKVM, .volumeFile, .nic, .networkVLAN])
        #expect(message.spec[0].dependencies?.map(\.object) == [.reference(nicID), .reference(volumeID)])
        #expect(message.spec[2].dependencies?.map(\.object) == [.reference(networkID)])
    }

    @Test func requestForTheVM() throws {
        let request = try MessageCodec.decode(RequestMessage.self, from: SeedDocuments.requestVM, format: .yaml)
        #expect(request.specID == 100)
        #expect(request.dependedBy.isEmpty)
        #expect(request.object.id == vmID)
        #expect(request.object.scheduledAgent?.id == computeAgentID)
        #expect(request.object.scheduledAgent?.type == .agentComputeKVM)
        let nic = try #require(request.object.dependencies(relation: Relation.vmAttachments).first?.object)
        #expect(nic.hwAddr == "ffffffffffff")
        #expect(nic.scheduledAgent?.type == .agentPorterVLAN)
        #expect(nic.dependencies(relation: Relation.portNetwork).first?.object.scheduledAgent?.type == .agentPorterVLAN)
    }

    /// `depended_by:` with nothing after it is YAML null: no waiting objects.
    @Test(arguments: SeedDocuments.requests)
    func requestsHaveNoDependents(yaml: String) throws {
        let request = try MessageCodec.decode(RequestMessage.self, from: yaml, format: .yaml)
        #expect(request.dependedBy == [])
        #expect(request.object.scheduledAgent != nil)
    }

    @Test func notifications() throws {
        let volume = try MessageCodec.decode(NotifyMessage.self, from: SeedDocuments.notifyVolume, format: .yaml)
        #expect(volume.level == .success)
        #expect(volume.message == "Succeeded to create resource.")
        #expect(volume.object.url == "file:///data/d99163ed-0093-40a0-a61b-365a1aece509")

        let network = try MessageCodec.decode(NotifyMessage.self, from: SeedDocuments.notifyNetwork, format: .yaml)
        #expect(network.object.bridge == "br-vlan-0f97b5a3-bff2-4f13-9361-9f9b4fab3d65")
        #expect(network.object.desiredState == "applied")

        let vm = try MessageCodec.decode(NotifyMessage.self, from: SeedDocuments.notifyVM, format: .yaml)
        #expect(vm.object.allObjects.count == 8)
    }

    /// Output always uses the correct spellings, and the desired state goes under the key of
    /// its type.
    @Test func outputSpelling() throws {
        let request = try MessageCodec.decode(RequestMessage.self, from: SeedDocuments.requestNIC, format: .yaml)
        let yaml = MessageCodec.encodeString(request, format: .yaml)
        #expect(!yaml.contains("relatioins"))
        #expect(yaml.contains("status: attached"))
        #expect(yaml.contains("state: applied"))
        let vm = MessageCodec.encodeString(
            try MessageCodec.decode(RequestMessage.self, from: SeedDocuments.requestVM, format: .yaml), format: .json)
        #expect(vm.contains(#""n0stack/n0core/vm/boot_priority":1"#))
        #expect(!vm.contains("boot_prority"))
    }

    /// YAML keeps the user's order of top-level variables; JSON (whose decoder keeps no order)
    /// gives them sorted, so iteration never depends on hashing.
    @Test func variableOrder() throws {
        let yaml = """
        spec:
          zeta: {type: resource/nic}
          alpha: {type: resource/nic}
          mid: {type: resource/nic}
        """
        let fromYAML = try MessageCodec.decode(SpecDocument.self, from: yaml, format: .yaml)
        #expect(fromYAML.spec.names == ["zeta", "alpha", "mid"])
        let encoded = MessageCodec.encodeString(fromYAML, format: .yaml)
        #expect(encoded.range(of: "zeta")!.lowerBound < encoded.range(of: "alpha")!.lowerBound)

        let json = MessageCodec.encodeString(fromYAML, format: .json)
        let fromJSON = try MessageCodec.decode(SpecDocument.self, from: json, format: .json)
        #expect(fromJSON.spec.names == ["alpha", "mid", "zeta"])
        #expect(fromJSON == fromYAML)
    }
}
