import Messages
import Scheduler
import TestSupport
import Testing

/// Requests in the seed's section 5.1 shape, built from the seed's own objects and agents.
@Suite struct RequestBuilderTests {
    // The agents and host of seed 5.1.
    static let host = ObjectID("8bce7696-f641-411c-a0ce-6ed066d912a3")!
    static let compute = RegisteredAgent(id: ObjectID("2463f81d-20d8-4395-a3c4-84a271a5b3a7")!, type: .agentComputeKVM,
                                         hostID: host, alive: true, capacity: .zero)
    static let volumer = RegisteredAgent(id: ObjectID("264b01b8-aeb5-478a-ad11-715fbc86d2f6")!, type: .agentVolumerFile,
                                         hostID: host, alive: true, capacity: .zero)
    static let porter = RegisteredAgent(id: ObjectID("a0c819fa-9dc2-4666-b7fd-d235a2551119")!, type: .agentPorterVLAN,
                                        hostID: host, alive: true, capacity: .zero)

    static func seedBuilder() throws -> (RequestBuilder, SpecMessage) {
        let spec = try Fixtures.seedSpec()
        var objects: [ObjectID: Object] = [:]
        for object in spec.spec { objects[object.id!] = object }
        let (vm, volume, nic, network) = (spec.spec[0].id!, spec.spec[1].id!, spec.spec[2].id!, spec.spec[3].id!)
        objects[nic]?.hwAddr = "ffffffffffff"
        let builder = RequestBuilder(
            specID: spec.id, objects: objects,
            placements: [vm: [compute.id], volume: [volumer.id], nic: [porter.id], network: [porter.id]],
            agents: Dictionary(uniqueKeysWithValues: [compute, volumer, porter].map { ($0.id, $0.object) }),
            specMembers: Set(objects.keys))
        return (builder, spec)
    }

    static func seedRequest(_ yaml: String) throws -> RequestMessage {
        var request = try MessageCodec.decode(RequestMessage.self, from: yaml, format: .yaml)
        // The seed's network already shows the bridge its porter will set; the scheduler does not.
        request.object = request.object.mapObjects { object in
            var object = object
            if object.type == .networkVLAN { object.bridge = nil }
            return object
        }
        return request
    }

    @Test func requestsHaveTheSeedsShapeWithDependentsNamed() throws {
        let (builder, spec) = try Self.seedBuilder()
        let (vm, volume, nic, network) = (spec.spec[0], spec.spec[1], spec.spec[2], spec.spec[3])
        let cases: [(Object, RegisteredAgent, String, [Object])] = [
            (vm, Self.compute, SeedDocuments.requestVM, []),
            (volume, Self.volumer, SeedDocuments.requestVolume,
             [Object(type: .vmKVM, id: vm.id, dependencies: [.scheduled(on: Self.compute.object)])]),
            (nic, Self.porter, SeedDocuments.requestNIC,
             [Object(type: .vmKVM, id: vm.id, dependencies: [.scheduled(on: Self.compute.object)])]),
            (network, Self.porter, SeedDocuments.requestNetwork,
             [Object(type: .nic, id: nic.id, dependencies: [.scheduled(on: Self.porter.object)])]),
        ]
        for (object, agent, seedYAML, dependents) in cases {
            let request = try #require(builder.request(for: object.id!, to: agent.id))
            let seed = try Self.seedRequest(seedYAML)
            #expect(request.specID == seed.specID)
            #expect(request.object == seed.object, "\(object.type!.rawValue)")
            #expect(request.dependedBy == dependents, "\(object.type!.rawValue)")
        }
    }

    @Test func aNetworkOnSeveralHostsIsEmbeddedWithTheLocalPorterAndNamesOnlyLocalDependents() throws {
        let (hostA, hostB) = (ObjectID(), ObjectID())
        let porterA = Fixtures.porter(hostA), porterB = Fixtures.porter(hostB)
        let network = Fixtures.network()
        let nicA = Fixtures.nic(network: network.id!), nicB = Fixtures.nic(network: network.id!)
        let builder = RequestBuilder(
            specID: 3, objects: [network.id!: network, nicA.id!: nicA, nicB.id!: nicB],
            placements: [network.id!: [porterA.id, porterB.id], nicA.id!: [porterA.id], nicB.id!: [porterB.id]],
            agents: [porterA.id: porterA.object, porterB.id: porterB.object],
            specMembers: [network.id!, nicA.id!, nicB.id!])
        let toB = try #require(builder.request(for: network.id!, to: porterB.id))
        #expect(toB.object.scheduledAgent == porterB.object)
        #expect(toB.dependedBy.map(\.id) == [nicB.id])
        let nicRequest = try #require(builder.request(for: nicB.id!, to: porterB.id))
        let embedded = try #require(nicRequest.object.dependencies?.first?.object)
        #expect(embedded.id == network.id && embedded.scheduledAgent == porterB.object)
    }

    @Test func generatedAddressesAreGuestMACs() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            let address = HardwareAddress.randomGuest(using: &generator).description
            #expect(address.hasPrefix("52:54:00:"))
            #expect(address.count == 17)
            #expect(address == address.lowercased())
            #expect(address.split(separator: ":").allSatisfy { $0.count == 2 && UInt8($0, radix: 16) != nil })
        }
    }
}
