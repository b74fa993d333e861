import Messages
import Scheduler
import Testing

/// `resource/image` in placement and requests: an image goes to a volumer and claims nothing;
/// a volume made from it embeds it, and the image's request names the volume as waiting for it.
@Suite struct ImagePlacementTests {
    typealias F = Fixtures

    static func image() -> Object {
        var image = Object(type: .image, id: ObjectID(), name: "debian", desiredState: "available",
                           source: "https://images.example.org/debian.qcow2")
        image.format = "qcow2"
        image.checksum = "sha256:" + String(repeating: "ab", count: 32)
        return image
    }

    @Test func anImageAndAVolumeMadeFromItArePlacedOnVolumersAndTheVolumeWaitsForTheImage() throws {
        let host = ObjectID()
        let agents = F.host(host)
        let image = Self.image()
        var volume = F.volume()
        volume.dependencies = [Dependency(object: .reference(image.id!), property: DependencyProperty(relation: Relation.volumeImage))]
        let vm = F.vm(attaching: [volume.id!])
        let plan = try F.place([image, volume, vm], on: agents).get()
        let volumer = try #require(agents.first { $0.type == .agentVolumerFile })
        #expect(plan.placements[image.id!] == [volumer.id])
        #expect(plan.placements[volume.id!] == [volumer.id])
        #expect(plan.claims[image.id!] == nil, "an image claims no capacity")

        let objects = Dictionary(uniqueKeysWithValues: [image, volume, vm].map { ($0.id!, $0) })
        let builder = RequestBuilder(specID: 1, objects: objects, placements: plan.placements,
                                     agents: Dictionary(uniqueKeysWithValues: agents.map { ($0.id, $0.object) }),
                                     specMembers: Set(objects.keys))
        let imageRequest = try #require(builder.request(for: image.id!, to: volumer.id))
        #expect(imageRequest.dependedBy.map(\.id) == [volume.id])
        let volumeRequest = try #require(builder.request(for: volume.id!, to: volumer.id))
        let embedded = try #require(volumeRequest.object.dependencies(relation: Relation.volumeImage).first?.object)
        #expect(embedded.type == .image)
        #expect(embedded.checksum == image.checksum && embedded.source == image.source && embedded.format == "qcow2")
        #expect(embedded.scheduledAgent?.id == volumer.id)
    }
}
