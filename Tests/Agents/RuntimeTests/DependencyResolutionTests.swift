import Foundation
import Messages
import Testing

@testable import AgentRuntime

/// What a request waits for, and how the Notifies of its dependencies fill it in (seed 5.1–5.3).
@Suite struct DependencyResolutionTests {
    @Test func seedVMWaitsForItsNICsNetworkBridgeAndItsVolumesURL() throws {
        let unmet = ReadinessRules.unmetDependencies(of: try Seeds.requestVM.object)
        #expect(unmet.map(\.object.id) == [Seeds.networkID, Seeds.volumeID])
        #expect(unmet.map(\.missingField) == ["bridge", "url"])
        #expect(unmet.map(\.description) == [
            "network resource(8451da31-5e3a-4c46-aa3a-2a557382a6cd)",
            "volume resource(d99163ed-0093-40a0-a61b-365a1aece509)",
        ])
    }

    @Test func seedNICWaitsForItsNetworkAndVolumesAndNetworksWaitForNothing() throws {
        #expect(ReadinessRules.unmetDependencies(of: try Seeds.requestNIC.object).map(\.object.id) == [Seeds.networkID])
        #expect(ReadinessRules.unmetDependencies(of: try Seeds.requestVolume.object).isEmpty)
        #expect(ReadinessRules.unmetDependencies(of: try Seeds.requestNetwork.object).isEmpty)
    }

    @Test func aVolumeMadeFromAnImageWaitsForTheImagesURL() throws {
        let image = Object(type: .image, id: ObjectID(), source: "https://images.example.org/a.qcow2")
        var volume = Object(type: .volumeFile, id: ObjectID(), desiredState: "allocated", size: Size(1, .gb),
                            dependencies: [Dependency(object: image, property: DependencyProperty(relation: Relation.volumeImage))])
        let unmet = ReadinessRules.unmetDependencies(of: volume)
        #expect(unmet.map(\.object.id) == [image.id])
        #expect(unmet.map(\.missingField) == ["url"])
        #expect(unmet.map(\.description) == ["image resource(\(image.id!))"])
        var reported = image
        reported.url = "file:///var/lib/n0core/images/.cache/sha256-00"
        #expect(ReadinessRules.unmetDependencies(of: volume.replacingEmbedded(with: [image.id!: reported])).isEmpty)
        volume.desiredState = "deleted"
        #expect(ReadinessRules.unmetDependencies(of: volume).isEmpty, "a volume being removed waits for nothing")
    }

    @Test func objectsBeingRemovedWaitForNothing() throws {
        var vm = try Seeds.requestVM.object
        vm.desiredState = "deleted"
        #expect(ReadinessRules.unmetDependencies(of: vm).isEmpty)
        var nic = try Seeds.requestNIC.object
        nic.desiredState = "detached"
        #expect(ReadinessRules.unmetDependencies(of: nic).isEmpty)
    }

    @Test func networkNotifyFillsTheSeedNICAsSeed53ShowsIt() throws {
        let network = try Seeds.notifyNetwork.object
        let nic = try Seeds.requestNIC.object.replacingEmbedded(with: [Seeds.networkID: network])
        #expect(nic == (try Seeds.notifyNIC.object))
        #expect(ReadinessRules.unmetDependencies(of: nic).isEmpty)
    }

    @Test func volumeAndNICNotifiesFillTheSeedVMAsSeed53ShowsIt() throws {
        let reported = [Seeds.volumeID: try Seeds.notifyVolume.object, Seeds.nicID: try Seeds.notifyNIC.object]
        let vm = try Seeds.requestVM.object.replacingEmbedded(with: reported)
        #expect(vm == (try Seeds.notifyVM.object))
        #expect(ReadinessRules.unmetDependencies(of: vm).isEmpty)
    }

    @Test func onlyEmbeddedObjectsAreReplacedNeverTheRequestedOneOrAgents() throws {
        let request = try Seeds.requestVolume.object
        var impostor = request
        impostor.size = Size(1, .gb)
        #expect(request.replacingEmbedded(with: [Seeds.volumeID: impostor]) == request)
        #expect(request.embeddedIDs.isEmpty, "the scheduled agent is not a dependency to wait for")
        #expect(try Seeds.requestVM.object.embeddedIDs == [Seeds.nicID, Seeds.networkID, Seeds.volumeID])
    }
}
