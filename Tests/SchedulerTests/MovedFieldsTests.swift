import Messages
import TestSupport
import Testing

@testable import Scheduler

/// Requests of a move leave out what agents set on the host objects left: a moved volume's `url`
/// and the `bridge` of a network not yet on the receiving host, so the new VM waits for its new
/// volume and the NIC for its network there.
@Suite struct MovedFieldsTests {
    @Test func aMovedVolumesURLAndABridgeFromAnotherHostAreLeftOut() throws {
        let (old, new) = (ObjectID(), ObjectID())
        let (oldAgents, newAgents) = (Fixtures.host(old), Fixtures.host(new))
        let agents = oldAgents + newAgents
        let spec = try Fixtures.seedSpec()
        var objects: [ObjectID: Object] = [:]
        for object in spec.spec { objects[object.id!] = object }
        let (vm, volume, nic, network) = (spec.spec[0].id!, spec.spec[1].id!, spec.spec[2].id!, spec.spec[3].id!)
        objects[volume]?.url = "file:///old/volumes/\(volume)"
        objects[network]?.bridge = "br-0123456789ab"
        let (oldCompute, oldVolumer, oldPorter) = (oldAgents[0].id, oldAgents[1].id, oldAgents[2].id)
        let (newCompute, newVolumer, newPorter) = (newAgents[0].id, newAgents[1].id, newAgents[2].id)
        let placements = [vm: [newCompute], volume: [newVolumer], nic: [newPorter], network: [newPorter]]
        let builder = RequestBuilder(specID: spec.id, objects: objects, placements: placements,
                                     agents: Dictionary(uniqueKeysWithValues: agents.map { ($0.id, $0.object) }),
                                     specMembers: Set(objects.keys))
        let moved = MovedFields(
            current: [vm: [oldCompute], volume: [oldVolumer], nic: [oldPorter], network: [oldPorter]],
            placements: placements, hosts: Dictionary(uniqueKeysWithValues: agents.map { ($0.id, $0.hostID) }))
        func embedded(_ request: RequestMessage, _ id: ObjectID) -> Object? {
            var found: Object?
            for dependency in request.object.dependencies ?? [] {
                dependency.object.walk { object, _ in if object.id == id { found = object } }
            }
            return found
        }

        let vmRequest = moved.clearing(try #require(builder.request(for: vm, to: newCompute)), to: newCompute)
        #expect(embedded(vmRequest, volume)?.url == nil, "the VM waits for the new volume's url")
        #expect(embedded(vmRequest, network)?.bridge == nil, "and for its NIC's network on the new host")
        let nicRequest = moved.clearing(try #require(builder.request(for: nic, to: newPorter)), to: newPorter)
        #expect(embedded(nicRequest, network)?.bridge == nil)

        // Nothing moved: the request is left as the graph has it.
        let staying = MovedFields(current: placements, placements: placements,
                                  hosts: Dictionary(uniqueKeysWithValues: agents.map { ($0.id, $0.hostID) }))
        let request = try #require(builder.request(for: vm, to: newCompute))
        #expect(staying.clearing(request, to: newCompute) == request)
        #expect(embedded(request, volume)?.url == "file:///old/volumes/\(volume)")
    }
}
