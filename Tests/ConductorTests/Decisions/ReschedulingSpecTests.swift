import Messages
import Testing

@testable import Conductor

@Suite("Rescheduling spec")
struct ReschedulingSpecTests {
    @Test func carriesOnlyTheFailedObjectsByIdWithTheAnnotations() {
        let volume = ObjectID(), agent = ObjectID(), other = ObjectID()
        let vm = Object(
            type: .vmKVM, id: ObjectID(), name: "web", desiredState: "running", vcpus: 2,
            dependencies: [
                Dependency(object: Object(type: .volumeFile, id: volume, size: Size(bytes: 1 << 30)),
                           property: DependencyProperty(relation: Relation.vmAttachments, bootPriority: 1)),
                .scheduled(on: Object(type: .agentComputeKVM, id: agent)),
            ])
        let original: Annotations = [Annotations.sameHost: true, Annotations.hostID: "85cf3a3a-18e4-4fe2-b406-9e79079cae07"]

        let message = ReschedulingSpec.make(specID: 7, version: 2, annotations: original, objects: [vm], avoid: [agent, other])

        #expect(message.id == 7)
        #expect(message.version == 2)
        #expect(message.spec.count == 1)
        #expect(message.spec[0].id == vm.id)
        #expect(message.spec[0].dependencies == [
            Dependency(object: .reference(volume), property: DependencyProperty(relation: Relation.vmAttachments, bootPriority: 1)),
        ])
        #expect(message.annotations?[Annotations.rescheduling] == "with_error")
        #expect(message.annotations?["n0stack/n0core/scheduler/avoid_agents"] == .string("\(agent),\(other)"))
        #expect(message.annotations?[Annotations.sameHost] == true)
        #expect(message.annotations?[Annotations.hostID] == "85cf3a3a-18e4-4fe2-b406-9e79079cae07")
    }
}
