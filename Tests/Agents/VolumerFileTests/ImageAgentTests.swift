import AgentRuntime
import Foundation
import Messages
import TestSupport
import Testing

@testable import VolumerFile

/// An image and a volume made from it through the real agent runtime on RabbitMQ: the volume's
/// request waits for the image's `Notify` (design §3, step 5), then backs onto the cached file.
@Suite("Images through the volume agent (RabbitMQ, qemu-img, HTTP on loopback)",
       .enabled(if: IntegrationEnvironment.hasBroker && VolumeTestEnvironment.hasQemuImg))
struct ImageAgentTests {
    @Test func aVolumeWaitsForItsImageThenBacksOntoTheCachedFile() async throws {
        let server = try await LoopbackImageServer()
        defer { server.stop() }
        try await VolumeTestEnvironment.makeImage(["-f", "qcow2", "\(server.directory)/base.qcow2", "64M"])
        let checksum = "sha256:" + (try VolumerFileDriver.sha256(ofFile: "\(server.directory)/base.qcow2"))
        try await VolumeTestEnvironment.withDataDirectory { directory in
            try await AgentHarness.with { harness in
                let driver = VolumeTestEnvironment.driver(directory)
                let agent = try harness.start(driver)
                let specID = Int64.random(in: 1...1_000_000_000)
                let scheduled = Dependency(
                    object: Object(type: .agentVolumerFile, id: harness.agentID, desiredState: "alived", hostID: harness.hostID),
                    property: DependencyProperty(relation: Relation.scheduled))
                var image = Object(type: .image, id: ObjectID(), name: "debian", desiredState: "available",
                                   source: "\(server.baseURL)/base.qcow2", dependencies: [scheduled])
                image.format = "qcow2"
                image.checksum = checksum
                let volume = Object(type: .volumeFile, id: ObjectID(), name: "disk", desiredState: "allocated", size: Size(1, .gb),
                                    dependencies: [Dependency(object: image, property: DependencyProperty(relation: Relation.volumeImage)),
                                                   scheduled])

                // The volume first: it parks until the image is reported.
                try await harness.send(RequestMessage(specID: specID, object: volume))
                try await agent.waitUntilParked()
                #expect(VolumeTestEnvironment.entries(directory).isEmpty)
                var waiting = volume
                waiting.dependencies = [scheduled]
                try await harness.send(RequestMessage(specID: specID, object: image, dependedBy: [waiting]))

                let imageNotify = try #require(try await harness.waitForNotifies(about: image.id!).first)
                #expect(imageNotify.level == .success)
                let cached = "\(try driver.images.realRoot())/.cache/sha256-\(checksum.dropFirst("sha256:".count))"
                #expect(imageNotify.object.url == "file://\(cached)")
                let volumeNotify = try #require(try await harness.waitForNotifies(about: volume.id!).first)
                #expect(volumeNotify.level == .success, "\(volumeNotify.message)")
                let info = try await VolumeTestEnvironment.info("\(directory)/\(volume.id!)")
                #expect(info["full-backing-filename"] as? String == cached)
                #expect(server.requests(of: "/base.qcow2") == 1)
                try await agent.stopGracefully()
            }
        }
    }
}
